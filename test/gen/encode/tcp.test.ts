/** TCP (RFC 9293) and UDP (RFC 768) encoders: pseudo-header checksums, connection state, segmentation. */
import { describe, expect, it } from 'vitest';
import { l4Checksum } from '../../../src/gen/encode/l4checksum';
import { encodeUdp } from '../../../src/gen/encode/udp';
import { TCP_ACK, TCP_PSH, TCP_SYN, TcpConnection, encodeTcp, tcpCuts } from '../../../src/gen/encode/tcp';
import { ipv4Address } from '../../../src/gen/encode/ipv4';
import { ipv6Address } from '../../../src/gen/encode/ipv6';
import { internetChecksum } from '../../../src/gen/encode/checksum';
import { hex } from '../../helpers/hex';

const A = ipv4Address('192.0.2.1');
const B = ipv4Address('198.51.100.2');
const A6 = ipv6Address('2001:db8::1');
const B6 = ipv6Address('2001:db8::2');

/** an independent check: RFC 1071 sum over an explicit pseudo-header + segment must be 0 */
function verifies(src: Buffer, dst: Buffer, proto: number, seg: Buffer): boolean {
  const ph =
    src.length === 4
      ? Buffer.concat([src, dst, Buffer.from([0, proto, seg.length >> 8, seg.length & 0xff])])
      : Buffer.concat([src, dst, Buffer.from([0, 0, seg.length >> 8, seg.length & 0xff, 0, 0, 0, proto])]);
  const all = Buffer.concat([ph, seg]);
  return internetChecksum(all, 0, all.length) === 0;
}

describe('UDP (RFC 768)', () => {
  it('IPv4: header and pseudo-header checksum (checked with an independent Python computation)', () => {
    const u = encodeUdp(2123, 2123, hex('32010004 00000000 00010000'), A, B);
    expect(u).toEqual(
      hex(
        '084b', // source port 2123 (GTP-C)
        '084b', // destination port 2123
        '0014', // length 8 + 12
        'd0f2', // checksum over pseudo-header 192.0.2.1 > 198.51.100.2, proto 17, length 20
        '32010004 00000000 00010000', // payload: GTPv1 Echo Request, seq 1
      ),
    );
    expect(verifies(A, B, 17, u)).toBe(true);
  });

  it('IPv6: 32-bit upper-layer length and next header in the pseudo-header (RFC 8200 §8.1)', () => {
    const u = encodeUdp(2123, 2123, hex('40010009 00000100 0e0105'), A6, B6);
    expect(u.subarray(0, 8)).toEqual(hex('084b 084b 0013 3fb2'));
    expect(verifies(A6, B6, 17, u)).toBe(true);
  });

  it('a computed checksum of 0 is sent as 0xffff', () => {
    // find a payload whose checksum comes out 0, by adjusting two octets
    const p = Buffer.alloc(4);
    const u0 = encodeUdp(1, 2, p, A, B);
    const c = u0.readUInt16BE(6);
    // adding the checksum value to the payload's word sum makes the complement 0
    p.writeUInt16BE(c === 0xffff ? 0 : c, 0);
    const u = encodeUdp(1, 2, p, A, B);
    expect(u.readUInt16BE(6)).toBe(0xffff);
    expect(verifies(A, B, 17, u)).toBe(true);
  });
});

describe('TCP (RFC 9293 §3.1)', () => {
  it('header: ports, seq, ack, data offset 5, flags, window, checksum', () => {
    const t = encodeTcp({ srcPort: 40000, dstPort: 3868, seq: 1000, ack: 2000, flags: TCP_PSH | TCP_ACK, window: 65535 }, hex('0100001480000118'), A, B);
    expect(t).toEqual(
      hex(
        '9c40', // source port 40000
        '0f1c', // destination port 3868 (Diameter)
        '000003e8', // sequence number 1000
        '000007d0', // acknowledgment number 2000
        '5018', // data offset 5 (20 octets), flags PSH|ACK
        'ffff', // window
        '8a4c', // checksum (independent Python computation)
        '0000', // urgent pointer
        '0100001480000118', // payload: start of a Diameter header
      ),
    );
    expect(verifies(A, B, 6, t)).toBe(true);
    expect(l4Checksum(A, B, 6, Buffer.concat([t.subarray(0, 16), hex('0000'), t.subarray(18)]))).toBe(0x8a4c);
  });

  it('SYN carries the MSS option and no acknowledgment number', () => {
    const t = encodeTcp({ srcPort: 1, dstPort: 2, seq: 7, ack: 99, flags: TCP_SYN, window: 65535, mss: 1460 }, Buffer.alloc(0), A6, B6);
    expect(t.length).toBe(24);
    expect(t.readUInt32BE(8)).toBe(0); // ACK flag clear: field zero
    expect(t[12] >> 4).toBe(6); // data offset 6 words
    expect(t.subarray(20)).toEqual(hex('02 04 05b4')); // kind 2, length 4, MSS 1460
    expect(verifies(A6, B6, 6, t)).toBe(true);
  });

  it('connection: handshake numbers, segments at the cut points, acknowledgments', () => {
    const c = new TcpConnection({ ports: [50000, 3868], ips: [A, B], isn: [0xfffffffe, 5000] });
    const [syn, synAck, ack] = c.handshake();
    expect(syn.readUInt32BE(4)).toBe(0xfffffffe);
    expect(synAck.readUInt32BE(4)).toBe(5000);
    expect(synAck.readUInt32BE(8)).toBe(0xffffffff); // ISN + 1
    expect(ack.readUInt32BE(4)).toBe(0xffffffff);
    expect(ack.readUInt32BE(8)).toBe(5001);
    const data = Buffer.from('abcdefghij');
    const segs = c.segments(0, data, [0, 3, 10]);
    expect(segs.map((s) => s.subarray(20).toString())).toEqual(['abc', 'defghij']);
    expect(segs[0].readUInt32BE(4)).toBe(0xffffffff);
    expect(segs[1].readUInt32BE(4)).toBe(2); // sequence numbers wrap modulo 2^32
    expect(segs[0][13]).toBe(TCP_ACK); // PSH only on the last segment of the write
    expect(segs[1][13]).toBe(TCP_ACK | TCP_PSH);
    expect(c.nextSeq[0]).toBe(9);
    c.received(1, c.nextSeq[0]);
    const back = c.ack(1);
    expect(back.readUInt32BE(8)).toBe(9);
    expect(back.length).toBe(20);
    for (const s of [syn, synAck, ack, ...segs, back]) expect(verifies(s === synAck || s === back ? B : A, s === synAck || s === back ? A : B, 6, s)).toBe(true);
  });

  it('a connection open before the capture acknowledges the peer ISN', () => {
    const c = new TcpConnection({ ports: [1, 2], ips: [A, B], isn: [10, 20] });
    expect(c.rcvNext).toEqual([20, 10]);
  });

  it('cut points: inner cuts kept, pieces longer than the MSS split', () => {
    expect(tcpCuts(10, 1460)).toEqual([0, 10]);
    expect(tcpCuts(10, 1460, [4, 4, 0, 10, 12])).toEqual([0, 4, 10]);
    expect(tcpCuts(3000, 1000, [1500])).toEqual([0, 1000, 1500, 2500, 3000]);
  });
});
