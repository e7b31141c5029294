import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { allSharedCaptures, CAPTURES, oracleJsonl, oracleTsv, type OracleRow } from '../helpers/oracle';
import { asOracleRows, replayRecords } from '../helpers/replay';
import { readPcapRecords } from '../helpers/pcapRecords';
import { sctpDataChunks } from '../helpers/sctpDataChunks';
import { decodeDiameter } from '../../src/protocols/diameter/decode';
import { createDiameterView } from '../../src/protocols/diameter/types';
import { avpText, imsiText } from '../../src/protocols/diameter/strings';
import { Layer } from '../../src/metrics/layers';

/** Epoch time with 9 decimals (the oracle's TSV) → integer nanoseconds. */
function ns(t: string): bigint {
  const [s, f = ''] = t.split('.');
  return BigInt(s) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
}

/** Round half to even of n / 1000 (the oracle's latency_us). */
function roundHalfEvenUs(n: bigint): number {
  const q = n / 1000n;
  const r = n % 1000n;
  return Number(r > 500n || (r === 500n && q % 2n === 1n) ? q + 1n : q);
}

/**
 * On every capture of ../shared, the Diameter transactions sigprobe records agree with tshark's
 * pairing (../shared/tools/oracle --jsonl): request and answer frames, command code, status,
 * result code, IMSI and latency. Captures without Diameter yield no Diameter record.
 *
 * Latency: sigprobe keeps packet times in µs (the spool's unit), truncating a nanosecond
 * capture's timestamps, while the oracle subtracts the nanosecond times and rounds. The two can
 * differ by 1 µs; for every row the test proves that the difference is exactly that (our value
 * = ⌊rsp_ns/1000⌋ − ⌊req_ns/1000⌋, theirs = round(Δns/1000), from the oracle's own times).
 */
describe('Diameter transactions agree with the tshark oracle', () => {
  const files = allSharedCaptures();
  let withDiameter = 0;
  for (const f of files) {
    it(basename(f), () => {
      const expected = oracleJsonl(f).filter((r) => r.protocol === 'diameter');
      const { records, pipeline } = replayRecords([f]);
      const ours = asOracleRows(records, ['diameter']);
      if (expected.length > 0) withDiameter++;
      const times = new Map<string, { req: string; rsp: string }>();
      for (const r of oracleTsv(f)) if (r.proto === 'diameter' && r.resp_frame !== '-') times.set(`${r.req_frame}/${r.resp_frame}`, { req: r.req_time, rsp: r.resp_time });
      const adjusted: OracleRow[] = ours.map((r, i) => {
        const e = expected[i];
        if (e === undefined || r.latency_us === null || e.latency_us === null || r.latency_us === e.latency_us) return r;
        // Different by the µs truncation only: prove it from the oracle's nanosecond times.
        const t = times.get(`${r.req_frame}/${r.rsp_frame}`);
        expect(t, `times of ${r.req_frame}/${r.rsp_frame}`).toBeDefined();
        const reqNs = ns((t as { req: string }).req);
        const rspNs = ns((t as { rsp: string }).rsp);
        expect(r.latency_us).toBe(Number(rspNs / 1000n - reqNs / 1000n));
        expect(e.latency_us).toBe(roundHalfEvenUs(rspNs - reqNs));
        expect(Math.abs(r.latency_us - e.latency_us)).toBe(1);
        return { ...r, latency_us: e.latency_us };
      });
      expect(adjusted).toEqual(expected);
      // No orphan answers and no Diameter anomaly on any of these captures.
      expect(records.filter((r) => r.protocol === 'diameter' && r.orphan)).toEqual([]);
      expect(pipeline.counters.anomalyList().filter((a) => a.layer === 'diameter' && a.reason !== 'idle_timeout')).toEqual([]);
    });
  }
  it('covers the Diameter captures', () => {
    expect(withDiameter).toBeGreaterThanOrEqual(19);
  });
});

describe('Diameter over TCP in genuine freeDiameter traffic (peers/diameter-freediameter-s6a.pcapng)', () => {
  const f = join(CAPTURES, 'peers/diameter-freediameter-s6a.pcapng');
  it('frame 98: 10 requests in one segment; frames 120+122 and 128+130: requests split over two segments', () => {
    const { records, pipeline } = replayRecords([f]);
    const d = records.filter((r) => r.protocol === 'diameter');
    expect(d).toHaveLength(71);
    expect(d.filter((r) => r.reqFrame === 98)).toHaveLength(10);
    // tshark: "[TCP segment of a reassembled PDU]" at 120 and 128; the ULR / AIR are at 122 / 130.
    expect(d.filter((r) => r.reqFrame === 120 || r.reqFrame === 128)).toHaveLength(0);
    expect(d.find((r) => r.reqFrame === 122)).toMatchObject({ procedure: 'ULR', rspFrame: 127, imsi: '001010000000031' });
    expect(d.find((r) => r.reqFrame === 130)).toMatchObject({ procedure: 'AIR', rspFrame: 135, imsi: '001010000000032' });
    // Each relayed request is two records (client → peer1, peer1 → peer2) joined by end-to-end id.
    const byE2e = new Map<number, typeof d>();
    for (const r of d.filter((x) => x.procedure === 'ULR' || x.procedure === 'AIR')) byE2e.set(r.endToEnd as number, [...(byE2e.get(r.endToEnd as number) ?? []), r]);
    expect(byE2e.size).toBe(32);
    for (const legs of byE2e.values()) {
      expect(legs).toHaveLength(2);
      expect(legs[0].hopByHop).not.toBe(legs[1].hopByHop);
      expect(legs.map((r) => r.originHost)).toEqual(['mme.localdomain', 'mme.localdomain']);
      expect(new Set(legs.map((r) => r.srcIp))).toEqual(new Set(['192.0.2.10', '192.0.2.1']));
      expect(legs.every((r) => r.resultCode === 3002 && r.status === 'error' && r.resultSource === 'result')).toBe(true);
    }
    expect(pipeline.tcp.counters).toMatchObject({ gaps: 0, retransmitted: 0, midstreamStarts: 0, fins: 4, resets: 1 });
    expect(pipeline.diameter.framer.counters).toMatchObject({ messages: 142, resyncs: 0, partialDropped: 0 });
    expect(pipeline.counters.decoded[Layer.Diameter]).toBe(142);
  });
});

describe('where the oracle README is wrong: arkime/diameter_synthetic.pcap frame 15', () => {
  const f = join(CAPTURES, 'public/arkime/diameter_synthetic.pcap');
  it('has no bad AVP length: its AVPs tile the message; tshark only flags the NAI User-Name as a malformed IMSI', () => {
    const frame = readPcapRecords(f)[14].data;
    const [chunk] = sctpDataChunks(frame);
    expect(chunk.ppid).toBe(46);
    const m = chunk.payload;
    const v = createDiameterView();
    expect(decodeDiameter(m, 0, m.length, v)).toBe(0);
    expect([v.commandCode, v.length, v.avpCount]).toEqual([316, 208, 6]);
    // tshark: diameter.avp.len 41,28,24,28,24,40 → 20 + 44 + 28 + 24 + 28 + 24 + 40 = 208
    expect(avpText(m, v.userNameStart, v.userNameEnd)).toBe('310260123456789@lte.operator.net');
    expect(imsiText(m, v.userNameStart, v.userNameEnd)).toBeNull();
    const expert = execFileSync('tshark', ['-n', '-r', f, '-Y', 'frame.number==15', '-T', 'fields', '-e', '_ws.expert.message', '-e', 'diameter.avp.len'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    expect(expert).toBe('Malformed IMSI\t41,28,24,28,24,40');
    // Both sigprobe and the oracle record the ULR with no IMSI (an NAI is not 5-15 digits).
    const { records } = replayRecords([f]);
    expect(records.find((r) => r.reqFrame === 15)).toMatchObject({ procedure: 'ULR', imsi: null, status: 'ok', resultCode: 2001 });
  });
});
