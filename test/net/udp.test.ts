import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeUdp, UDP_ANOMALY_NAMES, UdpAnomaly } from '../../src/net/udp';
import { createUdpView } from '../../src/net/types';
import { hex } from '../helpers/hex';
import { embed, mutate, Prng } from '../helpers/mutationFuzz';
import { CAPTURES } from '../helpers/oracle';
import { readPcapRecords } from '../helpers/pcapRecords';

const u = createUdpView();

describe('UDP header (RFC 768)', () => {
  it('annotated vector: header, payload bounded by the Length field', () => {
    const b = hex(
      '0868', //   Source Port 2152
      'c3dc', //   Destination Port 50140
      '000c', //   Length 12 (header 8 + 4 octets of data)
      'abcd', //   Checksum (not verified)
      '32010004', // data
      '0000', //   link padding after the datagram: not payload
    );
    expect(decodeUdp(b, 0, b.length, u)).toBe(UdpAnomaly.Ok);
    expect(u).toEqual({ srcPort: 2152, dstPort: 50140, length: 12, checksum: 0xabcd, payloadStart: 8, payloadEnd: 12 });
  });

  it('zeek/gtp10_not_0xff.pcap frame 2 (tshark: 2152 → 2152, Length 20, checksum 0x4851, 12 octets of GTP)', () => {
    const r = readPcapRecords(join(CAPTURES, 'public/zeek/gtp10_not_0xff.pcap'))[1];
    const s = 14 + 20; // Ethernet + IPv4 without options
    const ipEnd = 14 + r.data.readUInt16BE(14 + 2); // IPv4 Total Length: the Ethernet padding is not IP payload
    expect(decodeUdp(r.data, s, ipEnd, u)).toBe(UdpAnomaly.Ok);
    expect(u).toMatchObject({ srcPort: 2152, dstPort: 2152, length: 20, checksum: 0x4851 });
    expect(u.payloadEnd - u.payloadStart).toBe(12);
    expect(r.data[u.payloadStart]).toBe(0x32); // GTPv1 flags
  });

  it('Length beyond the captured bytes: payload cut at the end, payload_truncated (not fatal)', () => {
    const b = hex('0001 0002 0020 0000', '01020304');
    expect(decodeUdp(b, 0, b.length, u)).toBe(UdpAnomaly.PayloadTruncated);
    expect([u.payloadStart, u.payloadEnd]).toEqual([8, 12]);
  });

  it('Length < 8: bad_length, no payload', () => {
    for (const len of [0, 1, 7]) {
      const b = hex('0001 0002', len.toString(16).padStart(4, '0'), '0000 01020304');
      expect(decodeUdp(b, 0, b.length, u)).toBe(UdpAnomaly.BadLength);
      expect(u.payloadEnd).toBe(u.payloadStart);
    }
  });

  it('every truncation of a valid datagram: truncated below 8 octets, else payload_truncated', () => {
    const b = hex('0868 0868 0014 4851', '320100040000000000fe6900');
    for (let end = 0; end <= b.length; end++) {
      const code = decodeUdp(b, 0, end, u);
      if (end < 8) expect(code).toBe(UdpAnomaly.Truncated);
      else if (end < b.length) expect([code, u.payloadEnd]).toEqual([UdpAnomaly.PayloadTruncated, end]);
      else expect(code).toBe(UdpAnomaly.Ok);
    }
  });

  it('names every anomaly code', () => {
    expect(UDP_ANOMALY_NAMES).toEqual(['ok', 'truncated', 'bad_length', 'payload_truncated']);
  });

  it('fuzz: 100k random and 100k mutated inputs never throw and keep the payload inside [start, end]', () => {
    const rng = new Prng(0x0dd5eed);
    const seed = hex('0868 0868 0014 4851', '320100040000000000fe6900');
    for (let i = 0; i < 200_000; i++) {
      const msg = i < 100_000 ? rng.bytes(rng.int(24)) : mutate(rng, seed);
      const { buf, start, end } = embed(rng, msg);
      const code = decodeUdp(buf, start, end, u);
      if (!(code >= 0 && code < UDP_ANOMALY_NAMES.length)) throw new Error(`bad code ${code} at ${i}`);
      if (!(u.payloadStart >= start && u.payloadStart <= u.payloadEnd && u.payloadEnd <= end)) throw new Error(`payload out of range at ${i}`);
    }
  });
});
