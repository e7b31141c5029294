import { describe, expect, it } from 'vitest';
import { decodeTcp, TcpAnomaly, TcpFlag, TCP_ANOMALY_NAMES } from '../../src/net/tcp';
import { createTcpView } from '../../src/net/types';
import { hex } from '../helpers/hex';
import { embed, mutate, Prng } from '../helpers/mutationFuzz';

/** peers/diameter-freediameter-s6a.pcapng frame 10, the TCP header (a SYN with options). */
const SYN = hex(
  'be9f', '0f1c', // source port 48799, destination port 3868
  'd7e9c139', // sequence number 3622420793 (tshark: tcp.seq_raw)
  '00000000', // acknowledgment number
  'a0', '02', // data offset 10 (40 octets), flags SYN
  'ffd7', '843a', '0000', // window 65495, checksum 0x843a, urgent pointer
  '0204ffd7', '0402', '080a760e558300000000', '01', '03030a', // options: MSS 65495, SACK permitted, timestamps, NOP, window scale 10
);

/** A data segment: 20-octet header + 4 octets. */
const DATA = hex(
  '0f1c', 'be9f', // 3868 → 48799
  '00001389', // seq 5001
  '000003e9', // ack 1001
  '50', '18', // data offset 5, flags PSH ACK
  'ffff', '0000', '0000', // window, checksum, urgent
  '01000014', // payload
);

describe('decodeTcp (RFC 9293 §3.1)', () => {
  it('ports, numbers, flags, options skipped by Data Offset', () => {
    const t = createTcpView();
    expect(decodeTcp(SYN, 0, SYN.length, t)).toBe(TcpAnomaly.Ok);
    expect([t.srcPort, t.dstPort, t.seq, t.ack, t.headerLen, t.flags, t.window]).toEqual([48799, 3868, 3622420793, 0, 40, TcpFlag.Syn, 65495]);
    expect([t.payloadStart, t.payloadEnd]).toEqual([40, 40]);
    expect(decodeTcp(DATA, 0, DATA.length, t)).toBe(TcpAnomaly.Ok);
    expect([t.seq, t.ack, t.flags]).toEqual([5001, 1001, TcpFlag.Psh | TcpFlag.Ack]);
    expect(DATA.subarray(t.payloadStart, t.payloadEnd).toString('hex')).toBe('01000014');
  });

  it('truncation at every byte and bad Data Offset', () => {
    const t = createTcpView();
    for (let n = 0; n < SYN.length; n++) expect(decodeTcp(SYN, 0, n, t)).toBe(n < 20 ? TcpAnomaly.Truncated : TcpAnomaly.BadDataOffset);
    const b = Buffer.from(DATA);
    b[12] = 0x40; // data offset 4 (< 5)
    expect(decodeTcp(b, 0, b.length, t)).toBe(TcpAnomaly.BadDataOffset);
    expect(TCP_ANOMALY_NAMES.length).toBe(TcpAnomaly.StreamRestart + 1);
  });

  it('100k random and mutated segments: valid codes, payload within [start, end]', () => {
    const rng = new Prng(0x7c9);
    const t = createTcpView();
    for (let i = 0; i < 100_000; i++) {
      const msg = i % 4 === 0 ? rng.bytes(rng.int(64)) : mutate(rng, rng.pick([SYN, DATA]));
      const { buf, start, end } = embed(rng, msg);
      const code = decodeTcp(buf, start, end, t);
      if (!(code >= 0 && code <= TcpAnomaly.BadDataOffset)) throw new Error(`code ${code}`);
      if (code === 0 && !(t.payloadStart >= start + 20 && t.payloadStart <= t.payloadEnd && t.payloadEnd <= end)) throw new Error('payload outside');
    }
  });
});
