// GTP-C tunnels on the IPX (Gp / S8 between the visited SGSN / SGW and the home GGSN / PGW):
// Create → (Update PDP Context | Modify Bearer, Create Bearer from the PGW)* → Delete
// (TS 29.060 §7.3, TS 29.274 §7.2), truncated at the end of the capture span; plus the path
// management (Echo, TS 29.060 §7.2 / TS 29.274 §7.1) and Release Access Bearers (S11).
import * as V1 from '../encode/gtpv1';
import * as V2 from '../encode/gtpv2';
import { ipv4Address } from '../encode/ipv4';
import { pickVisited, responseTime } from '../map/flows';
import { newImsi, newMsisdn } from '../map/topology';
import { Prng } from '../prng';
import { Budget } from '../ip/budget';
import { IpEnv } from '../ip/env';
import { logNormal } from '../ip/random';
import { GtpNode, IotDevice, IotFleet, IpOperator, IpWorld } from '../ip/topology';
import { Transaction } from '../ip/transaction';
import { GtpNet, GtpPath } from './net';
import { GtpProfile } from './profile';
import { Tunnel, TunnelWriter } from './tunnels';
import { UserPlaneSpec, planUserPlane } from './userPlane';
import type { VisitedPlmn } from '../map/truth';

export type GtpVersion = 'gtpv1' | 'gtpv2';

export interface GtpEnv {
  env: IpEnv;
  rng: Prng;
  p: GtpProfile;
  ipw: IpWorld;
  net: GtpNet;
  budget: Budget;
  version: GtpVersion;
  /** end of the capture span: nothing of a tunnel is planned at or after it */
  cutoffUs: number;
  tunnels: TunnelWriter;
}

/** T3-RESPONSE (TS 29.060 §7.6, TS 29.274 §7.6): the requester retransmits after it */
const T3_US = 3_000_000;
const MIN_GAP_US = 300_000;

/** truth `procedure` per request message type */
export const GTPV1_PROCEDURES: Record<number, string> = { 1: 'Echo', 16: 'CreatePDPContext', 18: 'UpdatePDPContext', 20: 'DeletePDPContext' };
export const GTPV2_PROCEDURES: Record<number, string> = {
  1: 'Echo', 32: 'CreateSession', 34: 'ModifyBearer', 36: 'DeleteSession', 95: 'CreateBearer', 170: 'ReleaseAccessBearers',
};

function okRange(v: GtpVersion): [number, number] {
  return v === 'gtpv1' ? [128, 191] : [16, 63];
}

/**
 * One request/response on a path: the request from side `from` at t (its copies after T3 when the
 * first ones get lost), the response `latencyUs` after the first copy; `cause` null = no Cause IE
 * (Echo). `rsp` null = never answered. The transaction exists from the moment the request is sent;
 * `onDone` gets it once its last packet is written.
 */
function exchange(
  gx: GtpEnv, gp: GtpPath, from: 0 | 1, t: number, type: number, imsi: string | null,
  req: (seq: number) => Buffer, rsp: ((seq: number) => Buffer) | null, cause: number | null, latencyUs: number, retransmissions = 0,
  onDone: ((tx: Transaction) => void) | null = null, visited: VisitedPlmn | null = null, device: string | null = null,
): void {
  gx.env.at(t, () => {
    const names = gx.version === 'gtpv1' ? GTPV1_PROCEDURES : GTPV2_PROCEDURES;
    const [lo, hi] = okRange(gx.version);
    const tx = new Transaction(gx.env, gx.version, type, names[type], imsi);
    tx.outcome(rsp === null ? 'timeout' : cause === null || (cause >= lo && cause <= hi) ? 'ok' : 'error', cause);
    tx.onDone = onDone;
    tx.visited = visited;
    tx.deviceImsi = device;
    // the sequence number is drawn when the request leaves (TS 29.060 §7.6, TS 29.274 §7.6)
    const seq = gx.net.nextSeq(gp, gx.version === 'gtpv1' ? 16 : 24);
    const bytes = req(seq);
    gx.net.send(gp, from, t, bytes, true, tx.reqMark());
    for (let k = 1; k <= retransmissions; k++) {
      const tk = t + k * T3_US;
      gx.env.at(tk, () => gx.net.send(gp, from, tk, bytes, true, null));
    }
    if (rsp) {
      const tr = t + Math.max(latencyUs, retransmissions * T3_US + gx.rng.range(1_000, 60_000));
      gx.env.at(tr, () => gx.net.send(gp, (1 - from) as 0 | 1, tr, rsp(seq), false, tx.rspMark()));
    }
  });
}

function retransmits(gx: GtpEnv): number {
  return gx.p.retransmitRate > 0 && gx.rng.chance(gx.p.retransmitRate) ? gx.rng.range(1, 2) : 0;
}

function unanswered(gx: GtpEnv): boolean {
  return gx.p.timeoutRate > 0 && gx.rng.chance(gx.p.timeoutRate);
}

export interface Subscriber {
  home: IpOperator;
  visited: IpOperator;
  imsi: string;
  msisdn: string;
  imei: string;
  apn: string;
  rat: number;
  lac: number;
  ci: number;
  iot: boolean;
}

const PHONE_APNS = ['internet', 'internet', 'internet', 'ims', 'mms', 'web.roaming', 'wap'];

function smartphone(gx: GtpEnv): Subscriber {
  const { rng, env } = gx;
  const home = gx.ipw.byOp.get(rng.pick(env.world.operators))!;
  const visited = gx.ipw.byOp.get(pickVisited(rng, env.world, home.op))!;
  const v2 = gx.version === 'gtpv2';
  return {
    home, visited, imsi: newImsi(rng, home.op), msisdn: newMsisdn(rng, home.op), imei: '35' + rng.digits(14), apn: rng.pick(PHONE_APNS),
    rat: v2 ? V2.GTPV2_RAT_EUTRAN : rng.chance(0.7) ? V1.GTPV1_RAT_UTRAN : V1.GTPV1_RAT_GERAN, lac: rng.range(1, 0xfffe), ci: rng.range(1, 0xfffe), iot: false,
  };
}

function machine(gx: GtpEnv, fleet: IotFleet, d: IotDevice): Subscriber {
  const v2 = gx.version === 'gtpv2';
  return {
    home: fleet.home, visited: fleet.visited, imsi: d.imsi, msisdn: d.msisdn, imei: d.imei + '00', apn: fleet.apn,
    rat: v2 ? (fleet.v2 ? V2.GTPV2_RAT_LTE_M : V2.GTPV2_RAT_EUTRAN_NB_IOT) : V1.GTPV1_RAT_GERAN, lac: fleet.lac, ci: fleet.ci, iot: true,
  };
}

/** a device of a permanent-roamer fleet (fleets of this GTP version first) */
export function pickDevice(gx: GtpEnv): [IotFleet, IotDevice] | null {
  const fleets = gx.ipw.fleets;
  if (fleets.length === 0) return null;
  const mine = fleets.filter((f) => f.v2 === (gx.version === 'gtpv2'));
  const f = gx.rng.pick(mine.length > 0 ? mine : fleets);
  return [f, gx.rng.pick(f.devices)];
}

export interface TunnelOptions {
  device?: [IotFleet, IotDevice];
  /** part of a synchronised burst: overloaded GGSN / PGW */
  burst?: boolean;
  /** this subscriber (roaming scenario: a device of the planted population) */
  sub?: Subscriber;
  /** the Create is answered with this cause (default: drawn from the profile) */
  cause?: number;
  /** Create → Delete request, µs; null = no Delete inside the capture (default: drawn from the profile) */
  durationUs?: number | null;
  /** T-PDUs on the data TEIDs between the Create response and the Delete request */
  userPlane?: UserPlaneSpec;
}

function setupDelay(gx: GtpEnv, burst: boolean): number {
  const p = gx.p;
  const d = logNormal(gx.rng, p.setupMedianUs * (burst ? 2 : 1), p.setupSigma);
  return Math.round(Math.min(p.setupMaxUs, Math.max(p.setupMinUs, d)));
}

const REJECTS_V1 = [V1.GTPV1_CAUSE_MISSING_OR_UNKNOWN_APN, V1.GTPV1_CAUSE_USER_AUTHENTICATION_FAILED, V1.GTPV1_CAUSE_ALL_DYNAMIC_ADDRESSES_OCCUPIED, V1.GTPV1_CAUSE_SYSTEM_FAILURE];
const REJECTS_V2 = [V2.GTPV2_CAUSE_MISSING_OR_UNKNOWN_APN, V2.GTPV2_CAUSE_USER_AUTHENTICATION_FAILED, V2.GTPV2_CAUSE_ALL_DYNAMIC_ADDRESSES_OCCUPIED, V2.GTPV2_CAUSE_APN_ACCESS_DENIED];

/**
 * Plan a tunnel whose Create is sent at t, with its updates, dedicated bearer and Delete while
 * they fall inside the capture span and the budget allows. Returns the dialogues used.
 */
export function startTunnel(gx: GtpEnv, t: number, o: TunnelOptions = {}): number {
  const { rng, p } = gx;
  if (gx.budget.free < 1) return 0;
  const v2 = gx.version === 'gtpv2';
  const sub = o.sub ?? (o.device ? machine(gx, o.device[0], o.device[1]) : smartphone(gx));
  const plmn: VisitedPlmn = { mcc: sub.visited.op.mcc, mnc: sub.visited.op.mnc };
  const vNode = rng.pick(v2 ? sub.visited.sgws : sub.visited.sgsns);
  const hNode = rng.pick(v2 ? sub.home.pgws : sub.home.ggsns);
  const gp = gx.net.path(vNode, hNode);
  const rtt = (): number => responseTime(rng, sub.home.op, sub.visited.op);

  // Create outcome
  const noAnswer = o.cause === undefined && unanswered(gx);
  let cause: number;
  if (o.cause !== undefined) cause = o.cause;
  else if (o.burst && rng.chance(p.burstRejectRate)) cause = v2 ? V2.GTPV2_CAUSE_NO_RESOURCES : V1.GTPV1_CAUSE_NO_RESOURCES;
  else if (rng.chance(p.createRejectRate)) cause = rng.pick(v2 ? REJECTS_V2 : REJECTS_V1);
  else cause = v2 ? V2.GTPV2_CAUSE_REQUEST_ACCEPTED : V1.GTPV1_CAUSE_REQUEST_ACCEPTED;
  const rtx = retransmits(gx);
  const setup = setupDelay(gx, o.burst === true);
  const accepted = !noAnswer && (v2 ? cause === 16 : cause === 128);

  // the rest of the plan: updates, a dedicated bearer, the delete (inside the span only)
  const tUp = t + Math.max(setup, rtx * T3_US) + 100_000;
  const tDel =
    o.durationUs === null ? Infinity : Math.max(tUp + MIN_GAP_US, t + (o.durationUs ?? Math.round(logNormal(rng, p.durationMedianUs, p.durationSigma))));
  const limit = Math.min(tDel, gx.cutoffUs) - MIN_GAP_US;
  const updates: number[] = [];
  let cbAt = -1;
  if (accepted) {
    const perUs = p.updatesPerHour / 3.6e9;
    for (let u = tUp + rng.exp(1 / perUs); perUs > 0 && u < limit; u += rng.exp(1 / perUs)) updates.push(Math.round(u));
    if (v2 && rng.chance(p.createBearerRate)) {
      const c = tUp + rng.int(Math.max(1, limit - tUp));
      if (c < limit) cbAt = c;
    }
  }
  let withDelete = accepted && tDel < gx.cutoffUs;
  // trim to the budget: updates first, then the bearer, then the delete
  const cost = (): number => 1 + updates.length + (cbAt >= 0 ? 1 : 0) + (withDelete ? 1 : 0);
  while (cost() > gx.budget.free) {
    if (updates.length > 0) updates.pop();
    else if (cbAt >= 0) cbAt = -1;
    else withDelete = false;
  }
  const used = cost();
  gx.budget.take(used);

  const tun = new Tunnel(gx.version, sub.imsi, sub.apn, ...okRange(gx.version));
  const st = tunnelState(gx, vNode, hNode, sub);
  tun.visited = plmn;
  if (o.userPlane && accepted) {
    // user data flows once the Create response is out (exchange(): at the latest after the setup
    // delay or 60 ms past the last copy of the request) and stops before the Delete request
    const from = t + Math.max(setup, rtx * T3_US + 60_000) + 5_000;
    const to = (withDelete ? tDel : gx.cutoffUs) - 5_000;
    tun.user = planUserPlane(gx, gp, st.hTeidU, st.vTeidU, st.ueIp, from, to, o.userPlane);
  }
  gx.tunnels.opened(tun);
  // a tunnel that no Delete will end inside the capture is known to end 'capture_end' already
  const createDone = (tx: Transaction): void => {
    tun.create = tx;
    if (!accepted || !withDelete) gx.tunnels.ended(tun, null);
  };
  if (v2) {
    exchange(gx, gp, 0, t, V2.GTPV2_CREATE_SESSION_REQUEST, sub.imsi,
        (seq) => V2.createSessionRequest(seq, {
          imsi: sub.imsi, msisdn: sub.msisdn, mei: sub.iot ? undefined : sub.imei, mcc: sub.visited.op.mcc, mnc: sub.visited.op.mnc, tac: sub.lac, eci: sub.ci * 256 + 1,
          rat: sub.rat, sgwTeidC: st.vTeidC, sgwTeidU: st.vTeidU, sgwIp: vNode.ep.ip4, apn: sub.apn, ebi: st.ebi, qci: sub.iot ? 9 : 8, priority: 8, ambrUl: 50_000, ambrDl: 150_000,
          recovery: rng.chance(0.3) ? vNode.restart : undefined,
        }),
        noAnswer ? null : (seq) => V2.createSessionResponse(seq, st.vTeidC, {
          cause, pgwTeidC: st.hTeidC, pgwTeidU: st.hTeidU, pgwIp: hNode.ep.ip4, ueIp: ipBuf(st.ueIp), ebi: st.ebi, chargingId: st.chargingId, ambrUl: 50_000, ambrDl: 150_000,
          recovery: rng.chance(0.3) ? hNode.restart : undefined,
        }),
        cause, setup, rtx, createDone, plmn, sub.imsi);
  } else {
    exchange(gx, gp, 0, t, V1.GTPV1_CREATE_PDP_CONTEXT_REQUEST, sub.imsi,
        (seq) => V1.createPdpContextRequest(seq, {
          imsi: sub.imsi, mcc: sub.visited.op.mcc, mnc: sub.visited.op.mnc, lac: sub.lac, rac: 1, ci: sub.ci, recovery: vNode.restart, selectionMode: 1,
          teidData: st.vTeidU, teidC: st.vTeidC, nsapi: st.ebi, apn: sub.apn, sgsnIp: vNode.ep.ip4, msisdn: sub.msisdn, rat: sub.rat,
          imeisv: sub.iot ? undefined : sub.imei, arp: 2,
        }),
        noAnswer ? null : (seq) => V1.createPdpContextResponse(seq, st.vTeidC, {
          cause, recovery: hNode.restart, teidData: st.hTeidU, teidC: st.hTeidC, chargingId: st.chargingId, ueIp: ipBuf(st.ueIp), ggsnIp: hNode.ep.ip4, arp: 2,
        }),
        cause, setup, rtx, createDone, plmn, sub.imsi);
  }
  // Update PDP Context / Modify Bearer from the visited side
  for (const tu of updates) {
    const fail = rng.chance(0.01);
    const ucause = v2 ? (fail ? V2.GTPV2_CAUSE_CONTEXT_NOT_FOUND : 16) : fail ? V1.GTPV1_CAUSE_NON_EXISTENT : 128;
    const lost = unanswered(gx);
    const withImsi = !v2 && rng.chance(0.2); // inter-SGSN routing area update: the new SGSN sends the IMSI
    const re = retransmits(gx);
    if (v2) {
      exchange(gx, gp, 0, tu, V2.GTPV2_MODIFY_BEARER_REQUEST, null,
        (seq) => V2.modifyBearerRequest(seq, st.hTeidC, { mcc: sub.visited.op.mcc, mnc: sub.visited.op.mnc, tac: sub.lac, eci: sub.ci * 256 + 1 + rng.int(3), rat: sub.rat, ebi: st.ebi, sgwTeidU: st.vTeidU, sgwIp: vNode.ep.ip4 }),
        lost ? null : (seq) => V2.modifyBearerResponse(seq, st.vTeidC, ucause, st.ebi, st.chargingId, rng.chance(0.5) ? sub.msisdn : undefined),
        ucause, rtt(), re, null, plmn, sub.imsi);
    } else {
      exchange(gx, gp, 0, tu, V1.GTPV1_UPDATE_PDP_CONTEXT_REQUEST, withImsi ? sub.imsi : null,
        (seq) => V1.updatePdpContextRequest(seq, st.hTeidC, {
          imsi: withImsi ? sub.imsi : undefined, mcc: sub.visited.op.mcc, mnc: sub.visited.op.mnc, lac: sub.lac, rac: 1 + rng.int(4), ci: sub.ci, recovery: vNode.restart,
          teidData: st.vTeidU, teidC: st.vTeidC, nsapi: st.ebi, sgsnIp: vNode.ep.ip4, rat: sub.rat, arp: 2,
        }),
        lost ? null : (seq) => V1.updatePdpContextResponse(seq, st.vTeidC, { cause: ucause, recovery: hNode.restart, teidData: st.hTeidU, teidC: st.hTeidC, chargingId: st.chargingId, ueIp: ipBuf(st.ueIp), ggsnIp: hNode.ep.ip4, arp: 2 }),
        ucause, rtt(), re, null, plmn, sub.imsi);
    }
  }
  // a dedicated bearer from the PGW (e.g. IMS voice)
  if (cbAt >= 0) {
    const ebi = st.ebi + 1;
    const cbCause = rng.chance(0.03) ? V2.GTPV2_CAUSE_REQUEST_REJECTED : 16;
    exchange(gx, gp, 1, cbAt, V2.GTPV2_CREATE_BEARER_REQUEST, null,
      (seq) => V2.createBearerRequest(seq, st.vTeidC, { lbi: st.ebi, pgwTeidU: st.hTeidU + 1, pgwIp: hNode.ep.ip4, qci: 1, priority: 2, chargingId: st.chargingId + 1, remote: ipv4Address(`192.0.2.${rng.range(100, 199)}`) }),
      unanswered(gx) ? null : (seq) => V2.createBearerResponse(seq, st.hTeidC, cbCause, ebi, st.vTeidU + 1, vNode.ep.ip4),
      cbCause, rtt(), retransmits(gx));
  }
  // Delete (GTPv1: the GGSN deletes now and then; GTPv2: the SGW)
  if (withDelete) {
    const fromHome = !v2 && rng.chance(p.networkDeleteRate);
    const from: 0 | 1 = fromHome ? 1 : 0;
    const peerTeid = fromHome ? st.vTeidC : st.hTeidC;
    const ownTeid = fromHome ? st.hTeidC : st.vTeidC;
    const dcause = v2 ? (rng.chance(0.01) ? V2.GTPV2_CAUSE_CONTEXT_NOT_FOUND : 16) : rng.chance(0.01) ? V1.GTPV1_CAUSE_NON_EXISTENT : 128;
    const delDone = (tx: Transaction): void => gx.tunnels.ended(tun, tx);
    if (v2) {
      exchange(gx, gp, 0, tDel, V2.GTPV2_DELETE_SESSION_REQUEST, null,
          (seq) => V2.deleteSessionRequest(seq, st.hTeidC, st.ebi, rng.chance(0.5) ? { mcc: sub.visited.op.mcc, mnc: sub.visited.op.mnc, tac: sub.lac, eci: sub.ci * 256 + 1 } : undefined),
          unanswered(gx) ? null : (seq) => V2.deleteSessionResponse(seq, st.vTeidC, dcause), dcause, rtt(), retransmits(gx), delDone, plmn, sub.imsi);
    } else {
      exchange(gx, gp, from, tDel, V1.GTPV1_DELETE_PDP_CONTEXT_REQUEST, null,
          (seq) => V1.deletePdpContextRequest(seq, peerTeid, st.ebi, rng.chance(0.3)),
          unanswered(gx) ? null : (seq) => V1.deletePdpContextResponse(seq, ownTeid, dcause), dcause, rtt(), retransmits(gx), delDone, plmn, sub.imsi);
    }
  }
  return used;
}

interface TunnelState {
  vTeidC: number;
  vTeidU: number;
  hTeidC: number;
  hTeidU: number;
  ebi: number;
  chargingId: number;
  /** UE address as a number: a small Buffer kept by a long-lived tunnel would pin a whole 8 KiB pool slab */
  ueIp: number;
}

function ipBuf(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

function teid(n: GtpNode): number {
  const v = n.teid;
  n.teid = (v + 2) >>> 0 || 2;
  return v;
}

function tunnelState(gx: GtpEnv, v: GtpNode, h: GtpNode, sub: Subscriber): TunnelState {
  const rng = gx.rng;
  const vt = teid(v);
  const ht = teid(h);
  const pool = sub.home.uePool;
  return {
    vTeidC: vt, vTeidU: (vt ^ 0x40000000) >>> 0, hTeidC: ht, hTeidU: (ht ^ 0x40000000) >>> 0, ebi: 5, chargingId: rng.u32(),
    ueIp: ((pool[0] << 24) | (pool[1] << 16) | (rng.int(256) << 8) | rng.range(1, 254)) >>> 0,
  };
}

/** Echo Request / Response on a path (either direction) */
export function startEcho(gx: GtpEnv, t: number): number {
  if (!gx.budget.take(1)) return 0;
  const { rng } = gx;
  const v2 = gx.version === 'gtpv2';
  let gp: GtpPath;
  const known = gx.net.list.filter((x) => (x.nodes[0].kind === 'sgw') === v2 && x.nodes[1].kind !== 'sgw');
  if (known.length > 0 && rng.chance(0.8)) gp = rng.pick(known);
  else {
    const home = rng.pick(gx.ipw.ops);
    const visited = gx.ipw.byOp.get(pickVisited(rng, gx.env.world, home.op))!;
    gp = gx.net.path(rng.pick(v2 ? visited.sgws : visited.sgsns), rng.pick(v2 ? home.pgws : home.ggsns));
  }
  const from: 0 | 1 = rng.chance(0.5) ? 0 : 1;
  const responder = gp.nodes[1 - from];
  const lost = unanswered(gx);
  exchange(gx, gp, from, t, v2 ? V2.GTPV2_ECHO_REQUEST : V1.GTPV1_ECHO_REQUEST, null,
    (seq) => (v2 ? V2.echoRequest(seq, gp.nodes[from].restart) : V1.echoRequest(seq)),
    lost ? null : (seq) => (v2 ? V2.echoResponse(seq, responder.restart) : V1.echoResponse(seq, responder.restart)),
    null, responseTime(rng, gp.nodes[0].op, gp.nodes[1].op), retransmits(gx));
  return 1;
}

/** Release Access Bearers (S11, MME → SGW of an IPX-hosted SGW; tshark 4.0 does not pair it itself) */
export function startRab(gx: GtpEnv, t: number): number {
  if (!gx.budget.take(1)) return 0;
  const { rng } = gx;
  const op = rng.pick(gx.ipw.ops);
  const mme = op.gtpMmes[0];
  const sgw = rng.pick(op.sgws);
  const gp = gx.net.path(mme, sgw);
  const sgwTeid = teid(sgw);
  const mmeTeid = teid(mme);
  exchange(gx, gp, 0, t, V2.GTPV2_RELEASE_ACCESS_BEARERS_REQUEST, null,
    (seq) => V2.releaseAccessBearersRequest(seq, sgwTeid),
    unanswered(gx) ? null : (seq) => V2.releaseAccessBearersResponse(seq, mmeTeid, 16, sgw.restart),
    16, rng.range(1_000, 15_000), retransmits(gx));
  return 1;
}
