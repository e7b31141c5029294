/**
 * Test helper: the synthesized capture images used by the reader tests (deterministic).
 * Their expected decode was read from tshark 4.0 (see pcapReader.synth.test.ts).
 */
import { buildPcap, NgBuilder, payload, PcapRec } from './build';

export const US_RECORDS: readonly PcapRec[] = [
  { sec: 1700000000, sub: 123456, data: payload(1, 60) },
  { sec: 1700000001, sub: 999999, data: payload(2, 100), origLen: 1500 },
  { sec: 1700000002, sub: 0, data: payload(3, 1) },
];

export const NS_RECORDS: readonly PcapRec[] = [
  { sec: 1700000000, sub: 123456789, data: payload(1, 60) },
  { sec: 1700000001, sub: 999999999, data: payload(2, 100), origLen: 1500 },
  { sec: 1700000002, sub: 1, data: payload(3, 1) },
];

export const pcapUsLe = (): Buffer => buildPcap({ le: true, linkType: 1 }, US_RECORDS);
export const pcapUsBe = (): Buffer => buildPcap({ le: false, linkType: 113 }, US_RECORDS);
export const pcapNsLe = (): Buffer => buildPcap({ le: true, ns: true, linkType: 101 }, NS_RECORDS);
export const pcapNsBe = (): Buffer => buildPcap({ le: false, ns: true, linkType: 276 }, NS_RECORDS);

/**
 * One little-endian section, four interfaces:
 *   if0 Ethernet, default resolution (µs); if1 LINUX_SLL, 10^-9; if2 RAW, 2^-20;
 *   if3 IPV4, 10^-3 with if_tsoffset 1e9 s.
 * Blocks: SHB IDB0 IDB1 EPB(if0) EPB(if1) ISB IDB2 EPB(if2) unknown(0xBAD) IDB3 EPB(if3) PB(if1) SPB.
 */
export function ngMultiIf(): Buffer {
  return new NgBuilder()
    .shb(true)
    .idb(1, { snaplen: 65535, name: 'eth0' })
    .idb(113, { snaplen: 262144, tsresol: 9 })
    .epb(0, 1700000000123456n, payload(1, 60))
    .epb(1, 1700000000123456789n, payload(2, 99), 1400)
    .isb(0)
    .idb(101, { tsresol: 0x80 | 20 })
    .epb(2, 1700000000n * 1048576n + 524288n + 3n, payload(3, 40))
    .block(0xbad, Buffer.from('unknown block body'))
    .idb(228, { tsresol: 3, tsoffset: 1000000000n })
    .epb(3, 700000000123n, payload(4, 20))
    .pb(1, 1700000005000000001n, payload(5, 33))
    .spb(payload(6, 70))
    .build();
}

/**
 * Three sections: big-endian (IPV6, 10^-9), little-endian (Ethernet, µs), big-endian again
 * (LINUX_SLL2, 10^-6 explicit). Interface ids restart at 0 in each section.
 */
export function ngMultiSection(): Buffer {
  return new NgBuilder()
    .shb(false)
    .idb(229, { tsresol: 9 })
    .epb(0, 1600000000000000001n, payload(1, 48))
    .epb(0, 1600000000999999999n, payload(2, 49))
    .shb(true)
    .idb(1)
    .epb(0, 1600000001000001n, payload(3, 50))
    .shb(false)
    .idb(276, { tsresol: 6, snaplen: 96 })
    .epb(0, 1600000002000002n, payload(4, 51))
    .build();
}
