// Device features of hand-built spools against hand-computed values, every group; the session
// rules at their edges (29.9 s joins, 30.0 s / 30.1 s do not, a delete ends a session, a tunnel's
// messages stay in its session); the reject mapping per protocol.
import { describe, expect, it } from 'vitest';
import { FEATURE_GROUPS, FEATURE_NAMES, FeatureVector } from '../../../src/analytics/profiles/features';
import { openSpoolReadOnly, resolvePeriod, spoolDevices } from '../../../src/analytics/profiles/spoolSource';
import { GTP, SAI_SGSN, SAI_VLR, T0, UL, spoolOf, type Rec } from './helpers';

function features(rows: Rec[], period?: { from: number; to: number }): Map<string, Record<string, number | null>> {
  const path = spoolOf(rows);
  const db = openSpoolReadOnly(path);
  const p = resolvePeriod(db, { fromUs: period ? T0 + period.from * 1e6 : null, toUs: period ? T0 + period.to * 1e6 : null });
  const out = new Map<string, Record<string, number | null>>();
  for (const d of spoolDevices(db, p)) out.set(d.device, named(d.features));
  db.close();
  return out;
}

function named(f: FeatureVector): Record<string, number | null> {
  return Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, f[i]]));
}

function hasColumn(col: string): boolean {
  const path = spoolOf([]);
  const db = openSpoolReadOnly(path);
  const ok = (db.prepare('PRAGMA table_info(dialogues)').all() as { name: string }[]).some((c) => c.name === col);
  db.close();
  return ok;
}

/** population mean and sd of hand-listed values */
function msd(v: number[]): [number, number] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return [m, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length)];
}

// Device A (times in s after T0, a whole minute):
//   0 SAI (VLR V1) ok | 10 UL V1 roamingNotAllowed | 20 Create ok (TEIDs 100/200, 214-07 ES, cell c1)
//   100 Update (TEID 200) ok, cell c2 | 160 Update error 204 | 200 Delete ok   → session 1 (6 dialogues)
//   210 SAI (SGSN S1) ok → session 2 (the delete ended session 1)
//   250 mt-ForwardSM idle timeout | 259.9 UL V2 ok (208-01 FR) → session 3
//   300 SAI V1 capture_end (unknown) → session 4 (40.1 s after 259.9)
const A = 'devA';
const deviceA: Rec[] = [
  SAI_VLR(A, 0, 'V1'),
  UL(A, 10, 'V1', { status: 'error', resultCode: 8, resultName: 'roamingNotAllowed' }),
  GTP(A, 20, 'CreatePDPContext', { reqCtrlTeid: 100, rspCtrlTeid: 200, visitedMcc: '214', visitedMnc: '07', visitedCountry: 'ES', cellId: 'c1' }),
  GTP(A, 100, 'UpdatePDPContext', { teid: 200, visitedMcc: '214', visitedMnc: '07', visitedCountry: 'ES', cellId: 'c2' }),
  GTP(A, 160, 'UpdatePDPContext', { teid: 200, status: 'error', resultCode: 204, visitedMcc: '214', visitedMnc: '07', visitedCountry: 'ES' }),
  GTP(A, 200, 'DeletePDPContext', { teid: 200, visitedMcc: '214', visitedMnc: '07', visitedCountry: 'ES' }),
  SAI_SGSN(A, 210, 'S1'),
  { imsi: A, at: 250, procedure: 'mt-ForwardSM', opcode: 44, calledSsn: 8, calledGt: 'M1', status: 'timeout', endReason: 'idle_timeout', rspTimeUs: null, latencyUs: null },
  UL(A, 259.9, 'V2', { visitedMcc: '208', visitedMnc: '01', visitedCountry: 'FR' }),
  SAI_VLR(A, 300, 'V1', { status: 'timeout', endReason: 'capture_end', rspTimeUs: null, latencyUs: null }),
];

describe('device features, hand-built spool', () => {
  const f = features(deviceA, { from: 0, to: 600 }).get(A)!;

  it('has every group and name', () => {
    expect(Object.keys(FEATURE_GROUPS)).toEqual(['overall', 'activity', 'message_types', 'sessions', 'mobility', 'longitudinal']);
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURE_NAMES.length);
    expect(f).toBeDefined();
  });

  it('overall', () => {
    expect([f.n, f.n_sigtran, f.n_diameter, f.n_gtp, f.n_success, f.n_errors, f.n_rejects, f.n_unknown]).toEqual([10, 6, 0, 4, 6, 2, 1, 1]);
    expect([f.pct_sigtran, f.pct_diameter, f.pct_gtp, f.pct_success, f.pct_errors, f.pct_rejects, f.pct_unknown]).toEqual([60, 0, 40, 60, 20, 10, 10]);
  });

  it('device activity', () => {
    expect(f.total_activity_in_minutes).toBeCloseTo(5, 9);
    expect(f.active_minutes).toBe(6); // minutes 0, 1, 2, 3, 4, 5
    expect(f.active_pdp_minutes).toBeCloseTo(3, 9); // 20 s → 200 s
    expect(f.relative_activity).toBeCloseTo(0.6, 9); // 6 of the period's 10 minutes
    expect(f.relative_pdp_activity).toBeCloseTo(0.3, 9);
  });

  it('message types', () => {
    expect([f.pct_sai_vlr, f.pct_sai_vlr_success, f.pct_sai_vlr_error, f.pct_sai_vlr_reject]).toEqual([20, 50, 0, 0]);
    expect([f.pct_sai_sgsn, f.pct_sai_sgsn_success]).toEqual([10, 100]);
    expect([f.pct_ul, f.pct_ul_success, f.pct_ul_error, f.pct_ul_reject]).toEqual([20, 50, 0, 50]);
    expect([f.pct_sms, f.pct_sms_success, f.pct_sms_error, f.pct_sms_reject]).toEqual([10, 0, 100, 0]);
    expect([f.pct_pdp_create, f.pct_pdp_create_success]).toEqual([10, 100]);
    expect([f.pct_pdp_update, f.pct_pdp_update_success, f.pct_pdp_update_error]).toEqual([20, 50, 50]);
    expect([f.pct_pdp_delete, f.pct_pdp_delete_success]).toEqual([10, 100]);
    expect([f.pct_ul_gprs, f.pct_ul_gprs_success, f.pct_cl_vlr, f.pct_air, f.pct_gtpv2_create, f.pct_other]).toEqual([0, null, 0, 0, 0, 0]);
    expect([f.n_contexts_total, f.n_contexts_valid, f.pct_contexts_valid]).toEqual([1, 1, 100]);
  });

  it('sessions', () => {
    expect(f.n_sessions).toBe(4);
    expect(f.pct_sessions_with_sai).toBe(75);
    expect(f.pct_sessions_with_pdp).toBe(25);
    expect(f.pct_sessions_without_pdp).toBe(75);
    expect(f.top_90pct_sessions).toBe(6); // sizes 1, 1, 2, 6: rank ceil(3.6) = 4
    expect(f.top_99pct_sessions).toBe(6);
    expect(f.mean_number_of_messages_per_session).toBe(2.5);
    expect(f.pct_of_sais_alone).toBeCloseTo(200 / 3, 9); // SAIs at 210 and 300 alone, the one at 0 not
  });

  it('mobility', () => {
    expect([f.n_vlr_unique, f.n_vlr_valid, f.n_vlr_changes]).toEqual([2, 4, 2]); // V1 V1 V2 V1
    expect([f.n_sgsn_unique, f.n_sgsn_valid, f.n_sgsn_changes]).toEqual([1, 1, 0]);
    expect([f.n_operator_unique, f.n_operator_valid, f.n_operator_changes]).toEqual([2, 5, 1]); // 214-07 ×4, 208-01
    expect([f.n_country_unique, f.n_country_valid, f.n_country_changes]).toEqual([2, 5, 1]);
    if (hasColumn('cell_id')) expect([f.n_ci_unique, f.n_ci_valid, f.n_ci_changes]).toEqual([2, 2, 1]);
    else expect([f.n_ci_unique, f.n_ci_valid, f.n_ci_changes]).toEqual([0, 0, 0]);
  });

  it('longitudinal', () => {
    expect([f.context_duration_mean, f.context_duration_sd]).toEqual([180, 0]);
    expect(f.dt_update_mean).toBeCloseTo(70, 9); // 80, 60
    expect(f.dt_update_sd).toBeCloseTo(10, 9);
    const [im, isd] = msd([10, 10, 80, 60, 40, 9.9]);
    expect(f.iat_in_session_mean).toBeCloseTo(im, 6);
    expect(f.iat_in_session_sd).toBeCloseTo(isd, 6);
    const [sm, ssd] = msd([210, 40, 50]);
    expect(f.session_iat_mean).toBeCloseTo(sm, 6);
    expect(f.session_iat_sd).toBeCloseTo(ssd, 6);
    expect([f.session_iat_pdp_mean, f.session_iat_pdp_sd]).toEqual([null, null]); // one PDP session
    expect(f.session_iat_sig_mean).toBeCloseTo(45, 6); // 210 → 250 → 300
    expect(f.session_iat_sig_sd).toBeCloseTo(5, 6);
  });
});

describe('session rules at their edges', () => {
  it('29.9 s joins, 30.0 s and 30.1 s start a new session', () => {
    const m = features([
      SAI_VLR('b', 0), UL('b', 29.9), SAI_VLR('b', 60), // 29.9 joins; 30.1 after 29.9 does not
      SAI_VLR('c', 0), UL('c', 30), // exactly 30 s: new session
    ]);
    expect(m.get('b')!.n_sessions).toBe(2);
    expect(m.get('b')!.iat_in_session_mean).toBeCloseTo(29.9, 9);
    expect(m.get('b')!.pct_of_sais_alone).toBe(50);
    expect(m.get('c')!.n_sessions).toBe(2);
  });

  it('a delete ends its session; the next dialogue 5 s later starts a new one', () => {
    const m = features([GTP('d', 0, 'CreateSession', { reqCtrlTeid: 1, rspCtrlTeid: 2 }), GTP('d', 10, 'DeleteSession', { teid: 2 }), SAI_VLR('d', 15)]);
    const d = m.get('d')!;
    expect(d.n_sessions).toBe(2);
    expect([d.pct_sessions_with_pdp, d.n_contexts_valid, d.context_duration_mean]).toEqual([50, 1, 10]);
    expect([d.pct_gtpv2_create, d.pct_gtpv2_delete]).toEqual([100 / 3, 100 / 3]);
  });

  it("a tunnel's update and delete stay in its session across long gaps; a MAP dialogue between them does not join", () => {
    const m = features([
      GTP('e', 0, 'CreatePDPContext', { reqCtrlTeid: 7, rspCtrlTeid: 8 }),
      SAI_VLR('e', 100), // 100 s after the create: a session of its own
      GTP('e', 200, 'UpdatePDPContext', { teid: 8 }), // back to the tunnel's session
      GTP('e', 300, 'DeletePDPContext', { teid: 8 }),
      GTP('e', 305, 'CreatePDPContext', { reqCtrlTeid: 9, rspCtrlTeid: 10 }), // 5 s after a delete: new session
      GTP('e', 310, 'UpdatePDPContext', { teid: 99 }), // no TEID match: the device's open tunnel
    ]);
    const e = m.get('e')!;
    expect(e.n_sessions).toBe(3);
    expect(e.pct_sessions_with_pdp).toBeCloseTo(200 / 3, 9);
    expect([e.n_contexts_total, e.n_contexts_valid, e.pct_contexts_valid]).toEqual([2, 1, 50]);
    expect(e.dt_update_mean).toBeCloseTo((200 + 5) / 2, 9);
    expect(e.top_90pct_sessions).toBe(3);
  });
});

describe('reject mapping', () => {
  it('MAP 1/8/36, Diameter 5001/5004/5420 (experimental) and 5004 (result), GTPv1 209, GTPv2 64/92 are rejects; others errors', () => {
    const dia = (at: number, procedure: string, code: number, source: 'experimental' | 'result'): Rec => ({
      imsi: 'r', at, protocol: 'diameter', procedure, opcode: null, status: 'error', resultCode: code, resultSource: source,
    });
    const m = features([
      UL('r', 0, 'V1', { status: 'error', resultCode: 1 }),
      UL('r', 100, 'V1', { status: 'error', resultCode: 36 }),
      UL('r', 200, 'V1', { status: 'error', resultCode: 34 }), // systemFailure: error
      UL('r', 300, 'V1', { status: 'reject' }), // TCAP Reject component: error
      dia(400, 'ULR', 5004, 'experimental'),
      dia(500, 'AIR', 5001, 'experimental'),
      dia(600, 'ULR', 5420, 'experimental'),
      dia(700, 'ULR', 5004, 'result'),
      dia(800, 'ULR', 5012, 'result'), // DIAMETER_UNABLE_TO_COMPLY: error
      dia(900, 'PUR', 5001, 'result'), // base 5001 = AVP unsupported: error
      GTP('r', 1000, 'CreatePDPContext', { status: 'error', resultCode: 209 }),
      GTP('r', 1100, 'CreatePDPContext', { status: 'error', resultCode: 199 }), // no resources: error
      GTP('r', 1200, 'CreateSession', { status: 'error', resultCode: 64 }),
      GTP('r', 1300, 'CreateSession', { status: 'error', resultCode: 92 }),
      GTP('r', 1400, 'CreateSession', { status: 'timeout', resultCode: null, endReason: 'idle_timeout' }), // timeout: error
    ]);
    const r = m.get('r')!;
    expect([r.n, r.n_rejects, r.n_errors, r.n_success, r.n_unknown]).toEqual([15, 9, 6, 0, 0]);
    expect([r.pct_ul_reject, r.pct_ul_error]).toEqual([50, 50]);
    expect([r.pct_ulr_reject, r.pct_ulr_error, r.pct_air_reject, r.pct_pur_error]).toEqual([75, 25, 100, 100]);
    expect([r.pct_pdp_create_reject, r.pct_gtpv2_create_reject]).toEqual([50, 200 / 3]);
    expect([r.n_diameter, r.n_gtp, r.n_sigtran]).toEqual([6, 5, 4]);
  });

  it('a device without GTP: GTP counts and shares 0, per-type GTP outcome shares and context statistics NA', () => {
    const m = features([SAI_VLR('m', 0), UL('m', 1)]);
    const g = m.get('m')!;
    expect([g.n_gtp, g.pct_gtp, g.pct_pdp_create, g.n_contexts_total, g.active_pdp_minutes]).toEqual([0, 0, 0, 0, 0]);
    expect([g.pct_pdp_create_success, g.pct_contexts_valid, g.context_duration_mean, g.dt_update_mean]).toEqual([null, null, null, null]);
  });

  it('devices come in pseudonym order, rows without IMSI and outside the period are left out', () => {
    const m = features([SAI_VLR('z', 0), SAI_VLR('a', 5), { ...SAI_VLR('x', 6), imsi: null as unknown as string }, SAI_VLR('a', 700)], { from: 0, to: 600 });
    expect([...m.keys()]).toEqual(['a', 'z']);
    expect(m.get('a')!.n).toBe(1);
  });
});
