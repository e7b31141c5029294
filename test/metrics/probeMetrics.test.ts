import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PcapReader } from '../../src/capture/pcapReader';
import { IdentityProtector } from '../../src/correlate/identities';
import type { DialogueRecord, TunnelRecord } from '../../src/correlate/record';
import { Pipeline } from '../../src/dispatch/pipeline';
import { ProbeMetrics, type MetricSources } from '../../src/metrics/probeMetrics';
import { startMetricsServer } from '../../src/metrics/server';
import { SHARED } from '../helpers/oracle';

describe('probe metrics', () => {
  it('exposes packets, anomalies, dialogues, latency, pending and kernel drops with HELP text', async () => {
    const sources = { captureStats: () => ({ received: 17, dropped: 0, ifDropped: 0 }) } as unknown as MetricSources;
    const m = new ProbeMetrics(sources, { site: 'mad1', source: 'ens2f0' }, false);
    const got: DialogueRecord[] = [];
    const sink = m.sink({ write: (r) => got.push(r), writeTunnel: (_t: TunnelRecord) => undefined });
    const p = new Pipeline(sink, new IdentityProtector('raw', null), { site: 'mad1', tunnelSink: sink });
    sources.pipeline = p;
    const r = PcapReader.open(join(SHARED, 'tools/selftest/map-synthetic.pcap'));
    const f = p.onPacket.bind(p);
    while (r.read(f, 1000) > 0);
    r.close();
    p.finish('capture_end');
    expect(got.length).toBe(7);
    const server = await startMetricsServer('127.0.0.1:0', () => m.text(), m.registry.contentType);
    const port = (server.address() as { port: number }).port;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    server.close();
    expect(text).toMatch(/# HELP sigprobe_packets_total Packets received/);
    expect(text).toContain('sigprobe_packets_total{link="ens2f0",site="mad1"} 17');
    expect(text).toContain('sigprobe_kernel_packets{link="ens2f0",kind="dropped",site="mad1"} 0');
    expect(text).toContain('sigprobe_dialogues_total{protocol="map",procedure="sendAuthenticationInfo",status="error",site="mad1"} 1');
    expect(text).toContain('sigprobe_dialogues_total{protocol="map",procedure="updateLocation",status="ok",site="mad1"} 2');
    expect(text).toContain('sigprobe_dialogues_closed_total{protocol="map",reason="capture_end",site="mad1"} 1');
    // Both updateLocation dialogues took ≤ 50 ms (50 and 45 ms in the capture), none ≤ 25 ms.
    const bucket = (le: string) =>
      text.split('\n').find((l) => l.startsWith('sigprobe_dialogue_latency_seconds_bucket{') && l.includes(`le="${le}"`) && l.includes('procedure="updateLocation"'));
    expect(bucket('0.05')).toMatch(/ 2$/);
    expect(bucket('0.025')).toMatch(/ 0$/);
    expect(text).toContain('sigprobe_pending_dialogues{protocol="tcap",site="mad1"} 0');
    expect(text).toContain('sigprobe_decoded_total{layer="tcap",site="mad1"} 17');
    // every metric has HELP text
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((x) => x[1]);
    for (const n of names) expect(text).toMatch(new RegExp(`# HELP ${n} \\S`));
  });
});
