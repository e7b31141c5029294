/**
 * The report's numbers over hand-built spools, each figure computed by hand from the rows below
 * (definitions: src/analytics/definitions.ts, README "Analytics").
 */
import { describe, expect, it } from 'vitest';
import { computeReport } from '../../src/analytics/compute';
import type { DialogueRecord, TunnelRecord } from '../../src/correlate/record';
import { buildSpool, dlg, lu, MIN, RNA_DIAMETER, RNA_MAP, S, T0, tun } from './spoolBuild';

const FR1 = ['FR', '208', '01'] as const;
const FR10 = ['FR', '208', '10'] as const;
const FR20 = ['FR', '208', '20'] as const;
const IT1 = ['IT', '222', '01'] as const;
const ES7 = ['ES', '214', '07'] as const;
const DE = { homeMcc: '262', homeMnc: '01' };
const ULR_OK: Partial<DialogueRecord> = { protocol: 'diameter', procedure: 'ULR', opcode: 316, status: 'ok', resultCode: 2001, resultSource: 'result' };

/** The roaming world: location updates, SAI latencies, tunnels. */
function world(): { dialogues: DialogueRecord[]; tunnels: TunnelRecord[] } {
  const at = (m: number, s = 0) => T0 + m * MIN + s * S;
  const d: DialogueRecord[] = [
    lu(at(1), 'A', 'ES', ...FR1),
    lu(at(30), 'A', 'ES', ...FR1),
    lu(at(1), 'A2', 'ES', ...FR1),
    lu(at(40), 'A2', 'ES', ...IT1), // A2's last successful LU: ES → IT
    lu(at(2), 'B', 'ES', ...FR10),
    lu(at(3), 'C', 'ES', ...ES7), // domestic
    lu(at(4), 'D', 'DE', ...FR1, DE),
    lu(at(5), 'E', 'DE', ...FR1, { ...DE, status: 'error', resultCode: 1, resultName: 'unknownSubscriber' }),
    lu(at(6), 'F', 'ES', null, null, null), // visited country unknown
    lu(at(7), 'G', 'FR', ...ES7, { homeMcc: '208', homeMnc: '01' }), // inbound to 214-07
    // SoR: RNA then a successful LU elsewhere
    lu(at(10), 'S1', 'ES', ...FR1, RNA_MAP),
    lu(at(20), 'S1', 'ES', ...FR10), // exactly 600 s later: steered
    lu(at(10), 'S2', 'ES', ...FR1, RNA_MAP),
    lu(at(20, 1), 'S2', 'ES', ...FR10), // 601 s: not steered
    lu(at(10), 'S3', 'ES', ...FR1, RNA_MAP),
    lu(at(11), 'S3', 'ES', ...FR1), // same visited network: not steered
    lu(at(12), 'S4', 'ES', ...FR1, RNA_DIAMETER),
    lu(at(12, 5), 'S4', 'ES', ...FR20, ULR_OK), // Diameter: steered
    lu(at(13), 'S5', 'ES', ...FR1, { ...RNA_DIAMETER, resultSource: 'result' }), // 5004 as Result-Code is not RNA
    lu(at(14), 'S6', 'ES', ...FR1, RNA_MAP),
    lu(at(15), 'S6', 'ES', ...IT1), // steered (counted under ES → FR, where the RNA was)
  ];
  // latency: 7 SAI towards Orange FR (10..70 ms), 3 towards 208-10 without an operator (5, 1, 3 ms), one timeout
  for (let i = 1; i <= 7; i++) {
    d.push(dlg(at(50, i), { procedure: 'sendAuthenticationInfo', opcode: 56, latencyUs: i * 10_000, visitedOperator: 'Orange FR', visitedCountry: 'FR' }));
  }
  for (const ms of [5, 1, 3]) d.push(dlg(at(51, ms), { procedure: 'sendAuthenticationInfo', opcode: 56, latencyUs: ms * 1000, visitedMcc: '208', visitedMnc: '10' }));
  d.push(dlg(at(52), { procedure: 'sendAuthenticationInfo', opcode: 56, status: 'timeout', endReason: 'idle_timeout', rspTimeUs: null, latencyUs: null }));
  const t: TunnelRecord[] = [
    tun(at(45), 'A', { setupDelayUs: 1000 }),
    tun(at(45), 'C', { setupDelayUs: 2000, homeCountry: 'ES', visitedCountry: 'ES' }),
    tun(at(46), 'S1', { setupDelayUs: 3000, durationUs: 10 * MIN }),
    tun(at(55), 'S2', { setupDelayUs: 4000 }),
    tun(at(46), 'S4', { setupDelayUs: 5000 }),
    tun(at(47), 'Z', { setupDelayUs: 6000, packetsUp: 0, packetsDown: 0, bytesUp: 0, bytesDown: 0 }), // accepted, no user data
    tun(at(47), 'B', { setupDelayUs: 100_000, createCause: 73, endReason: 'create_rejected', durationUs: null, endTimeUs: null, deleteCause: null, packetsUp: 0, packetsDown: 0, bytesUp: 0, bytesDown: 0 }),
  ];
  return { dialogues: d, tunnels: t };
}

const byPair = <T extends { home_country: string | null; visited_country: string | null }>(xs: T[]) =>
  Object.fromEntries(xs.map((x) => [`${x.home_country}>${x.visited_country}`, x]));

describe('report over a hand-built spool', () => {
  const w = world();
  const file = buildSpool(w.dialogues, w.tunnels);
  const r = computeReport({ files: [file] });

  it('period and records', () => {
    expect(r.period.from).toBe('2026-12-07T10:01:00Z'); // start of the minute of the first record
    expect(r.period.to_us).toBe(T0 + 55 * MIN + 1); // just after the last (S2's tunnel)
    expect(r.records).toEqual({ dialogues: w.dialogues.length, tunnels: 7 });
    expect(r.distinct).toBe('exact');
    expect(r.summary.devices).toBe(14); // A A2 B C D E F G S1..S6
  });

  it('roaming matrix: distinct devices with a successful LU per pair, share of the home country', () => {
    const m = byPair(r.matrix);
    // ES devices with a successful LU: A A2 B C F S1 S2 S3 S4 S6 = 10 (F's visited country is unknown)
    expect(m['ES>FR']).toEqual({ home_country: 'ES', visited_country: 'FR', devices: 7, share: 7 / 10 }); // A A2 B S1 S2 S3 S4
    expect(m['ES>IT']).toEqual({ home_country: 'ES', visited_country: 'IT', devices: 2, share: 2 / 10 }); // A2 S6
    expect(m['ES>ES']).toEqual({ home_country: 'ES', visited_country: 'ES', devices: 1, share: 1 / 10 }); // C
    expect(m['DE>FR']).toEqual({ home_country: 'DE', visited_country: 'FR', devices: 1, share: 1 }); // D (E failed)
    expect(m['FR>ES']).toEqual({ home_country: 'FR', visited_country: 'ES', devices: 1, share: 1 }); // G
    expect(r.matrix).toHaveLength(5);
    expect(r.matrix[0]).toMatchObject({ home_country: 'ES', visited_country: 'FR' }); // top pair first
    expect(r.matrix_summary).toEqual({ devices: 12, unknown_devices: 1, domestic_devices: 1, domestic_share: 1 / 12 });
  });

  it('steering of roaming: RNA (MAP 8, Diameter experimental 5004), steered within 600 s inclusive', () => {
    const s = byPair(r.sor);
    expect(s['ES>FR']).toEqual({ home_country: 'ES', visited_country: 'FR', devices: 9, devices_rna: 5, share_rna: 5 / 9, steered: 3 });
    expect(s['ES>IT']).toEqual({ home_country: 'ES', visited_country: 'IT', devices: 2, devices_rna: 0, share_rna: 0, steered: 0 });
    expect(s['ES>ES']).toMatchObject({ devices: 1, devices_rna: 0, steered: 0 });
    expect(s['DE>FR']).toMatchObject({ devices: 2, devices_rna: 0, steered: 0 }); // D, E (an attempt)
    // a window of 601 s steers S2 too
    const r601 = computeReport({ files: [file], sorWindowSeconds: 601 });
    expect(byPair(r601.sor)['ES>FR'].steered).toBe(4);
    const r599 = computeReport({ files: [file], sorWindowSeconds: 599 });
    expect(byPair(r599.sor)['ES>FR'].steered).toBe(2); // S4 (5 s), S6 (60 s)
  });

  it('silent roamers under the pair of the last successful LU; zero-byte tunnels', () => {
    // successful LU: A A2 B C D F G S1 S2 S3 S4 S6; accepted tunnels: A C S1 S2 S4 (Z has no LU; B was rejected)
    expect(byPair(r.silent_roamers)).toEqual({
      'ES>FR': { home_country: 'ES', visited_country: 'FR', devices: 2 }, // B, S3
      'ES>IT': { home_country: 'ES', visited_country: 'IT', devices: 2 }, // A2 (last LU in IT), S6
      'DE>FR': { home_country: 'DE', visited_country: 'FR', devices: 1 }, // D
      'FR>ES': { home_country: 'FR', visited_country: 'ES', devices: 1 }, // G
    });
    expect(r.silent_roamers_unknown).toBe(1); // F
    expect(r.zero_byte_tunnels).toEqual([{ home_country: 'ES', visited_country: 'FR', tunnels: 1 }]); // Z
    // S2's tunnel (created at +55 min) is outside a period ending at +50 min: S2 becomes silent
    const early = computeReport({ files: [file], fromUs: T0, toUs: T0 + 50 * MIN });
    expect(byPair(early.silent_roamers)['ES>FR'].devices).toBe(3);
    expect(early.data_sessions.creates).toBe(6);
  });

  it('data sessions: creates, accepted, nearest-rank setup delay, user-plane totals', () => {
    const ds = r.data_sessions;
    expect(ds.creates).toBe(7);
    expect(ds.accepted).toBe(6);
    // accepted setup delays 1..6 ms: p50 = rank 3, p95 = rank ceil(5.7) = 6, p99 = rank 6; the rejected 100 ms is out
    expect(ds.setup_delay_ms).toEqual({ p50: 3, p95: 6, p99: 6 });
    expect({ pu: ds.packets_up, pd: ds.packets_down, bu: ds.bytes_up, bd: ds.bytes_down }).toEqual({ pu: 5, pd: 5, bu: 500, bd: 1000 });
    expect(ds.by_partner_apn).toEqual([{ partner: 'Orange FR', apn: 'internet', creates: 7, accepted: 6, success_rate: 6 / 7 }]);
    // durations: five of 60 s, one of 600 s → p50 = 60, p95 = p99 = 600
    expect(ds.duration_s).toEqual({ p50: 60, p95: 600, p99: 600 });
    expect(ds.ends.find((e) => e.end_reason === 'create_rejected')).toMatchObject({ tunnels: 1, delete_cause: null });
    expect(ds.ends.find((e) => e.end_reason === 'delete')).toMatchObject({ tunnels: 6, delete_cause: 16, cause_name: 'Request accepted' });
  });

  it('latency: nearest-rank percentiles per procedure and partner', () => {
    const sai = r.latency.filter((l) => l.procedure === 'sendAuthenticationInfo');
    expect(sai).toEqual([
      { protocol: 'map', procedure: 'sendAuthenticationInfo', partner: 'Orange FR', dialogues: 7, p50_ms: 40, p95_ms: 70, p99_ms: 70 },
      { protocol: 'map', procedure: 'sendAuthenticationInfo', partner: '208-10', dialogues: 3, p50_ms: 3, p95_ms: 5, p99_ms: 5 },
    ]);
  });

  it('traffic, errors and error rates', () => {
    const hour = '2026-12-07T10:00:00Z';
    expect(r.traffic).toEqual([
      { hour, protocol: 'diameter', procedure: 'ULR', dialogues: 3 },
      { hour, protocol: 'map', procedure: 'sendAuthenticationInfo', dialogues: 11 },
      { hour, protocol: 'map', procedure: 'updateLocation', dialogues: 18 },
    ]);
    expect(r.errors).toEqual([
      { hour, protocol: 'diameter', result: 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED', dialogues: 2 },
      { hour, protocol: 'map', result: 'roamingNotAllowed', dialogues: 4 },
      { hour, protocol: 'map', result: 'timeout', dialogues: 1 },
      { hour, protocol: 'map', result: 'unknownSubscriber', dialogues: 1 },
    ]);
    const rate = Object.fromEntries(r.error_rates.map((e) => [e.procedure, e]));
    expect(rate.updateLocation).toMatchObject({ dialogues: 18, failed: 5, error_rate: 5 / 18 });
    expect(rate.ULR).toMatchObject({ dialogues: 3, failed: 2 });
    expect(rate.sendAuthenticationInfo).toMatchObject({ dialogues: 11, failed: 1 });
    // map devices in the hour: A A2 B C D E F G S1 S2 S3 S6 with 2 2 1 1 1 1 1 1 2 2 2 2 dialogues:
    // mean 18 / 12 = 1.5, variance 30 / 12 − 1.5² = 0.25
    const rpd = r.records_per_device.find((x) => x.protocol === 'map');
    expect(rpd?.devices).toBe(12);
    expect(rpd?.mean).toBe(1.5);
    expect(rpd?.sd).toBe(0.5);
    expect(r.devices).toEqual([
      { day: '2026-12-07', protocol: 'diameter', devices: 2 },
      { day: '2026-12-07', protocol: 'map', devices: 12 },
    ]);
  });

  it('inbound / outbound with the customers named', () => {
    const c = computeReport({ files: [file], customers: ['214-07'] });
    // outbound: home 214-07 (every ES device here), visited known and not a customer's: A A2 B S1..S6 (F unknown, C at home);
    // inbound: G (home 208-01 in 214-07); D and E (262-01 in 208-01) are neither
    expect(c.inbound_outbound).toEqual([{ day: '2026-12-07', inbound: 1, outbound: 9 }]);
  });

  it('several spool files: the same numbers, distinct devices exact across files', () => {
    const half = Math.floor(w.dialogues.length / 2);
    // A's two LUs land in different files
    const a = buildSpool(w.dialogues.slice(0, half), w.tunnels.slice(0, 3), 'a.db');
    const b = buildSpool(w.dialogues.slice(half), w.tunnels.slice(3), 'b.db');
    const both = computeReport({ files: [a, b] });
    for (const k of ['matrix', 'sor', 'silent_roamers', 'data_sessions', 'latency', 'traffic', 'errors', 'devices', 'summary'] as const) {
      expect(both[k], k).toEqual(r[k]);
    }
  });
});
