/**
 * `sigprobe gen --scenario roaming`: a device population (home / visited PLMNs, steering of
 * roaming, silent roamers, hourly IoT bursts, data sessions with GTP-U user plane) and its
 * planted truth.
 *  - the capture replays through the probe's pipeline to exactly its dialogue truth and its
 *    tunnel truth (pattern of test/dispatch/generatedGolden.test.ts);
 *  - x.roaming.json equals what a plain reading of the definitions gives from the truth lines
 *    (recomputed in roamingHelpers.ts, apart from the generator), and its numbers make sense:
 *    shares per home country sum to 1, steered ≤ RNA ≤ devices, storms only at minute :00,
 *    silent roamers, zero-byte tunnels, late and never-steered RNA devices all present;
 *  - the truth lines' request times are the capture's packet times; the networks file lists
 *    every operator with its GT prefix and realm;
 *  - tshark decodes a sample cleanly and the oracle agrees with its dialogue truth.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/gen';
import type { TunnelRecord } from '../../src/correlate/record';
import { replayRecords } from '../helpers/replay';
import { readPcapRecords } from '../helpers/pcapRecords';
import { diffTruthOracle, oracleRows, readTruth } from './helpers';
import { tsharkIpCheck } from './ipHelpers';
import { MCC_COUNTRY, RoamingTruthLine, RoamingTunnelLine, jsonl, recompute } from './roamingHelpers';

const DIR = mkdtempSync(join(tmpdir(), 'sigprobe-roaming-'));
const KEYS = ['protocol', 'req_frame', 'rsp_frame', 'opcode', 'procedure', 'status', 'result_code', 'imsi', 'latency_us'] as const;
const TK = ['protocol', 'imsi', 'apn', 'create_frame', 'end_frame', 'setup_delay_us', 'duration_us', 'create_cause', 'delete_cause', 'end_reason'] as const;

function run(name: string, devices: number, hours: number, seed: number) {
  const out = join(DIR, `${name}.pcap`);
  const s = generate({ out, seed, dialogues: 0, scenario: 'roaming', devices, hours });
  return {
    s,
    out,
    truth: jsonl<RoamingTruthLine>(s.truthPath),
    tunnels: jsonl<RoamingTunnelLine>(s.tunnelsPath!),
    roaming: JSON.parse(readFileSync(s.roamingPath!, 'utf8')),
    networks: readFileSync(s.networksPath!, 'utf8'),
  };
}

describe('roaming scenario: the capture replays to its truth', () => {
  const g = run('golden', 600, 2.2, 5);

  it('dialogues and tunnels (frames, outcomes, IMSIs, latencies, setup delays, durations)', () => {
    const tunnels: TunnelRecord[] = [];
    const { records, pipeline } = replayRecords([g.out], {
      tunnelSink: { writeTunnel: (t) => tunnels.push(t) },
      gtp: { transactions: { inheritFromTunnel: false } },
    });
    const ours = records
      .filter((r) => !r.orphan && r.endReason !== 'unidirectional')
      .map((r) => JSON.stringify([r.protocol, r.reqFrame, r.rspFrame, r.opcode, r.procedure, r.status, r.resultCode, r.imsi, r.latencyUs]))
      .sort();
    const want = g.truth.map((o) => JSON.stringify(KEYS.map((k) => o[k]))).sort();
    expect(ours.length).toBe(want.length);
    expect(ours).toEqual(want);
    const gotT = tunnels.map((t) => JSON.stringify([t.protocol, t.imsi, t.apn, t.createFrame, t.endFrame, t.setupDelayUs, t.durationUs, t.createCause, t.deleteCause, t.endReason])).sort();
    const wantT = g.tunnels.map((o) => JSON.stringify(TK.map((k) => o[k]))).sort();
    expect(gotT).toEqual(wantT);
    // GTP-U: per tunnel the G-PDUs and T-PDU octets in each direction, as planted
    const byFrame = (a: unknown[][]) => a.sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(byFrame(tunnels.map((t) => [t.createFrame, t.packetsUp, t.packetsDown, t.bytesUp, t.bytesDown]))).toEqual(
      byFrame(g.tunnels.map((t) => [t.create_frame, t.packets_up, t.packets_down, t.bytes_up, t.bytes_down])),
    );
    expect(pipeline.counters.anomalyList().filter((a) => !['correlate', 'diameter', 'gtpv1', 'gtpv2'].includes(a.layer) || a.reason.includes('truncated') || a.reason.includes('bad_'))).toEqual([]);
  });

  it('x.roaming.json is what the definitions give from the truth lines', () => {
    const r = recompute(g.truth, g.tunnels);
    expect(g.roaming.matrix).toEqual(r.matrix);
    expect(g.roaming.sor).toEqual(r.sor);
    expect(g.roaming.silent_roamers).toEqual(r.silent_roamers);
    expect(g.roaming.zero_byte_tunnels).toEqual(r.zero_byte_tunnels);
    expect(g.roaming.storms).toEqual(r.storms);
    expect(g.roaming.data_sessions).toEqual(r.data_sessions);
    expect(g.roaming.dialogues).toBe(g.truth.length);
    const tb = g.tunnels.filter((t) => t.end_reason !== 'create_rejected').map((t) => ({
      protocol: t.protocol, imsi: t.imsi, create_frame: t.create_frame, packets_up: t.packets_up, packets_down: t.packets_down, bytes_up: t.bytes_up, bytes_down: t.bytes_down,
    }));
    expect([...g.roaming.tunnels_bytes].sort((a, b) => a.create_frame - b.create_frame)).toEqual(tb.sort((a, b) => a.create_frame - b.create_frame));
  });

  it('the planted numbers hold together', () => {
    const R = g.roaming;
    // a device counts in every pair it registered in: the shares of a home country sum to 1 plus
    // its travellers' second countries (devices with successful LUs in two countries)
    const byHome = new Map<string, number>();
    for (const m of R.matrix) byHome.set(m.home_country, (byHome.get(m.home_country) ?? 0) + m.share);
    expect(byHome.size).toBeGreaterThanOrEqual(8);
    const countries = new Map<string, Set<string>>();
    for (const t of g.truth) {
      if (t.status !== 'ok' || !['updateLocation', 'updateGprsLocation', 'ULR'].includes(t.procedure)) continue;
      (countries.get(t.imsi!) ?? countries.set(t.imsi!, new Set()).get(t.imsi!)!).add(MCC_COUNTRY[t.visited_mcc!]);
    }
    const travellers = [...countries.values()].filter((c) => c.size === 2).length;
    expect([...countries.values()].every((c) => c.size <= 2)).toBe(true);
    expect(travellers).toBe(R.planted.travellers);
    expect(travellers).toBeGreaterThan(5);
    for (const s of byHome.values()) expect(s).toBeGreaterThanOrEqual(0.999);
    const homeDevices = new Map<string, number>();
    for (const [imsi] of countries) homeDevices.set(MCC_COUNTRY[imsi.slice(0, 3)], (homeDevices.get(MCC_COUNTRY[imsi.slice(0, 3)]) ?? 0) + 1);
    const sumShares = [...byHome.entries()].reduce((a, [h, s]) => a + s * homeDevices.get(h)!, 0);
    expect(sumShares).toBeCloseTo(countries.size + travellers, 0);
    for (const m of R.matrix) expect(m.home_country).not.toBe(m.visited_country);
    let rna = 0;
    let steered = 0;
    for (const s of R.sor) {
      expect(s.steered).toBeLessThanOrEqual(s.devices_rna);
      expect(s.devices_rna).toBeLessThanOrEqual(s.devices);
      rna += s.devices_rna;
      steered += s.steered;
    }
    expect(steered).toBeGreaterThan(10);
    // RNA'd devices that were not steered: gave up, registered after the window, or accepted by the same network
    expect(rna - steered).toBeGreaterThan(3);
    expect(R.planted.rna_late + R.planted.rna_giveUp + R.planted.rna_forced).toBeGreaterThan(3);
    expect(R.silent_roamers.reduce((a: number, x: { devices: number }) => a + x.devices, 0)).toBeGreaterThan(10);
    expect(R.data_sessions.zero_byte_tunnels).toBeGreaterThan(5);
    expect(R.data_sessions.accepted).toBeLessThan(R.data_sessions.creates);
    expect(R.data_sessions.bytes_down).toBeGreaterThan(R.data_sessions.bytes_up);
    // storms: exactly the tops of the hours at least 10 minutes into the period
    const first = Date.parse(R.period.from);
    const hours: string[] = [];
    for (let h = Math.ceil(first / 3600e3) * 3600e3; h < Date.parse(R.period.to); h += 3600e3) if (h - first >= 10 * 60e3) hours.push(new Date(h).toISOString());
    expect(hours.length).toBe(2);
    expect(R.storms.map((s: { minute: string }) => s.minute)).toEqual(hours);
    for (const s of R.storms) expect(s.ratio).toBeGreaterThan(3);
  });

  it('truth request times are the packet times; networks file has every operator', () => {
    const recs = readPcapRecords(g.out);
    for (const t of g.truth) expect(t.req_time_us).toBe(recs[t.req_frame - 1].tsUs);
    // device_imsi: the request's IMSI, else (GTP Update / Delete) that of a tunnel created before
    const tunnelImsis = new Set(g.tunnels.map((t) => t.imsi));
    for (const t of g.truth) {
      if (t.imsi !== null) expect(t.device_imsi).toBe(t.imsi);
      else if (t.protocol === 'gtpv1' || t.protocol === 'gtpv2') expect(tunnelImsis.has(t.device_imsi!)).toBe(true);
      else expect(t.device_imsi).toBeNull();
    }
    for (const t of g.tunnels.filter((x) => x.end_reason === 'delete')) expect(g.truth.find((x) => x.rsp_frame === t.end_frame || x.req_frame === t.end_frame)!.device_imsi).toBe(t.imsi);
    for (const t of g.tunnels) expect(t.create_time_us).toBe(recs[t.create_frame - 1].tsUs);
    const names = [...g.networks.matchAll(/- name: "([^"]+)"/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(20);
    expect(g.networks).toMatch(/realms: \["epc\.mnc007\.mcc214\.3gppnetwork\.org"\]/);
    expect(g.networks).toMatch(/gt_prefixes: \["34609"\]/);
    // every LU's planted visited network is an operator of the file
    const mccmnc = new Set([...g.networks.matchAll(/mcc: "(\d+)"\n\s+mnc: "(\d+)"/g)].map((m) => m[1] + m[2]));
    for (const t of g.truth) if (t.visited_mcc !== null) expect(mccmnc.has(t.visited_mcc + t.visited_mnc)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = run('det-a', 80, 1.2, 9);
    const b = run('det-b', 80, 1.2, 9);
    expect(readFileSync(a.out).equals(readFileSync(b.out))).toBe(true);
    expect(readFileSync(a.s.truthPath).equals(readFileSync(b.s.truthPath))).toBe(true);
    expect(a.roaming).toEqual(b.roaming);
  });
});

describe('roaming scenario: tshark and the oracle', () => {
  it('a sample decodes cleanly and the oracle agrees with the dialogue truth', async () => {
    const g = run('oracle', 150, 1.2, 21);
    const check = await tsharkIpCheck(g.out, ['gtp.message']);
    expect(check.frames).toBe(g.s.packets);
    expect(check.badChecksum).toEqual([]);
    expect(check.warnOrError).toEqual([]);
    // G-PDUs on the wire (message type 255)
    expect(check.values.filter((v) => v['gtp.message'] === '0xff').length).toBe(g.roaming.data_sessions.packets_up + g.roaming.data_sessions.packets_down);
    const diffs = diffTruthOracle(readTruth(g.s.truthPath), await oracleRows(g.out));
    expect(diffs).toEqual([]);
  });
});
