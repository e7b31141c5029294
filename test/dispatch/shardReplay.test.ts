import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate, SCENARIOS } from '../../src/gen/index';
import { IP_SCENARIOS } from '../../src/gen/scenarios';
import { PcapReader } from '../../src/capture/pcapReader';
import { IdentityProtector } from '../../src/correlate/identities';
import type { DialogueRecord, TunnelRecord } from '../../src/correlate/record';
import { Pipeline, type PipelineOptions } from '../../src/dispatch/pipeline';
import { ShardDispatcher, type ShardReply } from '../../src/dispatch/shard';
import { ShardCore } from '../../src/dispatch/workers/shardCore';
import { replayRecords } from '../helpers/replay';

/**
 * Sharded correlation (capture.workers > 1) writes exactly the records of one thread: every
 * generated scenario and every shared capture, replayed through the dispatcher with 2 and 3
 * shards (in-process cores: the same code the worker threads run, minus the thread), gives the
 * same dialogue and tunnel records as the plain pipeline, field for field; the summary counters
 * (per-layer decode counts, anomalies, end reasons) add up to the same figures.
 */
const KEY = new IdentityProtector('pseudonymize', Buffer.alloc(32, 7));

async function sharded(files: string[], workers: number, opts: Partial<PipelineOptions>) {
  const records: DialogueRecord[] = [];
  const tunnels: TunnelRecord[] = [];
  const sink = { write: (r: DialogueRecord) => records.push(r), writeTunnel: (t: TunnelRecord) => tunnels.push(t) };
  const d: ShardDispatcher = new ShardDispatcher({
    workers,
    sink,
    ports: (_i, reply: (r: ShardReply) => void) => {
      const core = new ShardCore({ write: (r) => records.push(r) }, KEY, { site: 'test', ...opts });
      return {
        post: (b) => {
          core.onBatch(b);
          reply({ acks: 1, ...(core.finished ? { stats: core.delta(), done: true } : {}) });
        },
        terminate: () => undefined,
      };
    },
  });
  const p = new Pipeline(sink, KEY, { site: 'test', ...opts, tunnelSink: sink, shard: d.targets });
  d.attach(p);
  const onPacket = p.onPacket.bind(p);
  for (const f of files) {
    const r = PcapReader.open(f);
    p.setSource(f);
    while (r.read(onPacket, 997) > 0) await d.pump();
    r.close();
  }
  p.finish('capture_end');
  await d.drain();
  return { records, tunnels, pipeline: p, dispatcher: d };
}

function single(files: string[], opts: Partial<PipelineOptions>) {
  const tunnels: TunnelRecord[] = [];
  const { records, pipeline } = replayRecords(files, { ...opts, tunnelSink: { writeTunnel: (t) => tunnels.push(t) } }, KEY);
  return { records, tunnels, pipeline };
}

const rows = (a: object[]) => a.map((x) => JSON.stringify(Object.entries(x).sort(([k1], [k2]) => (k1 < k2 ? -1 : 1)))).sort();

async function same(files: string[], opts: Partial<PipelineOptions> = {}): Promise<number> {
  const one = single(files, opts);
  for (const n of [2, 3]) {
    const s = await sharded(files, n, opts);
    const a = rows(s.records);
    const b = rows(one.records);
    const extra = a.filter((x) => !b.includes(x)).slice(0, 3);
    const missing = b.filter((x) => !a.includes(x)).slice(0, 3);
    expect({ n, extra, missing, count: a.length }).toEqual({ n, extra: [], missing: [], count: b.length });
    expect(rows(s.tunnels)).toEqual(rows(one.tunnels));
    expect(s.pipeline.counters.anomalyList()).toEqual(one.pipeline.counters.anomalyList());
    expect(s.pipeline.counters.decodedList()).toEqual(one.pipeline.counters.decodedList());
    expect(s.pipeline.tcap.closed).toEqual(one.pipeline.tcap.closed);
    expect(s.pipeline.diameter.transactions.closed).toEqual(one.pipeline.diameter.transactions.closed);
    expect(s.pipeline.networks.stats.unknown).toEqual(one.pipeline.networks.stats.unknown);
    if (s.dispatcher.routed.reduce((a, b) => a + b, 0) > 60) for (const w of s.dispatcher.routed) expect(w).toBeGreaterThan(0);
  }
  return one.records.length;
}

describe('sharded correlation writes the records of one thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-shard-'));
  for (const scenario of [...SCENARIOS, ...IP_SCENARIOS]) {
    it(`scenario ${scenario}`, async () => {
      const out = join(dir, `${scenario}.pcap`);
      generate({ out, seed: 5, dialogues: scenario === 'mix' || scenario === 'ipx' ? 1500 : 60, scenario });
      expect(await same([out])).toBeGreaterThan(0);
    });
  }
  it('scenario roaming (two files replayed as one run)', async () => {
    const out = join(dir, 'roaming.pcap');
    generate({ out, seed: 5, scenario: 'roaming', devices: 60, hours: 1 } as Parameters<typeof generate>[0]);
    const out2 = join(dir, 'mix2.pcap');
    generate({ out: out2, seed: 6, dialogues: 300, scenario: 'mix' });
    expect(await same([out, out2])).toBeGreaterThan(0);
  });
  it('a short TCAP idle timeout (expiry at the same ticks on every shard)', async () => {
    const out = join(dir, 'mix-timeout.pcap');
    generate({ out, seed: 9, dialogues: 2000, scenario: 'mix' });
    await same([out], { tcap: { idleTimeoutUs: 200_000 }, diameter: { limits: { idleTimeoutUs: 200_000, maxPending: 500_000 } } });
  });
  const shared = resolve(__dirname, '../../../shared/captures');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)$/.test(f)) files.push(p);
    }
  };
  try {
    walk(shared);
  } catch {
    // no shared captures here
  }
  it.skipIf(files.length === 0)(`every shared capture (${files.length})`, async () => {
    for (const f of files) {
      try {
        await same([f]);
      } catch (e) {
        throw new Error(`${f}: ${(e as Error).message}`.slice(0, 3000));
      }
    }
  });
});
