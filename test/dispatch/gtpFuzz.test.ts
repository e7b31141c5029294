/**
 * Fuzz through the whole GTP path (UDP → classifier → decoders → transactions → tunnels): 100k
 * frames mutated from a realistic GTPv1 / GTPv2 flow, on the GTP ports, with small limits so the
 * bounds and expiries run too. No exception; the tables stay within their limits; every record
 * is well-formed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embed, mutate, Prng } from '../helpers/mutationFuzz';
import { collectingPipeline, gtpv1, gtpv2, udpFrame, v1ie, v2ie } from '../helpers/gtpBuild';
import { CAPTURES } from '../helpers/oracle';
import { captureUdp } from '../helpers/udpLocate';

const N = 100_000;

function corpus(): Buffer[] {
  const out: Buffer[] = [
    gtpv1(16, 0, 1, [v1ie.imsi('001010000000001'), v1ie.teidData(2), v1ie.teidControl(1), v1ie.nsapi(5), v1ie.apn('a.b'), v1ie.gsn('10.0.0.1'), v1ie.gsn('10.0.0.1')]),
    gtpv1(17, 1, 1, [v1ie.cause(128), v1ie.teidData(4), v1ie.teidControl(3), v1ie.gsn('10.0.0.2'), v1ie.gsn('10.0.0.2')]),
    gtpv1(20, 3, 2, [v1ie.teardown(true), v1ie.nsapi(5)]),
    gtpv1(21, 1, 2, [v1ie.cause(128)]),
    gtpv1(26, 0, 0, [v1ie.teidData(4), v1ie.gsn('10.0.0.2')]),
    gtpv2(32, 0, 9, [v2ie.imsi('001010000000002'), v2ie.fteid(6, 7, '10.0.0.1'), v2ie.bearerContext([v2ie.ebi(5), v2ie.fteid(4, 8, '10.0.0.1')])]),
    Buffer.concat([gtpv2(33, 7, 9, [v2ie.cause(16), v2ie.fteid(7, 9, '10.0.0.2', 1)], { piggyback: true }), gtpv2(95, 7, 0x800001, [v2ie.ebi(5)])]),
    gtpv2(36, 9, 10, [v2ie.ebi(5)]),
    gtpv2(37, 7, 10, [v2ie.cause(16)]),
    gtpv2(68, 9, 0x800002, [v2ie.ebi(5)]),
  ];
  for (const m of captureUdp(join(CAPTURES, 'public/open5gs/testattach.pcapng'))) {
    if (m.sport === 2123 || m.dport === 2123) out.push(Buffer.from(m.buf.subarray(m.start, m.end)));
  }
  return out;
}

describe('GTP path fuzz', () => {
  it(`${N} mutated datagrams through the pipeline: no exception, bounded tables, well-formed records`, () => {
    const { pipeline, records, tunnels } = collectingPipeline({
      gtp: { transactions: { maxPending: 64, timeoutUs: 2_000_000, answeredLingerUs: 500_000 }, tunnels: { maxActive: 32, idleTimeoutUs: 5_000_000 } },
    });
    const rng = new Prng(0x67747066);
    const seeds = corpus();
    const ports = [2123, 2152, 3386, 40000];
    const hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    let t = 1_700_000_000_000_000;
    for (let i = 0; i < N; i++) {
      const base = rng.pick(seeds);
      const msg = rng.int(4) === 0 ? base : mutate(rng, base);
      const src = rng.pick(hosts);
      let dst = rng.pick(hosts);
      if (dst === src) dst = '10.0.0.9';
      const frame = udpFrame(src, dst, rng.pick(ports), rng.int(3) === 0 ? rng.pick(ports) : 2123, msg);
      const { buf, start, end } = embed(rng, frame);
      t += rng.int(20_000);
      pipeline.onPacket(buf, start, end - start, end - start, t, 1, i + 1);
      if (pipeline.gtp.transactions.pendingCount > 64 || pipeline.gtp.tunnels.active > 32) throw new Error(`bound exceeded at ${i}`);
    }
    pipeline.finish('capture_end');
    expect(records.length).toBeGreaterThan(1000);
    expect(tunnels.length).toBeGreaterThan(100);
    for (const r of records) {
      if (!['gtpv1', 'gtpv2'].includes(r.protocol)) throw new Error(`protocol ${r.protocol}`);
      if (r.status === 'timeout' ? r.rspFrame !== null || r.resultCode !== null : r.rspFrame === null) throw new Error(`status ${r.status} ${r.rspFrame}`);
      if (r.latencyUs !== null && r.latencyUs < 0) throw new Error('negative latency');
    }
    for (const x of tunnels) if (x.durationUs !== null && x.durationUs < 0) throw new Error('negative duration');
    expect(pipeline.gtp.transactions.pendingCount).toBe(0);
    expect(pipeline.gtp.tunnels.active).toBe(0);
  });
});
