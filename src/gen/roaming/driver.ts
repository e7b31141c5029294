// The roaming population: smartphones arriving evenly over the capture (stratified arrival times,
// so that the per-minute signalling rate stays steady) and IoT fleets re-registering at the top
// of every hour. Each device has a home operator, a visited country and operator drawn from the
// seeded matrix, and a life:
//   attach        MAP: sendAuthenticationInfo, updateLocation (VLR / MSC numbers in the visited
//                 operator's E.164 range), updateGprsLocation (SGSN number); Diameter S6a: AIR,
//                 ULR (Visited-PLMN-Id, Origin-Host / Realm of the visited MME)
//   steering      a registration on a non-preferred partner rejected roamingNotAllowed (MAP error
//                 8, TS 29.002 §17.6.1) / DIAMETER_ERROR_ROAMING_NOT_ALLOWED 5004 (TS 29.272
//                 §7.4.3) 1-4 times, then: registered on the preferred partner of the same
//                 country within seconds (steered), nothing (gives up), the preferred partner after
//                 the SoR window (late), or the same network accepting after the 4th rejection
//   data          0-3 sessions: GTPv1 Create / Delete PDP Context (MAP devices) or GTPv2 Create /
//                 Delete Session (LTE devices) from the visited SGSN / SGW to the home GGSN / PGW,
//                 with T-PDUs on the data TEIDs in both directions; some devices none (silent
//                 roamers), some tunnels without a user packet
// Every step is planned when its time comes (env.at), so memory holds only what is in flight.
import { Engine } from '../map/engine';
import { startProcedure } from '../map/flows';
import { NetNode, Operator, newImsi, newMsisdn } from '../map/topology';
import * as M from '../encode/map';
import * as S from '../encode/s6a';
import * as V1 from '../encode/gtpv1';
import * as V2 from '../encode/gtpv2';
import { DIAMETER_SUCCESS, VENDOR_3GPP } from '../encode/diameter';
import { DiameterEnv } from '../diameter/links';
import { DiameterOutcome, startS6a } from '../diameter/flows';
import { GtpEnv, Subscriber, startTunnel } from '../gtp/lifecycle';
import { IpOperator, IpWorld } from '../ip/topology';
import { logNormal } from '../ip/random';
import { Prng } from '../prng';
import { RoamingMatrix } from './world';
import { RoamingProfile } from './profile';
import { RoamingTruth, SOR_WINDOW_US } from './truth';

const S_US = 1_000_000;
const HOUR_US = 3_600_000_000;

const DIA_OK: DiameterOutcome = { kind: 'answer', result: { kind: 'result', code: DIAMETER_SUCCESS }, byDra: false };
const DIA_RNA: DiameterOutcome = { kind: 'answer', result: { kind: 'experimental', code: S.DIAMETER_ERROR_ROAMING_NOT_ALLOWED, vendor: VENDOR_3GPP }, byDra: false };
const PHONE_APNS = ['internet', 'internet', 'internet', 'ims', 'web.roaming', 'mms'];
const IOT_APNS = ['iot.m2m', 'm2m.telemetry', 'scada.iot', 'fleet.track'];

export interface RoamingEnv {
  engine: Engine;
  rng: Prng;
  p: RoamingProfile;
  matrix: RoamingMatrix;
  ipw: IpWorld;
  dx: DiameterEnv;
  g1: GtpEnv;
  g2: GtpEnv;
  truth: RoamingTruth;
  startUs: number;
  /** nothing is planned at or after this time (minus a margin) */
  cutoffUs: number;
  /** IMSIs given out (each device its own: random MSINs of 10-12 digits collide in a 100k population) */
  imsis: Set<string>;
}

type Gen = 'map' | 'lte';

interface Device {
  gen: Gen;
  home: Operator;
  imsi: string;
  msisdn: string;
  imei: string;
  hlr: NetNode;
  iot: boolean;
  apn: string;
  lac: number;
  ci: number;
}

/** a MAP dialogue of the device on `visited` (the truth line names the visited network) */
function mapDialogue(rx: RoamingEnv, proc: 'sendAuthenticationInfo' | 'updateLocation' | 'updateGprsLocation', t: number, o: Parameters<typeof startProcedure>[3] & { visited: Operator }): void {
  const d = startProcedure(rx.engine, proc, t, o);
  d.visited = { mcc: o.visited.mcc, mnc: o.visited.mnc };
}

function ip(rx: RoamingEnv, op: Operator): IpOperator {
  return rx.ipw.byOp.get(op)!;
}

/** run fn at t when t leaves room before the end of the capture */
function at(rx: RoamingEnv, t: number, fn: () => void): boolean {
  if (t >= rx.cutoffUs - 2 * S_US) return false;
  rx.engine.at(t, fn);
  return true;
}

// ---------------------------------------------------------------- registrations

/** authentication then registration on `visited`: returns whether it was planned */
function attach(rx: RoamingEnv, d: Device, visited: Operator, t: number, ps: boolean): boolean {
  const { rng } = rx;
  if (t >= rx.cutoffUs - 10 * S_US) return false;
  if (d.gen === 'map') {
    const vlr = rng.pick(visited.vlrs);
    const sgsn = rng.pick(visited.sgsns);
    const home = d.home;
    const cs = !d.iot; // IoT modules: GPRS-only
    at(rx, t, () => mapDialogue(rx, 'sendAuthenticationInfo', t, { imsi: d.imsi, home, visited, from: cs ? vlr : sgsn, to: d.hlr, outcome: { kind: 'ok' } }));
    const tUl = t + rng.range(400_000, 1_200_000);
    if (cs) at(rx, tUl, () => mapDialogue(rx, 'updateLocation', tUl, { imsi: d.imsi, home, visited, from: vlr, to: d.hlr, outcome: { kind: 'ok' } }));
    if (ps) {
      const tUgl = tUl + rng.range(600_000, 2_000_000);
      at(rx, tUgl, () => mapDialogue(rx, 'updateGprsLocation', tUgl, { imsi: d.imsi, home, visited, from: sgsn, to: d.hlr, outcome: { kind: 'ok' } }));
    }
  } else {
    const home = ip(rx, d.home);
    const v = ip(rx, visited);
    const mme = rng.pick(v.mmes);
    at(rx, t, () => startS6a(rx.dx, 'air', t, { imsi: d.imsi, home, visited: v, mme, outcome: DIA_OK, plain: true }));
    const tUlr = t + rng.range(300_000, 1_000_000);
    at(rx, tUlr, () => startS6a(rx.dx, 'ulr', tUlr, { imsi: d.imsi, home, visited: v, mme, outcome: DIA_OK, plain: true }));
  }
  return true;
}

/** authentication, then `tries` registrations on `visited` rejected roamingNotAllowed; returns the time of the last one */
function rejected(rx: RoamingEnv, d: Device, visited: Operator, t: number, tries: number): number {
  const { rng } = rx;
  let tt = t;
  let last = t;
  if (d.gen === 'map') {
    const vlr = rng.pick(visited.vlrs);
    const sgsn = rng.pick(visited.sgsns);
    const gprs = rng.chance(0.3);
    const from = gprs ? sgsn : vlr;
    const home = d.home;
    at(rx, tt, () => mapDialogue(rx, 'sendAuthenticationInfo', t, { imsi: d.imsi, home, visited, from, to: d.hlr, outcome: { kind: 'ok' } }));
    for (let i = 0; i < tries; i++) {
      tt += i === 0 ? rng.range(400_000, 1_200_000) : rng.range(2 * S_US, 8 * S_US);
      const ti = tt;
      if (at(rx, ti, () => mapDialogue(rx, gprs ? 'updateGprsLocation' : 'updateLocation', ti, {
        imsi: d.imsi, home, visited, from, to: d.hlr, outcome: { kind: 'error', code: M.ERR_ROAMING_NOT_ALLOWED },
      }))) last = ti;
    }
  } else {
    const home = ip(rx, d.home);
    const v = ip(rx, visited);
    const mme = rng.pick(v.mmes);
    at(rx, tt, () => startS6a(rx.dx, 'air', t, { imsi: d.imsi, home, visited: v, mme, outcome: DIA_OK, plain: true }));
    for (let i = 0; i < tries; i++) {
      tt += i === 0 ? rng.range(300_000, 1_000_000) : rng.range(2 * S_US, 8 * S_US);
      const ti = tt;
      if (at(rx, ti, () => startS6a(rx.dx, 'ulr', ti, { imsi: d.imsi, home, visited: v, mme, outcome: DIA_RNA, plain: true }))) last = ti;
    }
  }
  return last;
}

// ---------------------------------------------------------------- data sessions

function subscriber(rx: RoamingEnv, d: Device, visited: Operator): Subscriber {
  const v2 = d.gen === 'lte';
  const rat = d.iot ? (v2 ? V2.GTPV2_RAT_LTE_M : V1.GTPV1_RAT_GERAN) : v2 ? V2.GTPV2_RAT_EUTRAN : rx.rng.chance(0.7) ? V1.GTPV1_RAT_UTRAN : V1.GTPV1_RAT_GERAN;
  return { home: ip(rx, d.home), visited: ip(rx, visited), imsi: d.imsi, msisdn: d.msisdn, imei: d.imei, apn: d.apn, rat, lac: d.lac, ci: d.ci, iot: d.iot };
}

/** one tunnel at t; durationUs null = still open at the end of the capture */
function session(rx: RoamingEnv, d: Device, visited: Operator, t: number, durationUs: number | null, o: { reject?: boolean; packets: number }): void {
  const gx = d.gen === 'lte' ? rx.g2 : rx.g1;
  const v2 = d.gen === 'lte';
  const { rng } = rx;
  const cause = o.reject
    ? v2 ? rng.pick([V2.GTPV2_CAUSE_MISSING_OR_UNKNOWN_APN, V2.GTPV2_CAUSE_USER_AUTHENTICATION_FAILED]) : rng.pick([V1.GTPV1_CAUSE_MISSING_OR_UNKNOWN_APN, V1.GTPV1_CAUSE_USER_AUTHENTICATION_FAILED])
    : v2 ? V2.GTPV2_CAUSE_REQUEST_ACCEPTED : V1.GTPV1_CAUSE_REQUEST_ACCEPTED;
  const seqNumbers = rng.chance(rx.p.gtpuSeqShare);
  at(rx, t, () => {
    startTunnel(gx, t, {
      sub: subscriber(rx, d, visited), cause, durationUs,
      userPlane: o.packets > 0 ? { packets: o.packets, kind: d.iot ? 'iot' : 'phone', seqNumbers } : undefined,
    });
  });
}

/** a smartphone's data sessions after its registration at t */
function phoneSessions(rx: RoamingEnv, d: Device, visited: Operator, t: number, untilUs: number): void {
  const { rng, p, truth } = rx;
  const moves = untilUs < rx.cutoffUs;
  const r = rng.next();
  if (r < p.noSessionShare) {
    truth.count('attached_without_session');
    return;
  }
  let ts = t + rng.range(3 * S_US, 20 * S_US);
  if (r < p.noSessionShare + p.rejectedOnlyShare) {
    truth.count('attached_only_rejected_create');
    session(rx, d, visited, ts, null, { reject: true, packets: 0 });
    return;
  }
  const n = 1 + (rng.chance(0.45) ? 1 : 0) + (rng.chance(0.2) ? 1 : 0);
  for (let k = 0; k < n; k++) {
    if (ts >= untilUs - 10 * S_US) break;
    let dur = Math.round(Math.min(90 * 60 * S_US, Math.max(20 * S_US, logNormal(rng, p.sessionMedianUs, p.sessionSigma))));
    // a traveller's sessions end before it leaves the country
    if (moves && ts + dur >= untilUs - 5 * S_US) dur = untilUs - 5 * S_US - ts;
    if (dur < 20 * S_US) break;
    const open = ts + dur >= rx.cutoffUs - S_US;
    const reject = rng.chance(p.createRejectShare);
    const zero = !reject && rng.chance(p.zeroByteShare);
    const packets = reject || zero ? 0 : Math.min(p.phonePacketsMax, 2 + Math.floor(rng.exp(p.phonePacketsMean)));
    truth.count(reject ? 'tunnels_rejected' : zero ? 'tunnels_zero_byte' : 'tunnels_with_data');
    session(rx, d, visited, ts, open ? null : dur, { reject, packets });
    if (open) break;
    ts += (reject ? rng.range(2 * S_US, 30 * S_US) : dur) + rng.range(30 * S_US, 15 * 60 * S_US);
  }
}

// ---------------------------------------------------------------- smartphones

function pickIndex(rng: Prng, w: readonly number[]): number {
  return rng.weighted(w);
}

function newDevice(rx: RoamingEnv, home: Operator, gen: Gen, iot: boolean, apn: string, lac?: number, ci?: number): Device {
  const { rng } = rx;
  let imsi = newImsi(rng, home);
  while (rx.imsis.has(imsi)) imsi = newImsi(rng, home);
  rx.imsis.add(imsi);
  return {
    gen, home, imsi, msisdn: newMsisdn(rng, home), imei: '35' + rng.digits(14), hlr: rng.pick(home.hlrs), iot, apn,
    lac: lac ?? rng.range(1, 0xfffe), ci: ci ?? rng.range(1, 0xfffe),
  };
}

/** one smartphone arriving in its visited country at t */
export function planPhone(rx: RoamingEnv, t: number): void {
  const { rng, matrix: mx, p, truth } = rx;
  const hi = pickIndex(rng, mx.homeWeight);
  const home = rng.pick(mx.countries[hi].ops);
  const vc = mx.countries[pickIndex(rng, mx.visitWeight[hi])];
  const visited = rng.pick(vc.ops);
  const preferred = mx.preferred.get(home)!.get(vc.iso)!;
  const d = newDevice(rx, home, rng.chance(p.lteShare) ? 'lte' : 'map', false, rng.pick(PHONE_APNS));
  const ps = d.gen === 'lte' || rng.chance(p.mapPsShare);
  truth.count('phones');
  if (visited === preferred || vc.ops.length < 2 || !rng.chance(mx.steerRate.get(home)!)) {
    truth.count('attached_first_try');
    if (attach(rx, d, visited, t, ps)) stay(rx, d, hi, visited, t, ps);
    return;
  }
  // steering of roaming: the home network rejects the non-preferred partner
  const w = p.episodeWeights;
  const kind = (['steered', 'giveUp', 'late', 'forced'] as const)[rng.weighted([w.steered, w.giveUp, w.late, w.forced])];
  const tries = kind === 'forced' ? 4 : rng.range(1, 4);
  const last = rejected(rx, d, visited, t, tries);
  truth.count(`rna_${kind}`);
  let next: Operator | null = null;
  let tNext = 0;
  if (kind === 'steered') {
    next = preferred;
    tNext = last + rng.range(3 * S_US, 120 * S_US);
  } else if (kind === 'late') {
    next = preferred;
    // clear of the window (request to request) by a minute at least
    tNext = last + SOR_WINDOW_US + rng.range(60 * S_US, 20 * 60 * S_US);
  } else if (kind === 'forced') {
    next = visited;
    tNext = last + rng.range(2 * S_US, 8 * S_US);
  }
  if (next && attach(rx, d, next, tNext, ps)) stay(rx, d, hi, next, tNext, ps);
}

/**
 * A device registered on `visited` at t: its data sessions there; a traveller then moves on to
 * another country (the preferred partner there) 40-90 min later and stays there.
 */
function stay(rx: RoamingEnv, d: Device, homeIndex: number, visited: Operator, t: number, ps: boolean): void {
  const { rng, matrix: mx, p, truth } = rx;
  const tMove = t + rng.range(40 * 60 * S_US, 90 * 60 * S_US);
  const moves = rng.chance(p.travelShare) && tMove < rx.cutoffUs - 15 * 60 * S_US;
  if (ps) phoneSessions(rx, d, visited, t + 4 * S_US, moves ? tMove : rx.cutoffUs);
  if (!moves) return;
  const w = mx.visitWeight[homeIndex].map((x, i) => (mx.countries[i].iso === visited.iso ? 0 : x));
  const next = mx.preferred.get(d.home)!.get(mx.countries[pickIndex(rng, w)].iso)!;
  truth.count('travellers');
  if (attach(rx, d, next, tMove, ps) && ps) phoneSessions(rx, d, next, tMove + 4 * S_US, rx.cutoffUs);
}

/** smartphones arriving one after the other: device i at start + (i + u) × spacing */
export function drivePhones(rx: RoamingEnv, n: number, spanUs: number): void {
  if (n <= 0) return;
  const spacing = spanUs / n;
  const arrival = (i: number): void => {
    const t = rx.engine.now;
    planPhone(rx, t);
    if (i + 1 < n) {
      const next = Math.round(rx.startUs + (i + 1 + rx.rng.next()) * spacing);
      rx.engine.at(Math.max(next, t), () => arrival(i + 1));
    }
  };
  rx.engine.at(Math.round(rx.startUs + rx.rng.next() * spacing), () => arrival(0));
}

// ---------------------------------------------------------------- IoT fleets

interface Fleet {
  home: Operator;
  visited: Operator;
  gen: Gen;
  devices: { d: Device; offsetUs: number }[];
}

/**
 * Fleets of permanent roamers (one home / visited pair each): at the top of every hour inside the
 * capture each module re-registers within the IoT window and opens a new data session (the one
 * of the previous hour is deleted first), sending a few telemetry packets over the hour.
 */
export function driveIot(rx: RoamingEnv, n: number): void {
  if (n <= 0) return;
  const { rng, matrix: mx, truth } = rx;
  const nFleets = Math.max(1, Math.min(5, Math.ceil(n / 40)));
  const fleets: Fleet[] = [];
  for (let f = 0; f < nFleets; f++) {
    const hc = rng.pick(mx.countries);
    const home = rng.pick(hc.ops);
    const vc = rng.pick(mx.countries.filter((c) => c !== hc));
    // machines stay on the partner their home network prefers
    const visited = mx.preferred.get(home)!.get(vc.iso)!;
    fleets.push({ home, visited, gen: rng.chance(0.5) ? 'lte' : 'map', devices: [] });
  }
  for (let i = 0; i < n; i++) {
    const f = fleets[i % nFleets];
    const apn = IOT_APNS[fleets.indexOf(f) % IOT_APNS.length];
    f.devices.push({ d: newDevice(rx, f.home, f.gen, true, apn), offsetUs: rng.int(rx.p.iotWindowUs) });
  }
  truth.count('iot_devices', n);
  truth.count('iot_fleets', nFleets);
  for (let h = Math.ceil((rx.startUs + 1) / HOUR_US) * HOUR_US; h < rx.cutoffUs; h += HOUR_US) {
    const hour = h;
    rx.engine.at(hour, () => {
      truth.count('iot_hours');
      for (const f of fleets) for (const x of f.devices) iotHour(rx, f, x, hour);
    });
  }
}

function iotHour(rx: RoamingEnv, f: Fleet, x: { d: Device; offsetUs: number }, hour: number): void {
  const { rng } = rx;
  const t = hour + x.offsetUs;
  // the previous hour's session was planned to end at t (its Delete); the next one ends at the next top of the hour
  x.offsetUs = rng.int(rx.p.iotWindowUs);
  const tAuth = t + rng.range(150_000, 400_000);
  if (!attach(rx, x.d, f.visited, tAuth, true)) return;
  const tCreate = tAuth + rng.range(3_500_000, 4_500_000);
  const tEnd = hour + HOUR_US + x.offsetUs;
  session(rx, x.d, f.visited, tCreate, tEnd < rx.cutoffUs - S_US ? tEnd - tCreate : null, { packets: rng.range(2, 8) });
}
