// Dialogue flows: which nodes talk, which TCAP messages they exchange and when, and the ground
// truth each flow implies. MAP procedures per TS 29.002 (§19 and the operation definitions of
// §17.6), CAP initialDP per TS 29.078, plus the special flows used by the fault scenarios.
import { Prng } from '../prng';
import { SccpAddress, NAI_INTERNATIONAL, NP_E164, NP_E214, SSN_GSMSCF, SSN_HLR, SSN_MSC } from '../encode/sccp';
import {
  AARE_RESULT_REJECT_PERMANENT,
  ABRT_SOURCE_USER,
  DIAG_USER_ACN_NOT_SUPPORTED,
  DIAG_USER_NO_REASON,
  INVOKE_PROBLEM_MISTYPED_PARAMETER,
  P_ABORT_RESOURCE_LIMITATION,
  P_ABORT_UNRECOGNIZED_TRANSACTION_ID,
  PROBLEM_INVOKE,
  aare,
  aarq,
  abrt,
  invoke,
  reject,
  returnError,
  returnResultLast,
  tcBegin,
  tcContinue,
  tcEnd,
  tcPAbort,
  tcUAbort,
} from '../encode/tcap';
import * as M from '../encode/map';
import * as C from '../encode/cap';
import { smsDeliver, smsSubmit } from '../encode/smsTpdu';
import { Dialogue, Side, Status } from './dialogue';
import { Association, NetNode, Operator, World, e214Gt, newImsi, newMsisdn, TID_RESERVED_BASE } from './topology';
import { ProcName, Profile } from './profile';

export interface FlowEnv {
  readonly rng: Prng;
  readonly world: World;
  readonly profile: Profile;
  /** transaction id octets of `side` (allocated when first used) */
  tid(d: Dialogue, side: Side): Buffer;
  /** put `side` on a given id (reserve = register it as in use) */
  forceTid(d: Dialogue, side: Side, value: number, reserve: boolean, len?: number): void;
  dialogue(a: NetNode, b: NetNode, addrA: SccpAddress, addrB: SccpAddress, o?: DialogueOptions): Dialogue;
  /** send step 0 of d at time t (and the rest after their delays) */
  start(d: Dialogue, t: number): void;
  /** run fn at time t */
  at(t: number, fn: () => void): void;
}

export interface DialogueOptions {
  assoc?: Association;
  dir0?: number;
  inTruth?: boolean;
}

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'error'; code: number }
  | { kind: 'reject' }
  | { kind: 'pabort' }
  | { kind: 'uabort' }
  | { kind: 'timeout' };

const MS = 1000;
const TIMEOUT_OUTCOME: Outcome = { kind: 'timeout' };
const OK: Outcome = { kind: 'ok' };

// Per-procedure error mix (code, probability) before Profile.errorScale (IPX observations:
// unknownSubscriber dominates, absentSubscriberSM on SMS, systemFailure now and then).
const ERRORS: Record<ProcName | 'initialDP', [number, number][]> = {
  sendAuthenticationInfo: [[M.ERR_UNKNOWN_SUBSCRIBER, 0.06], [M.ERR_SYSTEM_FAILURE, 0.004], [M.ERR_DATA_MISSING, 0.002]],
  updateLocation: [[M.ERR_UNKNOWN_SUBSCRIBER, 0.03], [M.ERR_ROAMING_NOT_ALLOWED, 0.02], [M.ERR_SYSTEM_FAILURE, 0.004], [M.ERR_UNEXPECTED_DATA_VALUE, 0.002]],
  cancelLocation: [[M.ERR_UNEXPECTED_DATA_VALUE, 0.004], [M.ERR_DATA_MISSING, 0.002]],
  updateGprsLocation: [[M.ERR_UNKNOWN_SUBSCRIBER, 0.04], [M.ERR_ROAMING_NOT_ALLOWED, 0.02], [M.ERR_SYSTEM_FAILURE, 0.005]],
  purgeMS: [[M.ERR_UNKNOWN_SUBSCRIBER, 0.03]],
  insertSubscriberData: [[M.ERR_UNIDENTIFIED_SUBSCRIBER, 0.02], [M.ERR_DATA_MISSING, 0.005]],
  sendRoutingInfoForSM: [
    [M.ERR_ABSENT_SUBSCRIBER_SM, 0.12], [M.ERR_UNKNOWN_SUBSCRIBER, 0.1], [M.ERR_TELESERVICE_NOT_PROVISIONED, 0.02],
    [M.ERR_CALL_BARRED, 0.02], [M.ERR_FACILITY_NOT_SUPPORTED, 0.01], [M.ERR_SYSTEM_FAILURE, 0.01],
  ],
  'mt-ForwardSM': [[M.ERR_ABSENT_SUBSCRIBER_SM, 0.1], [M.ERR_SUBSCRIBER_BUSY_FOR_MT_SMS, 0.04], [M.ERR_SM_DELIVERY_FAILURE, 0.04], [M.ERR_SYSTEM_FAILURE, 0.01]],
  'mo-ForwardSM': [[M.ERR_FACILITY_NOT_SUPPORTED, 0.02], [M.ERR_SM_DELIVERY_FAILURE, 0.02]],
  initialDP: [[C.CAP_ERR_MISSING_CUSTOMER_RECORD, 0.03], [C.CAP_ERR_SYSTEM_FAILURE, 0.005]],
};

export function pickOutcome(env: FlowEnv, proc: ProcName | 'initialDP'): Outcome {
  const p = env.profile;
  const r = env.rng.next();
  let acc = p.timeoutRate;
  if (r < acc) return TIMEOUT_OUTCOME;
  acc += p.abortRate;
  if (r < acc) return env.rng.chance(0.5) ? { kind: 'pabort' } : { kind: 'uabort' };
  acc += p.rejectRate;
  if (r < acc) return { kind: 'reject' };
  for (const [code, prob] of ERRORS[proc]) {
    acc += prob * p.errorScale;
    if (r < acc) return { kind: 'error', code };
  }
  return OK;
}

// ------------------------------------------------------------------ addresses and nodes

/** SCCP address of a node: route on GT, GTI 4, TT 0, E.164, international (Q.713 §3.4.2.3.4) */
const addressCache = new WeakMap<NetNode, Partial<Record<'own' | 'msc' | 'cap', SccpAddress>>>();

export function gtAddress(n: NetNode, as: 'own' | 'msc' | 'cap' = 'own'): SccpAddress {
  let c = addressCache.get(n);
  if (!c) addressCache.set(n, (c = {}));
  return (c[as] ??= makeGtAddress(n, as));
}

function makeGtAddress(n: NetNode, as: 'own' | 'msc' | 'cap'): SccpAddress {
  return {
    routeOnSsn: false,
    gti: 4,
    tt: 0,
    np: NP_E164,
    nai: NAI_INTERNATIONAL,
    digits: as === 'own' ? n.gt : n.mscGt,
    ssn: as === 'own' ? n.ssn : as === 'msc' ? SSN_MSC : SSN_GSMSCF,
    pc: n.includePc ? n.pc : undefined,
  };
}

/** called party of a Begin towards the HLR: E.214 mobile global title built from the IMSI (TS 23.003 §12.1) */
function mgtAddress(home: Operator, imsi: string): SccpAddress {
  return { routeOnSsn: false, gti: 4, tt: 0, np: NP_E214, nai: NAI_INTERNATIONAL, digits: e214Gt(home, imsi), ssn: SSN_HLR };
}

function msisdnAddress(msisdn: string): SccpAddress {
  return { routeOnSsn: false, gti: 4, tt: 0, np: NP_E164, nai: NAI_INTERNATIONAL, digits: msisdn, ssn: SSN_HLR };
}

const EUROPE = new Set(['GB', 'DE', 'ES', 'NL']);

const visitedPools = new WeakMap<Operator, [Operator[], Operator[]]>();

/** a visited operator for a subscriber of `home`: another operator, same region 60 % of the time */
export function pickVisited(rng: Prng, world: World, home: Operator): Operator {
  let pools = visitedPools.get(home);
  if (!pools) {
    const others = world.operators.filter((o) => o !== home);
    const same = others.filter((o) => EUROPE.has(o.iso) === EUROPE.has(home.iso));
    const other = others.filter((o) => EUROPE.has(o.iso) !== EUROPE.has(home.iso));
    pools = [same.length > 0 ? same : others, other.length > 0 ? other : others];
    visitedPools.set(home, pools);
  }
  return rng.pick(pools[rng.chance(0.6) ? 0 : 1]);
}

/** one-way-plus-processing response time between two operators, 10..300 ms */
export function responseTime(rng: Prng, a: Operator, b: Operator): number {
  let lo: number;
  let hi: number;
  if (a.iso === b.iso) [lo, hi] = [10, 60];
  else if (EUROPE.has(a.iso) === EUROPE.has(b.iso)) [lo, hi] = [20, 120];
  else [lo, hi] = [80, 250];
  return rng.range(lo * MS, hi * MS);
}

function invokeId(rng: Prng): number {
  return rng.chance(0.7) ? 1 : rng.range(0, 127);
}

// ------------------------------------------------------------------ common step builders

/**
 * Append the responder's final answer to the first invoke: End with result / error / reject
 * (with AARE when `firstAnswer`), P-Abort, U-Abort, or nothing (timeout). Sets the truth.
 */
function answer(
  env: FlowEnv,
  d: Dialogue,
  o: Outcome,
  delayUs: number,
  acn: string,
  iid: number,
  result: () => Buffer | undefined,
  firstAnswer = true,
): void {
  const rng = env.rng;
  const dlg = () => (firstAnswer ? aare(acn) : undefined);
  switch (o.kind) {
    case 'ok':
      d.status = 'ok';
      d.add({ from: 1, delayUs, role: 'rsp', closes: true, build: () => tcEnd(env.tid(d, 0), dlg(), [result() ?? returnResultLast(iid)]) });
      break;
    case 'error':
      d.status = 'error';
      d.resultCode = o.code;
      d.add({ from: 1, delayUs, role: 'rsp', closes: true, build: () => tcEnd(env.tid(d, 0), dlg(), [returnError(iid, o.code, M.errorParam(o.code))]) });
      break;
    case 'reject':
      d.status = 'reject';
      d.add({
        from: 1, delayUs, role: 'rsp', closes: true,
        build: () => tcEnd(env.tid(d, 0), dlg(), [reject(iid, PROBLEM_INVOKE, INVOKE_PROBLEM_MISTYPED_PARAMETER)]),
      });
      break;
    case 'pabort': {
      d.status = 'abort';
      const cause = rng.chance(0.7) ? P_ABORT_RESOURCE_LIMITATION : P_ABORT_UNRECOGNIZED_TRANSACTION_ID;
      d.add({ from: 1, delayUs, role: 'rsp', closes: true, build: () => tcPAbort(env.tid(d, 0), cause) });
      break;
    }
    case 'uabort':
      d.status = 'abort';
      d.add({
        from: 1, delayUs, role: 'rsp', closes: true,
        // refusal of the dialogue: AARE reject-permanent (Q.774 §3.2.2.3); later in a dialogue: ABRT
        build: () => tcUAbort(env.tid(d, 0), firstAnswer ? aare(acn, AARE_RESULT_REJECT_PERMANENT, DIAG_USER_NO_REASON) : abrt(ABRT_SOURCE_USER)),
      });
      break;
    case 'timeout':
      d.status = 'timeout';
      break;
  }
}

/** Begin { AARQ(acn), Invoke(iid, op, arg) } from side 0 */
function begin(env: FlowEnv, d: Dialogue, acn: string, iid: number, op: number, arg: () => Buffer, called?: SccpAddress): void {
  d.add({ from: 0, delayUs: 0, role: 'req', closes: false, called, build: () => tcBegin(env.tid(d, 0), aarq(acn), [invoke(iid, op, arg())]) });
}

function authVectors(rng: Prng, n: number, quint: boolean): M.AuthVector[] {
  const v: M.AuthVector[] = [];
  for (let i = 0; i < n; i++) {
    v.push(
      quint
        ? { rand: rng.bytes(16), xres: rng.bytes(rng.pick([4, 8, 16])), ck: rng.bytes(16), ik: rng.bytes(16), autn: rng.bytes(16) }
        : { rand: rng.bytes(16), sres: rng.bytes(4), kc: rng.bytes(8) },
    );
  }
  return v;
}

const APNS = ['internet', 'ims', 'mms', 'wap', 'iot.m2m', 'corp.vpn', 'hos', 'xcap.ims', 'sos', 'web.roaming'];

function subscriberData(rng: Prng, msisdn: string, o: { imsi?: string; gprs: boolean; big: boolean }): M.SubscriberDataOptions {
  const ss = [0x11, 0x12, 0x21, 0x29, 0x2a, 0x41, 0x42, 0x51].filter(() => rng.chance(0.6));
  const pdp: M.PdpContext[] = [];
  if (o.gprs || o.big) {
    const n = o.big ? rng.range(8, 14) : rng.range(1, 2);
    for (let i = 0; i < n; i++) {
      const apn = APNS[i % APNS.length] + (o.big ? `.mnc0${rng.range(10, 99)}.mcc${rng.range(200, 799)}.gprs` : '');
      pdp.push({ id: i + 1, apn, qos: Buffer.from([0x23, 0x93, 0x1f]) });
    }
  }
  return {
    imsi: o.imsi,
    msisdn,
    teleservices: [0x11, 0x21, 0x22].concat(rng.chance(0.3) ? [0x61] : []),
    ssCodes: o.gprs ? [] : ss,
    barrings: o.gprs ? [] : rng.chance(0.5) ? [0x92] : [0x92, 0x93],
    pdpContexts: pdp,
  };
}

// ------------------------------------------------------------------ MAP procedures

export interface ProcOptions {
  imsi?: string;
  home?: Operator;
  visited?: Operator;
  /** initiating node (VLR / SGSN / SMSC ...) */
  from?: NetNode;
  to?: NetNode;
  outcome?: Outcome;
  acVersion?: number;
  assoc?: Association;
  dir0?: number;
}

/** create and start one dialogue of the given procedure at time t */
export function startProcedure(env: FlowEnv, proc: ProcName, t: number, o: ProcOptions = {}): Dialogue {
  const d = planProcedure(env, proc, o);
  env.start(d, t);
  return d;
}

/** build (without starting) one dialogue of the given procedure */
export function planProcedure(env: FlowEnv, proc: ProcName, o: ProcOptions = {}): Dialogue {
  const { rng, world } = env;
  const home = o.home ?? rng.pick(world.operators);
  const visited = o.visited ?? pickVisited(rng, world, home);
  const imsi = o.imsi ?? newImsi(rng, home);
  const outcome = o.outcome ?? pickOutcome(env, proc);
  const hlr = (): NetNode => (o.to && o.to.kind === 'hlr' ? o.to : rng.pick(home.hlrs));
  const iid = invokeId(rng);
  const rt = responseTime(rng, home, visited);
  const dOpt = { assoc: o.assoc, dir0: o.dir0 };
  let d: Dialogue;
  switch (proc) {
    case 'sendAuthenticationInfo': {
      const sgsn = o.from ? o.from.kind === 'sgsn' : rng.chance(0.2);
      const vlr = o.from ?? rng.pick(sgsn ? visited.sgsns : visited.vlrs);
      const h = hlr();
      d = env.dialogue(vlr, h, gtAddress(vlr), gtAddress(h), dOpt);
      const v3 = o.acVersion !== undefined ? o.acVersion === 3 : rng.chance(0.85);
      const acn = M.mapAcn(M.AC_INFO_RETRIEVAL, v3 ? 3 : 2);
      const big = rng.chance(env.profile.bigMessageRate);
      const quint = big || sgsn || rng.chance(0.6);
      const n = big ? 5 : quint ? 1 : rng.range(1, 3);
      const vectors = authVectors(rng, v3 ? n : Math.min(n, 3), v3 && quint);
      // v2 (§17.6.3 SendAuthenticationInfoArgV2 = IMSI) for older VLRs
      const arg = v3 ? M.saiArg(imsi, n, rng.chance(0.5) ? { sgsn, mcc: visited.mcc, mnc: visited.mnc } : undefined) : M.imsiArg(imsi);
      begin(env, d, acn, iid, M.OP_SEND_AUTHENTICATION_INFO, () => arg, called(rng, h, home, imsi));
      answer(env, d, outcome, rt, acn, iid, () =>
        returnResultLast(iid, M.OP_SEND_AUTHENTICATION_INFO, v3 ? M.saiRes(vectors, quint) : M.saiResV2(vectors)),
      );
      break;
    }
    case 'updateLocation':
    case 'updateGprsLocation': {
      const gprs = proc === 'updateGprsLocation';
      const vlr = o.from ?? rng.pick(gprs ? visited.sgsns : visited.vlrs);
      const h = hlr();
      d = env.dialogue(vlr, h, gtAddress(vlr), gtAddress(h), dOpt);
      const acn = M.mapAcn(gprs ? M.AC_GPRS_LOCATION_UPDATE : M.AC_NETWORK_LOC_UP, o.acVersion ?? 3);
      const op = gprs ? M.OP_UPDATE_GPRS_LOCATION : M.OP_UPDATE_LOCATION;
      const arg = gprs
        ? M.uglArg(imsi, vlr.gt, vlr.ip)
        : M.ulArg(imsi, vlr.mscGt, vlr.gt, rng.chance(0.3) ? rng.bytes(4) : undefined, rng.chance(0.5) ? 0xe0 : undefined);
      begin(env, d, acn, iid, op, () => arg, called(rng, h, home, imsi));
      const nested = outcome.kind === 'ok' || ((outcome.kind === 'pabort' || outcome.kind === 'uabort') && rng.chance(0.5));
      if (nested) {
        // nested insertSubscriberData (§19.1.1.1): HLR Continue(ISD) -> VLR Continue(result) -> final answer
        const msisdn = newMsisdn(rng, home);
        const big = rng.chance(env.profile.bigMessageRate);
        const isdId = invokeId(rng);
        const nIsd = big && !gprs ? 1 : rng.chance(0.15) ? 2 : 1;
        let first = true;
        for (let k = 0; k < nIsd; k++) {
          const data = M.isdArg(subscriberData(rng, msisdn, { gprs, big }));
          const isFirst = first;
          d.add({
            from: 1, delayUs: isFirst ? Math.floor(rt * 0.6) : rng.range(2 * MS, 15 * MS), role: 'msg', closes: false,
            build: () => tcContinue(env.tid(d, 1), env.tid(d, 0), isFirst ? aare(acn) : undefined, [invoke((isdId + k) & 0x7f, M.OP_INSERT_SUBSCRIBER_DATA, data)]),
          });
          const isdErr = rng.chance(env.profile.isdErrorRate);
          d.add({
            from: 0, delayUs: rng.range(3 * MS, 25 * MS), role: 'msg', closes: false,
            build: () => tcContinue(env.tid(d, 0), env.tid(d, 1), undefined, [isdErr ? returnError((isdId + k) & 0x7f, M.ERR_DATA_MISSING) : returnResultLast((isdId + k) & 0x7f)]),
          });
          first = false;
        }
        answer(env, d, outcome, rng.range(3 * MS, 25 * MS), acn, iid, () => returnResultLast(iid, op, M.hlrNumberRes(h.gt)), false);
      } else {
        answer(env, d, outcome, rt, acn, iid, () => returnResultLast(iid, op, M.hlrNumberRes(h.gt)));
      }
      break;
    }
    case 'cancelLocation': {
      const sgsn = o.to ? o.to.kind === 'sgsn' : rng.chance(0.2);
      const vlr = o.to ?? rng.pick(sgsn ? visited.sgsns : visited.vlrs);
      const h = o.from ?? rng.pick(home.hlrs);
      d = env.dialogue(h, vlr, gtAddress(h), gtAddress(vlr), dOpt);
      const acn = M.mapAcn(M.AC_LOCATION_CANCELLATION, 3);
      const arg = M.clArg(imsi, rng.chance(0.8) ? M.CANCEL_UPDATE_PROCEDURE : M.CANCEL_SUBSCRIPTION_WITHDRAW);
      begin(env, d, acn, iid, M.OP_CANCEL_LOCATION, () => arg);
      const withRes = rng.chance(0.5);
      answer(env, d, outcome, rt, acn, iid, () => (withRes ? returnResultLast(iid, M.OP_CANCEL_LOCATION, M.isdRes()) : undefined));
      break;
    }
    case 'purgeMS': {
      const sgsn = rng.chance(0.25);
      const vlr = o.from ?? rng.pick(sgsn ? visited.sgsns : visited.vlrs);
      const h = hlr();
      d = env.dialogue(vlr, h, gtAddress(vlr), gtAddress(h), dOpt);
      const acn = M.mapAcn(M.AC_MS_PURGING, 3);
      const arg = M.purgeArg(imsi, vlr.gt, vlr.kind === 'sgsn');
      begin(env, d, acn, iid, M.OP_PURGE_MS, () => arg, called(rng, h, home, imsi));
      const freeze = rng.chance(0.5);
      answer(env, d, outcome, rt, acn, iid, () => returnResultLast(iid, M.OP_PURGE_MS, M.purgeRes(freeze, vlr.kind === 'sgsn')));
      break;
    }
    case 'insertSubscriberData': {
      const sgsn = rng.chance(0.2);
      const vlr = o.to ?? rng.pick(sgsn ? visited.sgsns : visited.vlrs);
      const h = o.from ?? rng.pick(home.hlrs);
      d = env.dialogue(h, vlr, gtAddress(h), gtAddress(vlr), dOpt);
      const acn = M.mapAcn(M.AC_SUBSCRIBER_DATA_MNGT, 3);
      const big = rng.chance(env.profile.bigMessageRate);
      const arg = M.isdArg(subscriberData(rng, newMsisdn(rng, home), { imsi, gprs: vlr.kind === 'sgsn', big }));
      begin(env, d, acn, iid, M.OP_INSERT_SUBSCRIBER_DATA, () => arg);
      const withRes = rng.chance(0.5);
      answer(env, d, outcome, rt, acn, iid, () => (withRes ? returnResultLast(iid, M.OP_INSERT_SUBSCRIBER_DATA, M.isdRes()) : undefined));
      break;
    }
    case 'sendRoutingInfoForSM': {
      // SMS-GMSC of the sender's network asks the recipient's HLR (called party = the MSISDN)
      const smsc = o.from ?? rng.pick(visited.smscs);
      const h = hlr();
      d = env.dialogue(smsc, h, gtAddress(smsc), gtAddress(h), dOpt);
      const acn = M.mapAcn(M.AC_SHORT_MSG_GATEWAY, 3);
      const msisdn = newMsisdn(rng, home);
      const serving = rng.pick(pickVisited(rng, world, home).vlrs);
      begin(env, d, acn, iid, M.OP_SEND_ROUTING_INFO_FOR_SM, () => M.sriSmArg(msisdn, smsc.gt), msisdnAddress(msisdn));
      answer(env, d, outcome, rt, acn, iid, () =>
        returnResultLast(iid, M.OP_SEND_ROUTING_INFO_FOR_SM, M.sriSmRes(imsi, serving.mscGt, rng.chance(0.5) ? rng.bytes(4) : undefined)),
      );
      break;
    }
    case 'mt-ForwardSM': {
      // SMS-GMSC (any network) delivers to the serving MSC of the roaming recipient
      const smsc = o.from ?? rng.pick(rng.pick(world.operators.filter((x) => x !== visited)).smscs);
      const msc = o.to ?? rng.pick(visited.vlrs);
      d = env.dialogue(smsc, msc, gtAddress(smsc), gtAddress(msc, 'msc'), dOpt);
      const acn = M.mapAcn(M.AC_SHORT_MSG_MT_RELAY, 3);
      const tpdu = smsDeliver(newMsisdn(rng, smsc.op), rng.pick(TEXTS), 1700000000 + rng.int(86400));
      begin(env, d, acn, iid, M.OP_MT_FORWARD_SM, () => M.mtForwardSmArg(imsi, smsc.gt, tpdu));
      answer(env, d, outcome, rt, acn, iid, () => undefined);
      break;
    }
    case 'mo-ForwardSM': {
      // serving MSC of the roaming sender relays to its home SMSC
      const msc = o.from ?? rng.pick(visited.vlrs);
      const smsc = o.to ?? rng.pick(home.smscs);
      d = env.dialogue(msc, smsc, gtAddress(msc, 'msc'), gtAddress(smsc), dOpt);
      const acn = M.mapAcn(M.AC_SHORT_MSG_MO_RELAY, 3);
      const withImsi = rng.chance(0.6);
      const tpdu = smsSubmit(rng.int(256), newMsisdn(rng, rng.pick(world.operators)), rng.pick(TEXTS));
      begin(env, d, acn, iid, M.OP_MO_FORWARD_SM, () => M.moForwardSmArg(smsc.gt, newMsisdn(rng, home), tpdu, withImsi ? imsi : undefined));
      answer(env, d, outcome, rt, acn, iid, () => undefined);
      d.imsi = withImsi ? imsi : null;
      d.procedure = proc;
      d.opcode = M.OP_MO_FORWARD_SM;
      return d;
    }
  }
  d.procedure = proc;
  d.opcode = OPCODES[proc];
  d.imsi = imsiSeen(proc, d.status, imsi);
  return d;
}

const OPCODES: Record<ProcName, number> = {
  sendAuthenticationInfo: M.OP_SEND_AUTHENTICATION_INFO,
  updateLocation: M.OP_UPDATE_LOCATION,
  cancelLocation: M.OP_CANCEL_LOCATION,
  updateGprsLocation: M.OP_UPDATE_GPRS_LOCATION,
  purgeMS: M.OP_PURGE_MS,
  insertSubscriberData: M.OP_INSERT_SUBSCRIBER_DATA,
  sendRoutingInfoForSM: M.OP_SEND_ROUTING_INFO_FOR_SM,
  'mt-ForwardSM': M.OP_MT_FORWARD_SM,
  'mo-ForwardSM': M.OP_MO_FORWARD_SM,
};

/** the IMSI a dialogue shows: in the request, or (SRI-SM) only in a successful result */
function imsiSeen(proc: ProcName, status: Status, imsi: string): string | null {
  if (proc === 'sendRoutingInfoForSM') return status === 'ok' ? imsi : null;
  return imsi;
}

function called(rng: Prng, h: NetNode, home: Operator, imsi: string): SccpAddress {
  return rng.chance(0.85) ? mgtAddress(home, imsi) : gtAddress(h);
}

const TEXTS = ['Hello', 'Welcome to the network', 'Your code is 123456', 'Call me back', 'See you at 8', 'OK'];

// ------------------------------------------------------------------ CAP

/** CAP v2 initialDP from the visited MSC (gsmSSF) to the home gsmSCF (TS 29.078 §6.1.1) */
export function planInitialDp(env: FlowEnv, o: ProcOptions = {}): Dialogue {
  const { rng, world } = env;
  const home = o.home ?? rng.pick(world.operators);
  const visited = o.visited ?? pickVisited(rng, world, home);
  const imsi = o.imsi ?? newImsi(rng, home);
  const outcome = o.outcome ?? pickOutcome(env, 'initialDP');
  const msc = rng.pick(visited.vlrs);
  const scf = rng.pick(home.scfs);
  const d = env.dialogue(msc, scf, gtAddress(msc, 'cap'), gtAddress(scf), { assoc: o.assoc, dir0: o.dir0 });
  const acn = C.CAP_V2_SSF_TO_SCF_ACN;
  const iid = invokeId(rng);
  const withImsi = rng.chance(0.8);
  const arg = C.initialDpArg({
    serviceKey: rng.pick([1, 10, 100, 200]),
    calledNumber: newMsisdn(rng, rng.pick(world.operators)),
    callingNumber: newMsisdn(rng, home),
    imsi: withImsi ? imsi : undefined,
    mscAddress: msc.mscGt,
    callReference: rng.bytes(8),
  });
  begin(env, d, acn, iid, C.CAP_OP_INITIAL_DP, () => arg);
  const r = rng.next();
  const scfId = rng.range(1, 3);
  const answerComp = (): Buffer =>
    r < 0.7 ? invoke(scfId, C.CAP_OP_CONTINUE) : r < 0.85 ? invoke(scfId, C.CAP_OP_RELEASE_CALL, C.releaseCallArg(31)) : invoke(scfId, C.CAP_OP_CONNECT, C.connectArg(newMsisdn(rng, home)));
  if (outcome.kind === 'error') {
    d.status = 'error';
    d.resultCode = outcome.code;
    d.add({ from: 1, delayUs: responseTime(rng, home, visited), role: 'rsp', closes: true, build: () => tcEnd(env.tid(d, 0), aare(acn), [returnError(iid, outcome.code)]) });
  } else if (outcome.kind === 'ok') {
    d.status = 'ok';
    d.add({ from: 1, delayUs: responseTime(rng, home, visited), role: 'rsp', closes: true, build: () => tcEnd(env.tid(d, 0), aare(acn), [answerComp()]) });
  } else {
    answer(env, d, outcome, responseTime(rng, home, visited), acn, iid, () => undefined);
  }
  d.protocol = 'cap';
  d.procedure = 'initialDP';
  d.opcode = C.CAP_OP_INITIAL_DP;
  d.imsi = withImsi ? imsi : null;
  return d;
}

// ------------------------------------------------------------------ special flows

/**
 * Steering of roaming: the home HLR rejects updateLocation from a non-preferred visited network
 * with roamingNotAllowed; the handset tries 4 times, then registers on the preferred partner.
 * Returns the number of dialogues (5).
 */
export function startSorEpisode(env: FlowEnv, t: number): number {
  const { rng, world } = env;
  const home = rng.pick(world.operators);
  // a visited country with at least two partner networks if there is one
  const countries = [...new Set(world.operators.filter((o) => o !== home).map((o) => o.iso))];
  const multi = countries.filter((c) => world.operators.filter((o) => o.iso === c && o !== home).length >= 2);
  const country = rng.pick(multi.length > 0 ? multi : countries);
  const partners = world.operators.filter((o) => o.iso === country && o !== home);
  const nonPreferred = partners[0];
  const preferred = partners.length > 1 ? partners[1 + rng.int(partners.length - 1)] : partners[0];
  const imsi = newImsi(rng, home);
  const hlr = rng.pick(home.hlrs);
  let tt = t;
  const vlr = rng.pick(nonPreferred.vlrs);
  for (let i = 0; i < 4; i++) {
    const at = tt;
    env.at(at, () => startProcedure(env, 'updateLocation', at, { imsi, home, visited: nonPreferred, from: vlr, to: hlr, outcome: { kind: 'error', code: M.ERR_ROAMING_NOT_ALLOWED } }));
    tt += rng.range(2_000 * MS, 8_000 * MS);
  }
  const at = tt;
  env.at(at, () => startProcedure(env, 'updateLocation', at, { imsi, home, visited: preferred, to: hlr, outcome: OK }));
  return 5;
}

/** the same Begin sent twice 1 s apart (an application retry), answered once: one dialogue */
export function startRetransmittedBegin(env: FlowEnv, t: number): number {
  const d = planProcedure(env, 'sendAuthenticationInfo', { outcome: OK });
  // steps: [Begin, End]; insert the identical Begin copy 1 s later and delay the End after it
  const beginStep = d.steps[0];
  let bytes: Buffer | null = null;
  const first = { ...beginStep, build: () => (bytes = beginStep.build()) };
  const copy = { ...beginStep, role: 'msg' as const, delayUs: 1_000 * MS, build: () => bytes! };
  const end = d.steps[1];
  d.steps.length = 0;
  d.add(first).add(copy).add({ ...end, delayUs: Math.min(end.delayUs, 200 * MS) });
  env.start(d, t);
  return 1;
}

/**
 * Application-context fallback (TS 29.002 §15.1): Begin with a v3 AC, the peer refuses with a
 * TC-U-ABORT carrying AARE(reject-permanent, application-context-name-not-supported, its v2 AC),
 * the initiator opens a new dialogue with the v2 AC. Two dialogues: abort, then ok.
 */
export function startAcFallback(env: FlowEnv, t: number): number {
  const { rng, world } = env;
  const home = rng.pick(world.operators);
  const visited = pickVisited(rng, world, home);
  const imsi = newImsi(rng, home);
  const vlr = rng.pick(visited.vlrs);
  const hlr = rng.pick(home.hlrs);
  const proc: ProcName = rng.chance(0.5) ? 'updateLocation' : 'sendAuthenticationInfo';
  const ac = proc === 'updateLocation' ? M.AC_NETWORK_LOC_UP : M.AC_INFO_RETRIEVAL;
  const d1 = planProcedure(env, proc, { imsi, home, visited, from: vlr, to: hlr, outcome: OK, acVersion: 3 });
  const rt = responseTime(rng, home, visited);
  d1.steps.length = 1; // keep the Begin
  d1.add({
    from: 1, delayUs: rt, role: 'rsp', closes: true,
    build: () => tcUAbort(env.tid(d1, 0), aare(M.mapAcn(ac, 2), AARE_RESULT_REJECT_PERMANENT, DIAG_USER_ACN_NOT_SUPPORTED)),
  });
  d1.status = 'abort';
  d1.resultCode = null;
  env.start(d1, t);
  const t2 = t + rt + rng.range(2 * MS, 20 * MS);
  env.at(t2, () => startProcedure(env, proc, t2, { imsi, home, visited, from: vlr, to: hlr, outcome: OK, acVersion: 2, assoc: d1.assoc, dir0: d1.dir0 }));
  return 2;
}

/** the same VLR reuses the otid of a finished dialogue for a new one shortly after the End */
export function startTidReuseAfterEnd(env: FlowEnv, t: number): number {
  const { rng } = env;
  const d1 = planProcedure(env, 'sendAuthenticationInfo', { outcome: OK });
  env.start(d1, t);
  const endDelay = d1.steps.reduce((s, x) => s + x.delayUs, 0);
  const t2 = t + endDelay + rng.range(20 * MS, 500 * MS);
  env.at(t2, () => {
    const d2 = planProcedure(env, rng.chance(0.5) ? 'sendAuthenticationInfo' : 'updateLocation', {
      home: d1.nodes[1].op, visited: d1.nodes[0].op, from: d1.nodes[0], to: d1.nodes[1], outcome: OK, assoc: d1.assoc, dir0: d1.dir0,
    });
    env.forceTid(d2, 0, d1.tid[0]!, true, d1.tidLen[0]);
    env.start(d2, t2);
  });
  return 2;
}

/**
 * Two VLRs (different GTs, behind the same gateway) open dialogues with the same otid at the
 * same time towards the same HLR; the HLR answers each (dtid = that otid), routed on the VLR GT.
 */
export function startTidReuseTwoVlrs(env: FlowEnv, t: number): number {
  const { rng, world } = env;
  const home = rng.pick(world.operators);
  const visited = pickVisited(rng, world, home);
  const [v1, v2] = pickTwo(rng, visited.vlrs);
  const hlr = rng.pick(home.hlrs);
  const assoc = rng.pick(visited.assocs);
  const d1 = planProcedure(env, 'sendAuthenticationInfo', { home, visited, from: v1, to: hlr, outcome: OK, assoc, dir0: 0 });
  const d2 = planProcedure(env, rng.chance(0.5) ? 'sendAuthenticationInfo' : 'updateLocation', { home, visited, from: v2, to: hlr, outcome: OK, assoc, dir0: 0 });
  env.start(d1, t);
  const t2 = t + rng.range(0, 5 * MS);
  env.at(t2, () => {
    env.forceTid(d2, 0, d1.tid[0]!, false, d1.tidLen[0]);
    env.start(d2, t2);
  });
  return 2;
}

function pickTwo<T>(rng: Prng, xs: readonly T[]): [T, T] {
  const i = rng.int(xs.length);
  let j = rng.int(xs.length - 1);
  if (j >= i) j++;
  return [xs[i], xs[j]];
}

/**
 * The tail of a dialogue whose Begin was sent before the capture started (not in the truth):
 * a lone End / Abort, or the rest of an updateLocation (Continue ISD, Continue, End).
 */
export function startOrphan(env: FlowEnv, t: number): void {
  const { rng, world } = env;
  const home = rng.pick(world.operators);
  const visited = pickVisited(rng, world, home);
  const vlr = rng.pick(visited.vlrs);
  const hlr = rng.pick(home.hlrs);
  const d = env.dialogue(vlr, hlr, gtAddress(vlr), gtAddress(hlr), { inTruth: false });
  // ids from the range no node allocates, so nothing in the capture can match them
  env.forceTid(d, 0, TID_RESERVED_BASE + rng.int(0xffffff), false, 4);
  env.forceTid(d, 1, TID_RESERVED_BASE + rng.int(0xffffff), false, 4);
  const r = rng.int(3);
  const iid = 1;
  if (r === 0) {
    d.add({ from: 1, delayUs: 0, role: 'msg', closes: true, build: () => tcEnd(env.tid(d, 0), undefined, [returnResultLast(iid, M.OP_UPDATE_LOCATION, M.hlrNumberRes(hlr.gt))]) });
  } else if (r === 1) {
    d.add({ from: 1, delayUs: 0, role: 'msg', closes: true, build: () => tcPAbort(env.tid(d, 0), P_ABORT_RESOURCE_LIMITATION) });
  } else {
    const data = M.isdArg(subscriberData(rng, newMsisdn(rng, home), { gprs: false, big: false }));
    d.add({ from: 1, delayUs: 0, role: 'msg', closes: false, build: () => tcContinue(env.tid(d, 1), env.tid(d, 0), undefined, [invoke(2, M.OP_INSERT_SUBSCRIBER_DATA, data)]) });
    d.add({ from: 0, delayUs: rng.range(3 * MS, 20 * MS), role: 'msg', closes: false, build: () => tcContinue(env.tid(d, 0), env.tid(d, 1), undefined, [returnResultLast(2)]) });
    d.add({ from: 1, delayUs: rng.range(3 * MS, 20 * MS), role: 'msg', closes: true, build: () => tcEnd(env.tid(d, 0), undefined, [returnResultLast(iid, M.OP_UPDATE_LOCATION, M.hlrNumberRes(hlr.gt))]) });
  }
  env.start(d, t);
}
