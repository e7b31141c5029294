/** SCTP (RFC 9260), CRC32c, M3UA (RFC 4666), IPv4/IPv6 (RFC 791 / 8200), Ethernet and Linux SLL encoders. */
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../src/gen/encode/crc32c';
import { dataChunk, encodeSctpPacket, sackChunk, DATA_FLAG_B, DATA_FLAG_E } from '../../../src/gen/encode/sctp';
import { encodeM3uaData } from '../../../src/gen/encode/m3ua';
import { encodeIpv4, ipv4Address } from '../../../src/gen/encode/ipv4';
import { encodeIpv6, ipv6Address } from '../../../src/gen/encode/ipv6';
import { internetChecksum } from '../../../src/gen/encode/checksum';
import { encodeEthernet, TPID_8021AD, TPID_8021Q } from '../../../src/gen/encode/ethernet';
import { encodeSll, encodeSll2, SLL_OUTGOING } from '../../../src/gen/encode/sll';
import { hex } from '../../helpers/hex';

describe('CRC32c', () => {
  it('check values (RFC 3720 §B.4 / iSCSI: same polynomial as SCTP)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
  });
});

describe('SCTP', () => {
  it('DATA chunk: flags, length without padding, zero padding to 4 (§3.3.1)', () => {
    const c = dataChunk({ tsn: 0x01020304, sid: 1, ssn: 7, ppid: 3, flags: DATA_FLAG_B | DATA_FLAG_E }, hex('aabbcc'));
    expect(c).toEqual(
      hex(
        '00', // type DATA
        '03', // B|E
        '0013', // length 16 + 3
        '01020304', // TSN
        '0001', // stream identifier
        '0007', // stream sequence number
        '00000003', // PPID 3 = M3UA
        'aabbcc',
        '00', // padding
      ),
    );
  });

  it('common header checksum = CRC32c over the packet with the field zeroed, stored little-endian (App. B)', () => {
    const p = encodeSctpPacket(2905, 3000, 0xdeadbeef, [sackChunk(42, 65535)]);
    expect(p.subarray(0, 8)).toEqual(hex('0b59', '0bb8', 'deadbeef'));
    const z = Buffer.from(p);
    z.writeUInt32LE(0, 8);
    expect(p.readUInt32LE(8)).toBe(crc32c(z));
    expect(p.subarray(12)).toEqual(hex('03', '00', '0010', '0000002a', '0000ffff', '0000', '0000')); // SACK (§3.3.4)
  });
});

describe('M3UA DATA (RFC 4666 §3.3.1)', () => {
  it('header, routing context then protocol data, padded parameters', () => {
    const m = encodeM3uaData({ opc: 0x1234, dpc: 0x0567, si: 3, ni: 0, mp: 0, sls: 9, routingContext: 7 }, hex('0901'));
    expect(m).toEqual(
      hex(
        '01 00 01 01', // version 1, reserved, class 1 (transfer), type 1 (DATA)
        '00000024', // message length 36
        '0006 0008 00000007', // Routing Context
        '0210 0012', // Protocol Data, length 18 = tag/length 4 + 12 + 2 (padding not counted)
        '00001234 00000567', // OPC, DPC
        '03 00 00 09', // SI 3 (SCCP), NI 0 (international), MP 0, SLS 9
        '0901 0000', // user data + 2 octets of padding
      ),
    );
  });
});

describe('IPv4', () => {
  const src = ipv4Address('192.0.2.1');
  const dst = ipv4Address('198.51.100.7');

  it('header with DF and a valid checksum', () => {
    const [p] = encodeIpv4({ src, dst, protocol: 132, id: 0x1234 }, hex('00112233'));
    expect(p.subarray(0, 10)).toEqual(hex('45', '00', '0018', '1234', '4000', '40', '84'));
    expect(internetChecksum(p, 0, 20)).toBe(0); // checksum verifies
  });

  it('fragments: offsets in 8-octet units, MF on all but the last, DF cleared', () => {
    const payload = Buffer.alloc(1000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const frags = encodeIpv4({ src, dst, protocol: 132, id: 77, mtu: 300 }, payload);
    expect(frags.length).toBe(4); // 280 + 280 + 280 + 160
    const parts: Buffer[] = [];
    frags.forEach((f, i) => {
      const ff = f.readUInt16BE(6);
      expect(ff & 0x4000).toBe(0);
      expect((ff & 0x2000) !== 0).toBe(i < 3);
      expect((ff & 0x1fff) * 8).toBe(i * 280);
      expect(f.readUInt16BE(4)).toBe(77);
      expect(internetChecksum(f, 0, 20)).toBe(0);
      expect(f.readUInt16BE(2)).toBe(f.length);
      parts.push(f.subarray(20));
    });
    expect(Buffer.concat(parts).equals(payload)).toBe(true);
  });
});

describe('IPv6', () => {
  const src = ipv6Address('2001:db8::1');
  const dst = ipv6Address('2001:db8:1::b');

  it('address parsing', () => {
    expect(ipv6Address('2001:db8:1::b')).toEqual(hex('20010db8 00010000 00000000 0000000b'));
  });

  it('extension header chain HBH -> Fragment -> Destination Options -> SCTP (RFC 8200 §4.1)', () => {
    const [p] = encodeIpv6({ src, dst, nextHeader: 132, ext: ['dst', 'hbh', 'frag'], fragId: 0x01020304 }, hex('aabb'));
    expect(p[0] >> 4).toBe(6);
    expect(p[6]).toBe(0); // next header: Hop-by-Hop
    expect(p.readUInt16BE(4)).toBe(8 + 8 + 8 + 2); // payload length
    expect(p.subarray(40)).toEqual(
      hex(
        '2c 00 01 04 00000000', // HBH: NH 44 (Fragment), len 0, PadN(4)
        '3c 00 0000 01020304', // Fragment: NH 60 (Dest Options), offset 0, M 0 (atomic), id
        '84 00 01 04 00000000', // Destination Options: NH 132 (SCTP), PadN(4)
        'aabb',
      ),
    );
  });

  it('fragmentation to the MTU keeps the HBH header unfragmentable and reassembles', () => {
    const payload = Buffer.alloc(700, 0x5a);
    const frags = encodeIpv6({ src, dst, nextHeader: 132, ext: ['hbh'], fragId: 9, mtu: 300 }, payload);
    expect(frags.length).toBeGreaterThan(2);
    const parts: Buffer[] = [];
    frags.forEach((f, i) => {
      expect(f.length).toBeLessThanOrEqual(300);
      expect(f[6]).toBe(0); // HBH first
      expect(f[40]).toBe(44); // HBH -> Fragment
      const offM = f.readUInt16BE(50);
      expect((offM & 1) === 1).toBe(i < frags.length - 1);
      expect((offM >> 3) * 8).toBe(parts.reduce((s, x) => s + x.length, 0));
      expect(f.readUInt32BE(52)).toBe(9);
      parts.push(f.subarray(56));
    });
    expect(Buffer.concat(parts).equals(payload)).toBe(true);
  });
});

describe('link layers', () => {
  const a = hex('020000000001');
  const b = hex('020000000002');

  it('Ethernet II padded to 60 octets, QinQ tags outermost first', () => {
    const e = encodeEthernet(b, a, 0x0800, hex('45'), [
      { tpid: TPID_8021AD, vid: 100 },
      { tpid: TPID_8021Q, vid: 200, pcp: 5 },
    ]);
    expect(e.length).toBe(60);
    expect(e.subarray(0, 23)).toEqual(hex('020000000002', '020000000001', '88a8 0064', '8100 a0c8', '0800', '45'));
    expect(e.subarray(23).every((x) => x === 0)).toBe(true);
  });

  it('Linux SLL and SLL2 headers', () => {
    expect(encodeSll(SLL_OUTGOING, a, 0x0800, hex('45'))).toEqual(hex('0004', '0001', '0006', '020000000001 0000', '0800', '45'));
    expect(encodeSll2(SLL_OUTGOING, 3, a, 0x86dd, hex('60'))).toEqual(hex('86dd', '0000', '00000003', '0001', '04', '06', '020000000001 0000', '60'));
  });
});
