// S6a procedures between a visited network's MME and the home network's HSS (TS 29.272 §5, §7.2)
// as the IPX sees them: each request is captured on one peer connection (the visited or the home
// operator's link to the IPX DRA) or, when the DRA relays it, on both (two dialogues: different
// hop-by-hop ids, same end-to-end id; RFC 6733 §6.1.9, §6.2.2). Also the special flows: attach
// (AIR then ULR of the same IMSI), steering of roaming (ULR rejected 5004, then accepted
// elsewhere), bursts of requests written at the same instant, watchdogs (DWR/DWA).
import {
  CMD_AUTHENTICATION_INFORMATION,
  CMD_CANCEL_LOCATION,
  CMD_DELETE_SUBSCRIBER_DATA,
  CMD_DEVICE_WATCHDOG,
  CMD_INSERT_SUBSCRIBER_DATA,
  CMD_NOTIFY,
  CMD_PURGE_UE,
  CMD_RESET,
  CMD_UPDATE_LOCATION,
  DIAMETER_SUCCESS,
  DIAMETER_UNABLE_TO_COMPLY,
  DIAMETER_UNABLE_TO_DELIVER,
  DiameterResult,
  VENDOR_3GPP,
  dwa,
  dwr,
  relayRequest,
} from '../encode/diameter';
import * as S from '../encode/s6a';
import { plmnId } from '../encode/plmn';
import { pickVisited, responseTime } from '../map/flows';
import { newImsi, newMsisdn } from '../map/topology';
import { DiameterNode, IpOperator, IPX_REALM } from '../ip/topology';
import { Transaction } from '../ip/transaction';
import { DiameterEnv, DiameterLink, linkReady, nextE2e, openCost, sessionId } from './links';
import { S6aCommand } from './profile';

type NonDwr = Exclude<S6aCommand, 'dwr'>;

export type DiameterOutcome = { kind: 'answer'; result: DiameterResult; byDra: boolean } | { kind: 'timeout' };

const exp = (code: number): DiameterResult => ({ kind: 'experimental', code, vendor: VENDOR_3GPP });
const res = (code: number): DiameterResult => ({ kind: 'result', code });
const SUCCESS: DiameterOutcome = { kind: 'answer', result: res(DIAMETER_SUCCESS), byDra: false };

// per command: (result, probability, answered by the DRA instead of the peer) — IPX observations:
// user unknown (5001) dominates, roaming not allowed (5004) is the steering tool
const ERRORS: Record<NonDwr, [DiameterResult, number, boolean][]> = {
  air: [[exp(S.DIAMETER_ERROR_USER_UNKNOWN), 0.05, false], [exp(S.DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE), 0.003, false], [res(DIAMETER_UNABLE_TO_COMPLY), 0.002, false], [res(DIAMETER_UNABLE_TO_DELIVER), 0.003, true]],
  ulr: [
    [exp(S.DIAMETER_ERROR_USER_UNKNOWN), 0.02, false], [exp(S.DIAMETER_ERROR_ROAMING_NOT_ALLOWED), 0.012, false], [exp(S.DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION), 0.008, false],
    [exp(S.DIAMETER_ERROR_RAT_NOT_ALLOWED), 0.004, false], [res(DIAMETER_UNABLE_TO_COMPLY), 0.002, false], [res(DIAMETER_UNABLE_TO_DELIVER), 0.003, true],
  ],
  pur: [[exp(S.DIAMETER_ERROR_USER_UNKNOWN), 0.02, false], [res(DIAMETER_UNABLE_TO_DELIVER), 0.002, true]],
  clr: [[res(DIAMETER_UNABLE_TO_COMPLY), 0.003, false], [res(DIAMETER_UNABLE_TO_DELIVER), 0.002, true]],
  idr: [[exp(S.DIAMETER_ERROR_USER_UNKNOWN), 0.015, false], [res(DIAMETER_UNABLE_TO_COMPLY), 0.003, false]],
  nor: [[exp(S.DIAMETER_ERROR_USER_UNKNOWN), 0.01, false]],
  dsr: [[exp(S.DIAMETER_ERROR_USER_UNKNOWN), 0.01, false]],
  rsr: [],
};

const CODES: Record<NonDwr, number> = {
  air: CMD_AUTHENTICATION_INFORMATION,
  ulr: CMD_UPDATE_LOCATION,
  pur: CMD_PURGE_UE,
  clr: CMD_CANCEL_LOCATION,
  idr: CMD_INSERT_SUBSCRIBER_DATA,
  nor: CMD_NOTIFY,
  dsr: CMD_DELETE_SUBSCRIBER_DATA,
  rsr: CMD_RESET,
};

/** truth `procedure` of each command: the request's abbreviation as operators name it (TS 29.272 §7.2 / RFC 6733 §3) */
export const DIAMETER_PROCEDURES: Record<number, string> = {
  257: 'CER',
  280: 'DWR',
  316: 'ULR',
  317: 'CLR',
  318: 'AIR',
  319: 'IDR',
  320: 'DSR',
  321: 'PUR',
  322: 'RSR',
  323: 'NOR',
};

const HSS_INITIATED: ReadonlySet<NonDwr> = new Set<NonDwr>(['clr', 'idr', 'dsr', 'rsr']);

export function pickOutcome(dx: DiameterEnv, cmd: NonDwr): DiameterOutcome {
  const r = dx.rng.next();
  let acc = dx.p.timeoutRate;
  if (r < acc) return { kind: 'timeout' };
  for (const [result, prob, byDra] of ERRORS[cmd]) {
    acc += prob * dx.p.errorScale;
    if (r < acc) return { kind: 'answer', result, byDra };
  }
  return SUCCESS;
}

function statusOf(r: DiameterResult): 'ok' | 'error' {
  return r.code >= 1000 && r.code < 3000 ? 'ok' : 'error';
}

export interface S6aOptions {
  imsi?: string;
  home?: IpOperator;
  visited?: IpOperator;
  mme?: DiameterNode;
  outcome?: DiameterOutcome;
  /** both legs (true), one (false), or as the profile says */
  relay?: boolean;
  /** single leg on this link (the originator's side), answered after exactly this latency */
  burst?: { link: DiameterLink; latencyUs: number };
  /** no attach follow-up / steering for this one */
  plain?: boolean;
}

interface Leg {
  link: DiameterLink;
  /** side that sends the request on this link */
  from: 0 | 1;
}

/** the request as the originating node sends it, built for a given S6a context */
type ReqBuilder = (c: S.S6aContext) => Buffer;
type AnsBuilder = (c: S.S6aContext, r: DiameterResult) => Buffer;

/**
 * Plan one S6a request/answer at (or after) t. Returns the number of truth dialogues it uses
 * (0 when the budget cannot pay for it).
 */
export function startS6a(dx: DiameterEnv, cmd: NonDwr, t: number, o: S6aOptions = {}): number {
  const { rng, p } = dx;
  const home = o.home ?? dx.ipw.byOp.get(rng.pick(dx.env.world.operators))!;
  const visited = o.visited ?? dx.ipw.byOp.get(pickVisited(rng, dx.env.world, home.op))!;
  const imsi = o.imsi ?? newImsi(rng, home.op);
  const outcome = o.outcome ?? pickOutcome(dx, cmd);
  const hssInit = HSS_INITIATED.has(cmd);
  const mme = o.mme ?? rng.pick(visited.mmes);
  const hss = rng.pick(home.hsss);
  const origin = hssInit ? hss : mme;
  const dest = hssInit ? mme : hss;
  const origOp = hssInit ? home : visited;
  const destOp = hssInit ? visited : home;
  const l1: Leg = { link: o.burst ? o.burst.link : rng.pick(dx.links.get(origOp)!), from: 0 };
  const l2: Leg = { link: rng.pick(dx.links.get(destOp)!), from: 1 };
  const byDra = outcome.kind === 'answer' && outcome.byDra;
  let relay = !o.burst && (o.relay ?? rng.chance(p.relayShare));
  // legs captured: both, or one of the two (the DRA's own answer exists on the first leg only)
  let legs: Leg[] = relay ? (byDra ? [l1] : [l1, l2]) : byDra || o.burst || rng.chance(0.5) ? [l1] : [l2];
  let cost = legs.length + openCost(legs.map((l) => l.link));
  if (cost > dx.budget.free && relay) {
    relay = false;
    legs = [l1];
    cost = 1 + openCost([l1.link]);
  }
  if (!dx.budget.take(cost)) return 0;

  let t0 = t;
  for (const l of legs) t0 = Math.max(t0, linkReady(dx, l.link, t));
  const code = CODES[cmd];
  const procedure = DIAMETER_PROCEDURES[code];
  const truthImsi = cmd === 'rsr' ? null : imsi;
  const total = o.burst ? o.burst.latencyUs : responseTime(rng, home.op, visited.op);
  const [req, ans] = builders(dx, cmd, imsi, home, visited, outcome);
  const e2e = nextE2e(origin);
  const sid = sessionId(origin);
  const ctx = (hbh: number): S.S6aContext => ({
    sessionId: sid,
    originHost: origin.host,
    originRealm: origin.realm,
    destHost: hssInit || cmd === 'pur' || cmd === 'nor' ? dest.host : undefined,
    destRealm: dest.realm,
    hopByHop: hbh,
    endToEnd: e2e,
  });
  // the request as the originator's DEA sends it (Route-Record: the MME / HSS), and as the DRA relays it
  const base = req(ctx(0));
  const hbh1 = l1.link.nextHbh(0);
  const msg1 = relayRequest(base, hbh1, origin.host);
  const answerCtx = (hbh: number): S.S6aContext =>
    byDra ? { ...ctx(hbh), originHost: l1.link.dra.host, originRealm: IPX_REALM } : { ...ctx(hbh), originHost: dest.host, originRealm: dest.realm };
  const result = outcome.kind === 'answer' ? outcome.result : null;
  const plmn = { mcc: visited.op.mcc, mnc: visited.op.mnc };
  const txOf = (): Transaction => {
    const tx = new Transaction(dx.env, 'diameter', code, procedure, truthImsi).outcome(result ? statusOf(result) : 'timeout', result ? result.code : null);
    tx.visited = plmn; // the MME's network (Visited-PLMN-Id of AIR / ULR)
    return tx;
  };

  if (legs.length === 2 || legs[0] === l2) {
    const hbh2 = l2.link.nextHbh(1);
    const msg2 = relayRequest(msg1, hbh2, l1.link.dea.host);
    const d1 = rng.range(200, 3_000);
    const d2 = rng.range(200, 3_000);
    const lat2 = Math.max(1_000, Math.round(total * 0.6));
    const tx2 = txOf();
    const tReq2 = t0 + (legs.length === 2 ? d1 : 0);
    const tAns2 = tReq2 + lat2;
    send(dx, l2.link, 1, tReq2, msg2, tx2.reqMark());
    if (result) send(dx, l2.link, 0, tAns2, ans(answerCtx(hbh2), result), tx2.rspMark());
    if (legs.length === 2) {
      const tx1 = txOf();
      send(dx, l1.link, 0, t0, msg1, tx1.reqMark());
      if (result) send(dx, l1.link, 1, tAns2 + d2, ans(answerCtx(hbh1), result), tx1.rspMark());
    }
  } else {
    const tx1 = txOf();
    send(dx, l1.link, 0, t0, msg1, tx1.reqMark());
    const lat = byDra ? rng.range(1_000, 30_000) : total;
    if (result) send(dx, l1.link, 1, t0 + lat, ans(answerCtx(hbh1), result), tx1.rspMark());
  }
  // an accepted AIR is followed by the ULR of the attach (same MME, same IMSI)
  let used = cost;
  if (!o.plain && cmd === 'air' && result && statusOf(result) === 'ok' && rng.chance(p.attachRate)) {
    const tUlr = t0 + total + rng.range(20_000, 300_000);
    used += startS6a(dx, 'ulr', tUlr, { imsi, home, visited, mme, plain: true });
  }
  return used;
}

function send(dx: DiameterEnv, link: DiameterLink, side: 0 | 1, t: number, msg: Buffer, mark: ReturnType<Transaction['reqMark']>): void {
  dx.env.at(t, () => link.send(t, side, msg, mark));
}

const APNS = ['internet', 'ims', 'mms', 'xcap.ims', 'iot.m2m', 'web.roaming'];

function builders(dx: DiameterEnv, cmd: NonDwr, imsi: string, home: IpOperator, visited: IpOperator, outcome: DiameterOutcome): [ReqBuilder, AnsBuilder] {
  const { rng, p } = dx;
  const vplmn = plmnId(visited.op.mcc, visited.op.mnc);
  switch (cmd) {
    case 'air': {
      const big = rng.chance(p.bigRate);
      const n = big ? 5 : rng.range(1, 2);
      const vectors: S.EutranVector[] = [];
      if (outcome.kind === 'answer' && statusOf(outcome.result) === 'ok') {
        for (let i = 0; i < n; i++) vectors.push({ rand: rng.bytes(16), xres: rng.bytes(8), autn: rng.bytes(16), kasme: rng.bytes(32) });
      }
      return [(c) => S.air(c, imsi, n, vplmn), (c, r) => S.aia(c, r, vectors)];
    }
    case 'ulr': {
      const rat = rng.chance(0.9) ? S.RAT_EUTRAN : rng.chance(0.5) ? S.RAT_EUTRAN_NB_IOT : S.RAT_UTRAN;
      const flags = S.ULR_S6A_INDICATOR | (rng.chance(0.6) ? S.ULR_INITIAL_ATTACH : 0);
      const imei = rng.chance(0.7) ? '35' + rng.digits(12) : undefined;
      const big = rng.chance(p.bigRate);
      const apns: S.ApnConfig[] = [];
      const nApn = big ? rng.range(6, 10) : rng.range(1, 3);
      for (let i = 0; i < nApn; i++) apns.push({ contextId: i + 1, apn: APNS[i % APNS.length] + (big ? `.mnc${home.op.mnc.padStart(3, '0')}.mcc${home.op.mcc}.gprs` : ''), pdnType: rng.int(3), qci: rng.pick([5, 6, 8, 9]), priority: rng.range(1, 15) });
      const sub: S.SubscriptionData = { msisdn: newMsisdn(rng, home.op), accessMode: 2, ambrUl: 50_000_000, ambrDl: 150_000_000, apns };
      return [(c) => S.ulr(c, imsi, { ratType: rat, ulrFlags: flags, visitedPlmn: vplmn, imei, softwareVersion: imei ? rng.digits(2) : undefined }), (c, r) => S.ula(c, r, sub)];
    }
    case 'pur': {
      const freeze = rng.chance(0.5);
      return [(c) => S.pur(c, imsi), (c, r) => S.pua(c, r, freeze)];
    }
    case 'clr': {
      const r = rng.next();
      const type = r < 0.7 ? S.CANCEL_MME_UPDATE : r < 0.9 ? S.CANCEL_SUBSCRIPTION_WITHDRAWAL : S.CANCEL_INITIAL_ATTACH;
      return [(c) => S.clr(c, imsi, type, rng.chance(0.5) ? 1 : 0), (c, res2) => S.cla(c, res2)];
    }
    case 'idr': {
      const sub: S.SubscriptionData = { ambrUl: rng.pick([10_000_000, 50_000_000]), ambrDl: rng.pick([50_000_000, 150_000_000]) };
      if (rng.chance(0.3)) sub.apns = [{ contextId: 1, apn: rng.pick(APNS), pdnType: 0, qci: 9, priority: 8 }];
      return [(c) => S.idr(c, imsi, sub, rng.chance(0.3) ? 1 : 0), (c, r) => S.ida(c, r)];
    }
    case 'nor': {
      const apn = rng.chance(0.3) ? { contextId: 1, apn: rng.pick(APNS) } : undefined;
      return [(c) => S.nor(c, imsi, apn ? 1 : 0x40, apn), (c, r) => S.noa(c, r)];
    }
    case 'dsr':
      return [(c) => S.dsr(c, imsi, rng.pick([1, 2, 8, 0x20])), (c, r) => S.dsa(c, r)];
    case 'rsr': {
      const ids = [home.op.mcc + home.op.mnc, home.op.mcc + home.op.mnc + rng.digits(2)];
      return [(c) => S.rsr(c, ids), (c, r) => S.rsa(c, r)];
    }
  }
}

/** DWR from either end of a connection, DWA 0.3-5 ms later (RFC 6733 §5.5) */
export function startDwr(dx: DiameterEnv, t: number, link: DiameterLink): number {
  const cost = 1 + openCost([link]);
  if (!dx.budget.take(cost)) return 0;
  const rng = dx.rng;
  const t0 = linkReady(dx, link, t);
  const side: 0 | 1 = rng.chance(0.5) ? 0 : 1;
  const hbh = link.nextHbh(side);
  const node = side === 0 ? link.dea : link.dra;
  const e2e = nextE2e(node);
  const tx = new Transaction(dx.env, 'diameter', CMD_DEVICE_WATCHDOG, DIAMETER_PROCEDURES[CMD_DEVICE_WATCHDOG], null).outcome('ok', DIAMETER_SUCCESS);
  send(dx, link, side, t0, dwr(link.ident[side], hbh, e2e), tx.reqMark());
  const tAns = t0 + rng.range(300, 5_000);
  send(dx, link, (1 - side) as 0 | 1, tAns, dwa(link.ident[1 - side], { kind: 'result', code: DIAMETER_SUCCESS }, hbh, e2e), tx.rspMark());
  return cost;
}

/**
 * Several requests (AIR / ULR / PUR of different subscribers) written by one visited network at
 * the same instant on one connection, answered at the same instant: several messages per
 * TCP segment / SCTP packet, in both directions.
 */
export function startBurst(dx: DiameterEnv, t: number): number {
  const { rng } = dx;
  const visited = dx.ipw.byOp.get(rng.pick(dx.env.world.operators))!;
  const link = rng.pick(dx.links.get(visited)!);
  const mme = rng.pick(visited.mmes);
  const k = rng.range(2, 6);
  const latency = rng.range(10_000, 120_000);
  let used = 0;
  for (let i = 0; i < k; i++) {
    const home = dx.ipw.byOp.get(pickVisited(rng, dx.env.world, visited.op))!;
    const cmd = rng.pick(['air', 'air', 'ulr', 'pur'] as const);
    const outcome = pickOutcome(dx, cmd);
    // the DRA answering by itself or no answer would break the "answered together" picture
    const n = startS6a(dx, cmd, t, { home, visited, mme, burst: { link, latencyUs: latency }, outcome: outcome.kind === 'answer' && !outcome.byDra ? outcome : SUCCESS, plain: true });
    if (n === 0) break;
    used += n;
  }
  return used;
}

/**
 * Steering of roaming: the home HSS rejects the ULR from a non-preferred visited network with
 * DIAMETER_ERROR_ROAMING_NOT_ALLOWED (5004); the UE retries up to 4 times, then attaches to the
 * preferred partner, whose ULR is accepted.
 */
export function startSor(dx: DiameterEnv, t: number): number {
  const { rng } = dx;
  const world = dx.env.world;
  const home = dx.ipw.byOp.get(rng.pick(world.operators))!;
  const countries = [...new Set(world.operators.filter((o) => o !== home.op).map((o) => o.iso))];
  const multi = countries.filter((c) => world.operators.filter((o) => o.iso === c && o !== home.op).length >= 2);
  const country = rng.pick(multi.length > 0 ? multi : countries);
  const partners = world.operators.filter((o) => o.iso === country && o !== home.op).map((o) => dx.ipw.byOp.get(o)!);
  const nonPreferred = partners[0];
  const preferred = partners.length > 1 ? partners[1 + rng.int(partners.length - 1)] : partners[0];
  const imsi = newImsi(rng, home.op);
  const mme = rng.pick(nonPreferred.mmes);
  const tries = rng.range(1, 4);
  let used = 0;
  let tt = t;
  const rejected: DiameterOutcome = { kind: 'answer', result: exp(S.DIAMETER_ERROR_ROAMING_NOT_ALLOWED), byDra: false };
  for (let i = 0; i < tries; i++) {
    used += startS6a(dx, 'ulr', tt, { imsi, home, visited: nonPreferred, mme, outcome: rejected, plain: true });
    tt += rng.range(2_000_000, 8_000_000);
  }
  used += startS6a(dx, 'ulr', tt, { imsi, home, visited: preferred, outcome: SUCCESS, plain: true });
  return used;
}
