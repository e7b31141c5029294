// Per-device signalling features (issue 14; the feature groups of the TNSM'24 IoT-roaming study):
// the ONE definition of every device feature, over plain dialogue rows (spool or central-store
// column names), so that the spool reader (spoolSource.ts) and a central-store reader compute the
// same values. A device is an IMSI pseudonym; its rows come in time order (req_time_us, then id).
// Everything here is pure: no I/O, memory bounded by one device's dialogues.

/** The columns a feature needs, as the spool / collector name them (absent optional ones = NULL). */
export interface DialogueRow {
  protocol: string;
  procedure: string | null;
  status: string;
  result_code: number | null;
  result_source: string | null;
  end_reason: string;
  /** request time (µs since the epoch); the answer's time for an orphan */
  t: number;
  calling_ssn: number | null;
  called_ssn: number | null;
  calling_gt: string | null;
  called_gt: string | null;
  vlr_number: string | null;
  sgsn_number: string | null;
  origin_host: string | null;
  dest_host: string | null;
  visited_mcc: string | null;
  visited_mnc: string | null;
  /** spool migration 4 (may be absent on older spools → NULL) */
  visited_country?: string | null;
  visited_operator?: string | null;
  cell_id?: string | null;
  teid: number | null;
  req_ctrl_teid: number | null;
  rsp_ctrl_teid: number | null;
}

// ------------------------------------------------------------------ dialogue types

/**
 * Dialogue types. MAP (TS 29.002): SAI split by originator SSN (VLR 7 / SGSN 149, Q.713 Annex B),
 * UL, UL_GPRS, CL split by the addressed SSN, SMS (SRI-SM, MT/MO-ForwardSM); Diameter S6a
 * (TS 29.272) AIR, ULR, CLR, PUR; GTPv1 (TS 29.060 §7.3) PDP create/update/delete; GTPv2
 * (TS 29.274 §7.2) Create Session / Modify Bearer / Delete Session; everything else `other`.
 */
export const TYPES = [
  'sai_vlr', 'sai_sgsn', 'ul', 'ul_gprs', 'cl_vlr', 'cl_sgsn', 'sms',
  'air', 'ulr', 'clr', 'pur',
  'pdp_create', 'pdp_update', 'pdp_delete',
  'gtpv2_create', 'gtpv2_modify', 'gtpv2_delete',
  'other',
] as const;
export type DialogueType = (typeof TYPES)[number];
const T = Object.fromEntries(TYPES.map((t, i) => [t, i])) as Record<DialogueType, number>;

const SSN_VLR = 7;
const SSN_SGSN = 149;

const MAP_SMS = new Set(['sendRoutingInfoForSM', 'mt-ForwardSM', 'mo-ForwardSM', 'forwardSM']);

export function typeOf(r: DialogueRow): number {
  const p = r.procedure;
  switch (r.protocol) {
    case 'map':
    case 'cap':
    case 'tcap':
      if (p === 'sendAuthenticationInfo') return r.calling_ssn === SSN_SGSN ? T.sai_sgsn : T.sai_vlr;
      if (p === 'updateLocation') return T.ul;
      if (p === 'updateGprsLocation') return T.ul_gprs;
      if (p === 'cancelLocation') return r.called_ssn === SSN_SGSN ? T.cl_sgsn : T.cl_vlr;
      if (p !== null && MAP_SMS.has(p)) return T.sms;
      return T.other;
    case 'diameter':
      if (p === 'AIR') return T.air;
      if (p === 'ULR') return T.ulr;
      if (p === 'CLR') return T.clr;
      if (p === 'PUR') return T.pur;
      return T.other;
    case 'gtpv1':
      if (p === 'CreatePDPContext') return T.pdp_create;
      if (p === 'UpdatePDPContext') return T.pdp_update;
      if (p === 'DeletePDPContext') return T.pdp_delete;
      return T.other;
    case 'gtpv2':
      if (p === 'CreateSession') return T.gtpv2_create;
      if (p === 'ModifyBearer') return T.gtpv2_modify;
      if (p === 'DeleteSession') return T.gtpv2_delete;
      return T.other;
    default:
      return T.other;
  }
}

const IS_SAI = new Set([T.sai_vlr, T.sai_sgsn, T.air]);
const IS_CREATE = new Set([T.pdp_create, T.gtpv2_create]);
const IS_UPDATE = new Set([T.pdp_update, T.gtpv2_modify]);
const IS_DELETE = new Set([T.pdp_delete, T.gtpv2_delete]);

// ------------------------------------------------------------------ outcome classes

export const enum Outcome {
  Success = 0,
  Error = 1,
  Reject = 2,
  Unknown = 3,
}

/** MAP errors (TS 29.002 §17.6.6): unknownSubscriber 1, roamingNotAllowed 8, unexpectedDataValue 36 */
export const MAP_REJECT_CODES: ReadonlySet<number> = new Set([1, 8, 36]);
/**
 * Diameter S6a (TS 29.272 §7.4.3, Experimental-Result): 5001 DIAMETER_ERROR_USER_UNKNOWN,
 * 5004 DIAMETER_ERROR_ROAMING_NOT_ALLOWED, 5420 DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION,
 * 5421 DIAMETER_ERROR_RAT_NOT_ALLOWED.
 */
export const DIAMETER_EXPERIMENTAL_REJECT_CODES: ReadonlySet<number> = new Set([5001, 5004, 5420, 5421]);
/** base Result-Code (RFC 6733 §7.1.5): 5004 DIAMETER_INVALID_AVP_VALUE (≈ unexpectedDataValue) */
export const DIAMETER_RESULT_REJECT_CODES: ReadonlySet<number> = new Set([5004]);
/**
 * GTPv1 causes (TS 29.060 §7.7.1): 192 Non-existent, 194 IMSI/IMEI not known, 205 Roaming
 * restriction, 208 Authentication failure, 209 User authentication failed, 210 Context not found,
 * 222 APN access denied - no subscription.
 */
export const GTPV1_REJECT_CAUSES: ReadonlySet<number> = new Set([192, 194, 205, 208, 209, 210, 222]);
/**
 * GTPv2 causes (TS 29.274 §8.4): 64 Context Not Found, 92 User authentication failed, 93 APN access
 * denied - no subscription, 96 IMSI/IMEI not known, 119 MME/SGSN refuses due to VPLMN Policy.
 */
export const GTPV2_REJECT_CAUSES: ReadonlySet<number> = new Set([64, 92, 93, 96, 119]);

/** a record closed by the probe, not by the network: its outcome is unknown */
const UNKNOWN_END = new Set(['capture_end', 'shutdown', 'evicted', 'unidirectional']);

export function outcomeOf(r: DialogueRow): Outcome {
  if (r.status === 'ok') return Outcome.Success;
  if (UNKNOWN_END.has(r.end_reason)) return Outcome.Unknown;
  const c = r.result_code;
  if (r.status === 'error' && c !== null) {
    switch (r.protocol) {
      case 'map':
      case 'cap':
      case 'tcap':
        if (MAP_REJECT_CODES.has(c)) return Outcome.Reject;
        break;
      case 'diameter':
        if ((r.result_source === 'experimental' ? DIAMETER_EXPERIMENTAL_REJECT_CODES : DIAMETER_RESULT_REJECT_CODES).has(c)) return Outcome.Reject;
        break;
      case 'gtpv1':
        if (GTPV1_REJECT_CAUSES.has(c)) return Outcome.Reject;
        break;
      case 'gtpv2':
        if (GTPV2_REJECT_CAUSES.has(c)) return Outcome.Reject;
        break;
    }
  }
  return Outcome.Error;
}

// ------------------------------------------------------------------ feature names

const MOBILITY_DIMS = ['country', 'operator', 'ci', 'vlr', 'sgsn'] as const;
const LONGITUDINAL = ['context_duration', 'dt_update', 'iat_in_session', 'session_iat', 'session_iat_pdp', 'session_iat_sig'] as const;

export const FEATURE_GROUPS: Record<string, readonly string[]> = {
  overall: [
    'n', 'n_sigtran', 'n_diameter', 'n_gtp', 'n_success', 'n_errors', 'n_rejects', 'n_unknown',
    'pct_sigtran', 'pct_diameter', 'pct_gtp', 'pct_success', 'pct_errors', 'pct_rejects', 'pct_unknown',
  ],
  activity: ['total_activity_in_minutes', 'active_minutes', 'active_pdp_minutes', 'relative_activity', 'relative_pdp_activity'],
  message_types: [
    ...TYPES.flatMap((t) => [`pct_${t}`, `pct_${t}_success`, `pct_${t}_error`, `pct_${t}_reject`]),
    'n_contexts_total', 'n_contexts_valid', 'pct_contexts_valid',
  ],
  sessions: [
    'n_sessions', 'pct_sessions_with_sai', 'pct_sessions_with_pdp', 'pct_sessions_without_pdp', 'top_90pct_sessions',
    'top_99pct_sessions', 'mean_number_of_messages_per_session', 'pct_of_sais_alone',
  ],
  mobility: MOBILITY_DIMS.flatMap((d) => [`n_${d}_unique`, `n_${d}_valid`, `n_${d}_changes`]),
  longitudinal: LONGITUDINAL.flatMap((x) => [`${x}_mean`, `${x}_sd`]),
};

/** every feature, in features.csv column order */
export const FEATURE_NAMES: readonly string[] = Object.values(FEATURE_GROUPS).flat();
const IDX = new Map(FEATURE_NAMES.map((n, i) => [n, i]));

export function featureIndex(name: string): number {
  const i = IDX.get(name);
  if (i === undefined) throw new Error(`unknown feature ${name}`);
  return i;
}

/** session rule: a dialogue joins the previous one's session when it starts less than this after it */
export const SESSION_GAP_US = 30_000_000;

export interface FeatureOptions {
  /** length of the period in minutes (relative_activity = active minutes / this) */
  periodMinutes: number;
}

/** feature values of one device in FEATURE_NAMES order; null = not defined (NA) */
export type FeatureVector = (number | null)[];

interface Context {
  proto: string;
  creates: number;
  deletes: number;
  firstT: number;
  lastT: number;
  /** last create / update time (dt_update) */
  lastCtrlT: number;
  deleteT: number;
  session: Session | null;
  open: boolean;
}

interface Session {
  startT: number;
  lastT: number;
  count: number;
  sais: number;
  pdp: boolean;
  ended: boolean;
}

class Stat {
  n = 0;
  sum = 0;
  sum2 = 0;
  add(x: number): void {
    this.n++;
    this.sum += x;
    this.sum2 += x * x;
  }
  mean(): number | null {
    return this.n === 0 ? null : this.sum / this.n;
  }
  /** population standard deviation (0 for one value) */
  sd(): number | null {
    if (this.n === 0) return null;
    const m = this.sum / this.n;
    return Math.sqrt(Math.max(0, this.sum2 / this.n - m * m));
  }
}

class Dim {
  readonly seen = new Set<string>();
  valid = 0;
  changes = 0;
  private last: string | null = null;
  add(v: string | null | undefined): void {
    if (v === null || v === undefined || v === '') return;
    this.valid++;
    this.seen.add(v);
    if (this.last !== null && v !== this.last) this.changes++;
    this.last = v;
  }
}

const US_PER_MIN = 60_000_000;
const US_PER_S = 1_000_000;

function pct(a: number, b: number): number | null {
  return b === 0 ? null : (100 * a) / b;
}

/** nearest rank: the value at rank ceil(p/100 × n) of the sorted values */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

function vlrOf(r: DialogueRow): string | null {
  if (r.vlr_number) return r.vlr_number;
  if (r.protocol === 'map' || r.protocol === 'cap' || r.protocol === 'tcap') {
    if (r.calling_ssn === SSN_VLR) return r.calling_gt;
    if (r.called_ssn === SSN_VLR) return r.called_gt;
  }
  return null;
}

const DIAMETER_FROM_MME = new Set(['AIR', 'ULR', 'PUR', 'NOR']);
const DIAMETER_TO_MME = new Set(['CLR', 'IDR', 'DSR', 'RSR']);

function sgsnOf(r: DialogueRow): string | null {
  if (r.sgsn_number) return r.sgsn_number;
  if (r.protocol === 'map' || r.protocol === 'cap' || r.protocol === 'tcap') {
    if (r.calling_ssn === SSN_SGSN) return r.calling_gt;
    if (r.called_ssn === SSN_SGSN) return r.called_gt;
    return null;
  }
  if (r.protocol === 'diameter' && r.procedure !== null) {
    if (DIAMETER_FROM_MME.has(r.procedure)) return r.origin_host;
    if (DIAMETER_TO_MME.has(r.procedure)) return r.dest_host;
  }
  return null;
}

function operatorOf(r: DialogueRow): string | null {
  if (r.visited_mcc && r.visited_mnc) return `${r.visited_mcc}-${r.visited_mnc}`;
  return r.visited_operator ?? null;
}

function countryOf(r: DialogueRow): string | null {
  if (r.visited_country) return r.visited_country;
  return r.visited_mcc ? `mcc${r.visited_mcc}` : null;
}

/**
 * The features of one device from its dialogues in time order. Sessions (issue 14): a dialogue
 * joins the session of the previous dialogue when it starts < 30 s after it (and that session was
 * not ended by a delete); the create, updates and delete of one tunnel always belong to one
 * session; a delete ends its session. Tunnels are followed by their control TEIDs (the Create's
 * sender and responder TEID-C / F-TEID, TS 29.060 §7.7.14, TS 29.274 §8.22; later messages carry
 * the receiver's TEID in the header).
 */
export function deviceFeatures(rows: readonly DialogueRow[], o: FeatureOptions): FeatureVector {
  const f: FeatureVector = new Array(FEATURE_NAMES.length).fill(null);
  const set = (name: string, v: number | null): void => {
    f[IDX.get(name)!] = v;
  };
  const n = rows.length;
  const nt = TYPES.length;
  const byType = new Int32Array(nt * 4); // [type * 4 + outcome]
  let nSig = 0;
  let nDia = 0;
  let nGtp = 0;
  const byOutcome = [0, 0, 0, 0];
  const minutes = new Set<number>();
  const dims = MOBILITY_DIMS.map(() => new Dim());
  const stats = LONGITUDINAL.map(() => new Stat());
  const [sDur, sDtUpd, sIat, sSessIat, sSessIatPdp, sSessIatSig] = stats;
  const contexts: Context[] = [];
  const byTeid = new Map<string, Context>();
  const sessions: Session[] = [];
  let prevT = 0;
  let prevSession: Session | null = null;
  let saiTotal = 0;
  const saiSessions: Session[] = [];

  for (let i = 0; i < n; i++) {
    const r = rows[i];
    const t = r.t;
    const ty = typeOf(r);
    const oc = outcomeOf(r);
    byType[ty * 4 + oc]++;
    byOutcome[oc]++;
    if (r.protocol === 'gtpv1' || r.protocol === 'gtpv2') nGtp++;
    else if (r.protocol === 'diameter') nDia++;
    else nSig++;
    minutes.add(Math.floor(t / US_PER_MIN));
    dims[0].add(countryOf(r));
    dims[1].add(operatorOf(r));
    dims[2].add(r.cell_id);
    dims[3].add(vlrOf(r));
    dims[4].add(sgsnOf(r));

    // tunnel of a GTP create / update / delete
    let ctx: Context | null = null;
    const isCreate = IS_CREATE.has(ty);
    const isUpdate = IS_UPDATE.has(ty);
    const isDelete = IS_DELETE.has(ty);
    if (isCreate) {
      ctx = { proto: r.protocol, creates: 1, deletes: 0, firstT: t, lastT: t, lastCtrlT: t, deleteT: -1, session: null, open: oc === Outcome.Success };
      contexts.push(ctx);
      if (r.req_ctrl_teid !== null) byTeid.set(`${r.protocol}:${r.req_ctrl_teid}`, ctx);
      if (r.rsp_ctrl_teid !== null) byTeid.set(`${r.protocol}:${r.rsp_ctrl_teid}`, ctx);
    } else if (isUpdate || isDelete) {
      ctx = r.teid !== null ? byTeid.get(`${r.protocol}:${r.teid}`) ?? null : null;
      if (ctx === null) {
        // no TEID match (the Create before the period, or TEID 0): the device's latest open tunnel
        for (let k = contexts.length - 1; k >= 0; k--) {
          if (contexts[k].open && contexts[k].proto === r.protocol) {
            ctx = contexts[k];
            break;
          }
        }
      }
      if (ctx === null) {
        ctx = { proto: r.protocol, creates: 0, deletes: 0, firstT: t, lastT: t, lastCtrlT: t, deleteT: -1, session: null, open: true };
        contexts.push(ctx);
        if (r.teid !== null) byTeid.set(`${r.protocol}:${r.teid}`, ctx);
      } else if (isUpdate) {
        sDtUpd.add((t - ctx.lastCtrlT) / US_PER_S);
      }
      ctx.lastT = t;
      if (isUpdate) {
        ctx.lastCtrlT = t;
        // a new control endpoint (SGSN / SGW change) keeps the tunnel
        if (r.req_ctrl_teid !== null) byTeid.set(`${r.protocol}:${r.req_ctrl_teid}`, ctx);
      } else {
        ctx.deletes++;
        if (ctx.deleteT < 0) ctx.deleteT = t;
        ctx.open = false;
      }
    }

    // session
    let s: Session;
    if (ctx !== null && ctx.session !== null) s = ctx.session;
    else if (prevSession !== null && !prevSession.ended && t - prevT < SESSION_GAP_US) s = prevSession;
    else {
      s = { startT: t, lastT: t, count: 0, sais: 0, pdp: false, ended: false };
      sessions.push(s);
    }
    if (s.count > 0) sIat.add((t - s.lastT) / US_PER_S);
    s.count++;
    if (t > s.lastT) s.lastT = t;
    if (IS_SAI.has(ty)) {
      s.sais++;
      saiTotal++;
      if (s.sais === 1) saiSessions.push(s);
    }
    if (ctx !== null) {
      s.pdp = true;
      if (ctx.session === null) ctx.session = s;
    }
    if (isDelete) s.ended = true;
    prevT = t;
    prevSession = s;
  }

  // ---- overall
  set('n', n);
  set('n_sigtran', nSig);
  set('n_diameter', nDia);
  set('n_gtp', nGtp);
  set('n_success', byOutcome[Outcome.Success]);
  set('n_errors', byOutcome[Outcome.Error]);
  set('n_rejects', byOutcome[Outcome.Reject]);
  set('n_unknown', byOutcome[Outcome.Unknown]);
  set('pct_sigtran', pct(nSig, n));
  set('pct_diameter', pct(nDia, n));
  set('pct_gtp', pct(nGtp, n));
  set('pct_success', pct(byOutcome[Outcome.Success], n));
  set('pct_errors', pct(byOutcome[Outcome.Error], n));
  set('pct_rejects', pct(byOutcome[Outcome.Reject], n));
  set('pct_unknown', pct(byOutcome[Outcome.Unknown], n));

  // ---- activity
  const period = Math.max(o.periodMinutes, 1 / 60);
  const span = n > 0 ? (rows[n - 1].t - rows[0].t) / US_PER_MIN : 0;
  set('total_activity_in_minutes', n > 0 ? span : null);
  set('active_minutes', minutes.size);
  // union of the tunnels' intervals: create (or first message) → delete (or last message)
  const iv = contexts.map((c) => [c.firstT, c.deleteT >= 0 ? c.deleteT : c.lastT] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let pdpUs = 0;
  let cs = -1;
  let ce = -1;
  for (const [a, b] of iv) {
    if (cs < 0 || a > ce) {
      if (cs >= 0) pdpUs += ce - cs;
      cs = a;
      ce = b;
    } else if (b > ce) ce = b;
  }
  if (cs >= 0) pdpUs += ce - cs;
  const pdpMin = pdpUs / US_PER_MIN;
  set('active_pdp_minutes', pdpMin);
  set('relative_activity', minutes.size / period);
  set('relative_pdp_activity', pdpMin / period);

  // ---- message types
  for (let k = 0; k < nt; k++) {
    const ok = byType[k * 4 + Outcome.Success];
    const err = byType[k * 4 + Outcome.Error];
    const rej = byType[k * 4 + Outcome.Reject];
    const tot = ok + err + rej + byType[k * 4 + Outcome.Unknown];
    const name = TYPES[k];
    set(`pct_${name}`, pct(tot, n));
    set(`pct_${name}_success`, pct(ok, tot));
    set(`pct_${name}_error`, pct(err, tot));
    set(`pct_${name}_reject`, pct(rej, tot));
  }
  let valid = 0;
  for (const c of contexts) {
    if (c.creates === 1 && c.deletes === 1) valid++;
    if (c.creates >= 1 && c.deleteT >= 0) sDur.add((c.deleteT - c.firstT) / US_PER_S);
  }
  set('n_contexts_total', contexts.length);
  set('n_contexts_valid', valid);
  set('pct_contexts_valid', pct(valid, contexts.length));

  // ---- sessions
  const ns = sessions.length;
  let withSai = 0;
  let withPdp = 0;
  const sizes: number[] = new Array(ns);
  let prevStart = -1;
  let prevPdp = -1;
  let prevSig = -1;
  for (let k = 0; k < ns; k++) {
    const s = sessions[k];
    sizes[k] = s.count;
    if (s.sais > 0) withSai++;
    if (s.pdp) withPdp++;
    if (prevStart >= 0) sSessIat.add((s.startT - prevStart) / US_PER_S);
    prevStart = s.startT;
    if (s.pdp) {
      if (prevPdp >= 0) sSessIatPdp.add((s.startT - prevPdp) / US_PER_S);
      prevPdp = s.startT;
    } else {
      if (prevSig >= 0) sSessIatSig.add((s.startT - prevSig) / US_PER_S);
      prevSig = s.startT;
    }
  }
  sizes.sort((a, b) => a - b);
  let saisAlone = 0;
  for (const s of saiSessions) if (s.count === 1) saisAlone++;
  set('n_sessions', ns);
  set('pct_sessions_with_sai', pct(withSai, ns));
  set('pct_sessions_with_pdp', pct(withPdp, ns));
  set('pct_sessions_without_pdp', pct(ns - withPdp, ns));
  set('top_90pct_sessions', nearestRank(sizes, 90));
  set('top_99pct_sessions', nearestRank(sizes, 99));
  set('mean_number_of_messages_per_session', ns === 0 ? null : n / ns);
  set('pct_of_sais_alone', pct(saisAlone, saiTotal));

  // ---- mobility
  MOBILITY_DIMS.forEach((d, k) => {
    set(`n_${d}_unique`, dims[k].seen.size);
    set(`n_${d}_valid`, dims[k].valid);
    set(`n_${d}_changes`, dims[k].changes);
  });

  // ---- longitudinal
  LONGITUDINAL.forEach((x, k) => {
    set(`${x}_mean`, stats[k].mean());
    set(`${x}_sd`, stats[k].sd());
  });
  return f;
}
