/**
 * Active GTP tunnels — PDP contexts (TS 29.060 §7.3.1-§7.3.6) and EPS PDN connections
 * (TS 29.274 §7.2.1-§7.2.10) — from an accepted Create to its Delete, and the `tunnels` records.
 *
 * A tunnel is created by the transaction layer when a Create PDP Context / Create Session
 * Response accepts the request. It is indexed by both control-plane endpoints, (creator address,
 * creator TEID) and (peer address, peer TEID) — the TEIDs learnt from TEID Control Plane /
 * Sender F-TEID, the addresses from GSN Address / F-TEID (else the packet's) — because later
 * requests carry only the receiver's TEID in their header: a Delete travelling to address A with
 * header TEID T finds the tunnel whose endpoint at A is T. Several tunnels may share one
 * endpoint (the PDN connections of a UE behind a per-UE S11 TEID, primary and secondary PDP
 * contexts behind one TEID-C); the NSAPI / EPS bearer id then tells them apart. User-plane
 * endpoints are indexed too, for Error Indication (TS 29.281 §7.3.1: TEID Data I + GTP-U Peer
 * Address).
 *
 * Bounded: at most `maxActive` tunnels (the least recently active one is closed as `evicted`),
 * and a tunnel without any control message for `idleTimeoutUs` of packet time is closed as
 * `idle_timeout`. exportActive() / importActive() carry the table over a restart of the probe.
 */
import { LruList, type LruNode } from './lru';
import { TeidIndex, type TeidIndexNode } from './teidIndex';
import type { RecordContext } from '../dispatch/pipeline';
import type { TunnelRecord, TunnelSink, UserPlaneCounters } from './record';
import { ipText } from '../protocols/gtp/strings';
import { GpduMiss, UserPlaneStats } from './userPlane';

export interface GtpTunnelLimits {
  /** Active tunnels at most. */
  maxActive: number;
  /** A tunnel with no control message for this long (packet time, µs) is closed. */
  idleTimeoutUs: number;
}

/** A tunnel carrying G-PDUs is marked changed for the live checkpoint at most this often (packet time). */
const USER_CKPT_INTERVAL_US = 60_000_000;

export const DEFAULT_GTP_TUNNEL_LIMITS: GtpTunnelLimits = { maxActive: 1_000_000, idleTimeoutUs: 24 * 3600 * 1e6 };

/**
 * Why a tunnel row was written: delete (Delete PDP Context / Delete Session, answered or not),
 * delete_bearer (Delete Bearer Request with the Linked EBI: the whole PDN connection),
 * error_indication, idle_timeout, evicted, create_rejected (the Create was answered with a
 * rejection cause: the row records the attempt, no tunnel was active), replaced (a new accepted
 * Create took the same endpoint and bearer), capture_end, shutdown.
 */
export type TunnelEndReason =
  | 'delete'
  | 'delete_bearer'
  | 'error_indication'
  | 'idle_timeout'
  | 'evicted'
  | 'create_rejected'
  | 'replaced'
  | 'capture_end'
  | 'shutdown';

/** Endpoint slots of a tunnel (index into Tunnel.addr / teid / nodes). */
export const enum TunnelSide {
  CreatorCtrl = 0,
  PeerCtrl = 1,
  CreatorData = 2,
  PeerData = 3,
}

/** What an answered Create exchange tells the tunnel table (filled by the transaction layer). */
export interface CreateExchange {
  version: 1 | 2;
  /** Identities already protected (see identities.ts); MCC/MNC in clear. */
  imsi: string | null;
  msisdn: string | null;
  homeMcc: string | null;
  homeMnc: string | null;
  visitedMcc: string | null;
  visitedMnc: string | null;
  apn: string | null;
  ratType: string | null;
  bearerId: number;
  reqCtrlTeid: number;
  reqCtrlAddr: Buffer | null;
  reqDataTeid: number;
  reqDataAddr: Buffer | null;
  rspCtrlTeid: number;
  rspCtrlAddr: Buffer | null;
  rspDataTeid: number;
  rspDataAddr: Buffer | null;
  reqFrame: number | null;
  reqUs: number;
  rspFrame: number | null;
  rspUs: number | null;
  /** Cause of the response, -1 when it had none. */
  cause: number;
}

/** JSON form of an active tunnel (table gtp_active_tunnels); addresses as hex octets. */
export interface TunnelState extends UserPlaneCounters {
  protocol: 'gtpv1' | 'gtpv2';
  imsi: string | null;
  msisdn: string | null;
  homeMcc: string | null;
  homeMnc: string | null;
  visitedMcc: string | null;
  visitedMnc: string | null;
  apn: string | null;
  ratType: string | null;
  bearerId: number;
  /** [creator ctrl, peer ctrl, creator data, peer data]: address hex (or null) and TEID (-1 none). */
  addr: (string | null)[];
  teid: number[];
  createCause: number | null;
  createTimeUs: number;
  setupDelayUs: number | null;
  createFrame: number | null;
  lastUs: number;
  /** Row id in gtp_active_tunnels: set when loaded from the spool, never part of the saved JSON. */
  ckptKey?: number;
}

/**
 * Told of every change to the active set, so that the live probe can checkpoint only what
 * changed since its last spool flush (src/spool/activeTunnels.ts, TunnelCheckpoint): `changed`
 * when a tunnel opens or its state moves (control message, endpoint change), `ended` when it
 * leaves the table (row written, or exported with remove).
 */
export interface TunnelChangeHook {
  changed(t: Tunnel): void;
  ended(t: Tunnel): void;
}

export class Tunnel implements LruNode {
  lruPrev: LruNode | null = null;
  lruNext: LruNode | null = null;
  lastUs = 0;
  active = true;
  protocol: 'gtpv1' | 'gtpv2' = 'gtpv1';
  imsi: string | null = null;
  msisdn: string | null = null;
  homeMcc: string | null = null;
  homeMnc: string | null = null;
  visitedMcc: string | null = null;
  visitedMnc: string | null = null;
  apn: string | null = null;
  ratType: string | null = null;
  bearerId = -1;
  /** Endpoints by TunnelSide. */
  readonly addr: (Buffer | null)[] = [null, null, null, null];
  readonly teid: number[] = [-1, -1, -1, -1];
  readonly nodes: (TeidIndexNode<Tunnel> | null)[] = [null, null, null, null];
  createCause: number | null = null;
  createTimeUs = 0;
  setupDelayUs: number | null = null;
  createFrame: number | null = null;
  /** GTP-U G-PDUs and T-PDU octets: up = to the peer's (GGSN / PGW) data endpoint, down = to the creator's. */
  packetsUp = 0;
  packetsDown = 0;
  bytesUp = 0;
  bytesDown = 0;
  /** Packet time of the first / last G-PDU, -1 none. */
  firstUserUs = -1;
  lastUserUs = -1;
  /** Packet time of the last G-PDU that marked the tunnel changed for the live checkpoint. */
  ckptUserUs = -1;
  /** Checkpoint key (row id in gtp_active_tunnels), 0 while never checkpointed. */
  ckptKey = 0;
}

function bearerMatches(t: Tunnel, bearerId: number): boolean {
  return bearerId < 0 || t.bearerId < 0 || t.bearerId === bearerId;
}


/** A tunnel with what a Create exchange says about it (identities, APN, RAT, create cause and times). */
function tunnelFromCreate(x: CreateExchange): Tunnel {
    const t = new Tunnel();
    t.protocol = x.version === 1 ? 'gtpv1' : 'gtpv2';
    t.imsi = x.imsi;
    t.msisdn = x.msisdn;
    t.homeMcc = x.homeMcc;
    t.homeMnc = x.homeMnc;
    t.visitedMcc = x.visitedMcc;
    t.visitedMnc = x.visitedMnc;
    t.apn = x.apn;
    t.ratType = x.ratType;
    t.bearerId = x.bearerId;
    t.createCause = x.cause >= 0 ? x.cause : null;
    t.createTimeUs = x.reqUs;
    t.setupDelayUs = x.rspUs !== null ? x.rspUs - x.reqUs : null;
    t.createFrame = x.reqFrame;
    return t;
}

/** true when the endpoint opposite to index node n has the address at buf[off, off + len). */
function fromOtherEnd(n: TeidIndexNode<Tunnel>, buf: Buffer, off: number, len: number): boolean {
  const t = n.owner;
  const a = t.addr[t.nodes[TunnelSide.CreatorCtrl] === n ? TunnelSide.PeerCtrl : TunnelSide.CreatorCtrl];
  if (a === null || a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== buf[off + i]) return false;
  return true;
}

export class GtpTunnels {
  private readonly ctrl = new TeidIndex<Tunnel>();
  private readonly data = new TeidIndex<Tunnel>();
  private readonly lru = new LruList<Tunnel>();
  /** Tunnel rows written, by end reason (exported as metrics). */
  readonly closed: Record<TunnelEndReason, number> = {
    delete: 0, delete_bearer: 0, error_indication: 0, idle_timeout: 0, evicted: 0, create_rejected: 0, replaced: 0,
    capture_end: 0, shutdown: 0,
  };
  /** Tunnels opened (accepted Creates) and restored by importActive(). */
  opened = 0;
  restored = 0;
  /** Change hook of the live checkpoint (null: nothing tracks changes, e.g. replay). */
  changes: TunnelChangeHook | null = null;
  /** GTP-U G-PDUs counted on tunnels, and those that were not, by reason. */
  readonly userPlane = new UserPlaneStats();

  constructor(
    private readonly sink: TunnelSink | null,
    private readonly ctx: RecordContext,
    private readonly limits: GtpTunnelLimits = DEFAULT_GTP_TUNNEL_LIMITS,
  ) {}

  get active(): number {
    return this.lru.size;
  }

  // ------------------------------------------------------------------ creation

  /** An accepted Create: a new active tunnel (an older one on the same endpoint and bearer is replaced). */
  open(x: CreateExchange): Tunnel {
    const t = tunnelFromCreate(x);
    t.lastUs = x.rspUs ?? x.reqUs;
    this.replaceOn(TunnelSide.CreatorCtrl, x.reqCtrlAddr, x.reqCtrlTeid, x);
    this.replaceOn(TunnelSide.PeerCtrl, x.rspCtrlAddr, x.rspCtrlTeid, x);
    this.setEndpoint(t, TunnelSide.CreatorCtrl, x.reqCtrlAddr, x.reqCtrlTeid);
    this.setEndpoint(t, TunnelSide.PeerCtrl, x.rspCtrlAddr, x.rspCtrlTeid);
    this.setEndpoint(t, TunnelSide.CreatorData, x.reqDataAddr, x.reqDataTeid);
    this.setEndpoint(t, TunnelSide.PeerData, x.rspDataAddr, x.rspDataTeid);
    this.lru.push(t);
    this.opened++;
    this.changes?.changed(t);
    this.bound();
    return t;
  }

  /** A rejected Create: one row (create_rejected), nothing becomes active. */
  rejected(x: CreateExchange): void {
    const t = tunnelFromCreate(x);
    t.addr[TunnelSide.CreatorCtrl] = x.reqCtrlAddr;
    t.teid[TunnelSide.CreatorCtrl] = x.reqCtrlTeid;
    t.addr[TunnelSide.PeerCtrl] = x.rspCtrlAddr;
    t.teid[TunnelSide.PeerCtrl] = x.rspCtrlTeid;
    t.active = false;
    this.emit(t, 'create_rejected', null, x.rspUs, x.rspFrame, null);
  }

  /**
   * An accepted Create whose endpoint already names an active tunnel *in the same role* and for
   * the same bearer replaces it (the old context was dropped without a Delete we saw). The same
   * endpoint in the other role is legitimate: an SGW may use one TEID towards the MME (S11, where
   * it is the peer) and the PGW (S5/S8, where it is the creator) for one UE context.
   */
  private replaceOn(side: TunnelSide, addr: Buffer | null, teid: number, x: CreateExchange): void {
    if (addr === null || teid < 0) return;
    let n = this.ctrl.first(addr, 0, addr.length, teid);
    while (n !== null) {
      const old = n.owner;
      const sameRole = old.nodes[side] === n;
      n = this.ctrl.next(n);
      if (sameRole && old.active && bearerMatches(old, x.bearerId)) this.end(old, 'replaced', null, x.rspUs ?? x.reqUs, x.rspFrame);
    }
  }

  private setEndpoint(t: Tunnel, side: TunnelSide, addr: Buffer | null, teid: number): void {
    const old = t.nodes[side];
    if (old !== null) (side < TunnelSide.CreatorData ? this.ctrl : this.data).remove(old);
    t.nodes[side] = null;
    t.addr[side] = addr;
    t.teid[side] = teid;
    if (addr !== null && teid >= 0) {
      const n = (side < TunnelSide.CreatorData ? this.ctrl : this.data).add(t, addr, teid);
      n.tag = side;
      t.nodes[side] = n;
    }
  }

  // ------------------------------------------------------------------ lookups

  /**
   * The active tunnel a request names: its receiver's control endpoint is (address at
   * dst[dOff, dOff + len), teid), its bearer matches (bearerId < 0: any), and — preferred when
   * several match — its other endpoint is the request's sender (address at src[sOff, sOff + len)).
   * `sideOut[0]` gets the side of the receiver's endpoint. null when none.
   */
  find(
    dst: Buffer, dOff: number, src: Buffer, sOff: number, len: number, teid: number, bearerId: number, sideOut: number[] | null = null,
  ): Tunnel | null {
    let fallback: TeidIndexNode<Tunnel> | null = null;
    let hit: TeidIndexNode<Tunnel> | null = null;
    for (let n = this.ctrl.first(dst, dOff, len, teid); n !== null; n = this.ctrl.next(n)) {
      if (!bearerMatches(n.owner, bearerId)) continue;
      if (fromOtherEnd(n, src, sOff, len)) {
        hit = n;
        break;
      }
      if (fallback === null) fallback = n;
    }
    const n = hit ?? fallback;
    if (n === null) return null;
    if (sideOut !== null) sideOut[0] = n.owner.nodes[TunnelSide.CreatorCtrl] === n ? TunnelSide.CreatorCtrl : TunnelSide.PeerCtrl;
    return n.owner;
  }

  /**
   * Every active tunnel a Delete sent by src to (dst, teid) removes: the one with this bearer
   * (NSAPI / Linked EBI), or all of them when `all` (GTPv1 Teardown Ind, TS 29.060 §7.3.5);
   * among those, the ones whose other endpoint is the sender when there are any.
   */
  findAll(dst: Buffer, dOff: number, src: Buffer, sOff: number, len: number, teid: number, bearerId: number, all: boolean): Tunnel[] {
    const exact: Tunnel[] = [];
    const other: Tunnel[] = [];
    for (let n = this.ctrl.first(dst, dOff, len, teid); n !== null; n = this.ctrl.next(n)) {
      if (!all && !bearerMatches(n.owner, bearerId)) continue;
      (fromOtherEnd(n, src, sOff, len) ? exact : other).push(n.owner);
    }
    return exact.length > 0 ? exact : other;
  }

  /** A control message concerned the tunnel at packet time nowUs. */
  touch(t: Tunnel, nowUs: number): void {
    if (!t.active) return;
    this.lru.touch(t, nowUs > t.lastUs ? nowUs : t.lastUs);
    this.changes?.changed(t);
  }

  /** A control endpoint moved (SGSN change: Update PDP Context; MME / SGW change: Modify Bearer). */
  rekey(t: Tunnel, side: TunnelSide.CreatorCtrl | TunnelSide.PeerCtrl, addr: Buffer, teid: number): void {
    if (!t.active) return;
    this.setEndpoint(t, side, addr, teid);
    this.changes?.changed(t);
  }

  /**
   * A user-plane endpoint moved (Update PDP Context: new SGSN / GGSN TEID Data I; Modify Bearer:
   * new eNodeB / SGW F-TEID of the bearer): G-PDUs are counted on the new one from now on.
   */
  moveData(t: Tunnel, side: TunnelSide.CreatorData | TunnelSide.PeerData, addr: Buffer, teid: number): void {
    if (!t.active) return;
    const a = t.addr[side];
    if (t.teid[side] === teid && a !== null && a.equals(addr)) return;
    this.setEndpoint(t, side, addr, teid);
    this.changes?.changed(t);
  }

  /**
   * A G-PDU sent to (address at buf[off, off + len), teid) carrying `bytes` octets of T-PDU, at
   * packet time tsUs: counted on the tunnel with that user-plane endpoint (one hash lookup).
   * Sent to the peer's (GGSN / PGW) endpoint = uplink. Returns false when no tunnel has it.
   */
  userPacket(buf: Buffer, off: number, len: number, teid: number, bytes: number, tsUs: number): boolean {
    const up = this.userPlane;
    if (teid === 0) {
      up.missed[GpduMiss.TeidZero]++;
      return false;
    }
    const n = this.data.first(buf, off, len, teid);
    if (n === null) {
      up.missed[GpduMiss.UnknownTeid]++;
      return false;
    }
    const t = n.owner;
    if (n.tag === TunnelSide.PeerData) {
      t.packetsUp++;
      t.bytesUp += bytes;
      up.packetsUp++;
      up.bytesUp += bytes;
    } else {
      t.packetsDown++;
      t.bytesDown += bytes;
      up.packetsDown++;
      up.bytesDown += bytes;
    }
    if (t.firstUserUs < 0) t.firstUserUs = tsUs;
    if (tsUs > t.lastUserUs) t.lastUserUs = tsUs;
    // Live: the checkpoint carries the counters; a busy tunnel is re-saved at most once a minute.
    const ch = this.changes;
    if (ch !== null && tsUs - t.ckptUserUs >= USER_CKPT_INTERVAL_US) {
      t.ckptUserUs = tsUs;
      ch.changed(t);
    }
    return true;
  }

  /** Live stop: every tunnel with G-PDUs not yet in the checkpoint is marked changed (then flushed). */
  markUserPlaneChanged(): number {
    const ch = this.changes;
    if (ch === null) return 0;
    let n = 0;
    for (let t = this.lru.head; t !== null; t = t.lruNext as Tunnel | null) {
      if (t.lastUserUs > t.ckptUserUs) {
        t.ckptUserUs = t.lastUserUs;
        ch.changed(t);
        n++;
      }
    }
    return n;
  }

  // ------------------------------------------------------------------ ends

  /** Closes an active tunnel with a row (no-op if it is no longer active). */
  end(t: Tunnel, reason: TunnelEndReason, deleteCause: number | null, endUs: number | null, endFrame: number | null): void {
    if (!t.active) return;
    this.unlink(t);
    this.emit(t, reason, deleteCause, endUs, endFrame, endUs !== null ? endUs - t.createTimeUs : null);
  }

  /** Error Indication (TS 29.281 §7.3.1): closes the tunnels whose user-plane endpoint it names. */
  onErrorIndication(buf: Buffer, off: number, len: number, teid: number, frame: number, tsUs: number): number {
    let ended = 0;
    let n = this.data.first(buf, off, len, teid);
    while (n !== null) {
      const t = n.owner;
      n = this.data.next(n);
      if (t.active) {
        this.end(t, 'error_indication', null, tsUs, frame);
        ended++;
      }
    }
    return ended;
  }

  expire(nowUs: number): void {
    const limit = nowUs - this.limits.idleTimeoutUs;
    let t = this.lru.head;
    while (t !== null && t.lastUs < limit) {
      // The last control message seen is the end: a lower bound of the duration.
      this.end(t, 'idle_timeout', null, t.lastUs, null);
      t = this.lru.head;
    }
  }

  /** Closes every active tunnel (end of a replay; `shutdown` when the state is not kept). */
  flush(reason: 'capture_end' | 'shutdown'): void {
    let t = this.lru.head;
    while (t !== null) {
      this.unlink(t);
      this.emit(t, reason, null, null, null, null);
      t = this.lru.head;
    }
  }

  private bound(): void {
    while (this.lru.size > this.limits.maxActive) {
      const t = this.lru.head as Tunnel;
      this.unlink(t);
      this.emit(t, 'evicted', null, null, null, null);
    }
  }

  private unlink(t: Tunnel): void {
    t.active = false;
    this.changes?.ended(t);
    for (let s = 0; s < 4; s++) {
      const n = t.nodes[s];
      if (n !== null) (s < TunnelSide.CreatorData ? this.ctrl : this.data).remove(n);
      t.nodes[s] = null;
    }
    this.lru.remove(t);
  }

  private emit(t: Tunnel, reason: TunnelEndReason, deleteCause: number | null, endUs: number | null, endFrame: number | null, durationUs: number | null): void {
    this.closed[reason]++;
    if (this.sink === null) return;
    const text = (side: TunnelSide): string | null => {
      const a = t.addr[side];
      return a === null ? null : ipText(a, 0, a.length);
    };
    const teid = (side: TunnelSide): number | null => (t.teid[side] >= 0 ? t.teid[side] : null);
    const r: TunnelRecord = {
      protocol: t.protocol,
      imsi: t.imsi,
      msisdn: t.msisdn,
      homeMcc: t.homeMcc,
      homeMnc: t.homeMnc,
      visitedMcc: t.visitedMcc,
      visitedMnc: t.visitedMnc,
      apn: t.apn,
      ratType: t.ratType,
      sgsnIp: text(TunnelSide.CreatorCtrl),
      ggsnIp: text(TunnelSide.PeerCtrl),
      sgsnCtrlTeid: teid(TunnelSide.CreatorCtrl),
      ggsnCtrlTeid: teid(TunnelSide.PeerCtrl),
      sgsnDataTeid: teid(TunnelSide.CreatorData),
      ggsnDataTeid: teid(TunnelSide.PeerData),
      createCause: t.createCause,
      createTimeUs: t.createTimeUs,
      setupDelayUs: t.setupDelayUs,
      endTimeUs: endUs,
      durationUs,
      deleteCause,
      endReason: reason,
      createFrame: t.createFrame,
      endFrame,
      site: this.ctx.site,
      source: this.ctx.source,
      packetsUp: t.packetsUp,
      packetsDown: t.packetsDown,
      bytesUp: t.bytesUp,
      bytesDown: t.bytesDown,
      firstUserUs: t.firstUserUs >= 0 ? t.firstUserUs : null,
      lastUserUs: t.lastUserUs >= 0 ? t.lastUserUs : null,
    };
    this.sink.writeTunnel(r);
  }

  // ------------------------------------------------------------------ restart

  /**
   * The active tunnels as JSON-serialisable states, least recently active first. With `remove`
   * the table is emptied without writing rows (the states are saved instead, see
   * src/spool/activeTunnels.ts).
   */
  exportActive(remove = false): TunnelState[] {
    const out: TunnelState[] = [];
    for (let t = this.lru.head; t !== null; t = t.lruNext as Tunnel | null) out.push(tunnelState(t));
    if (remove) {
      let t = this.lru.head;
      while (t !== null) {
        this.unlink(t);
        t = this.lru.head;
      }
    }
    return out;
  }

  /** Restores states from exportActive() (malformed entries are skipped); returns how many. */
  importActive(states: readonly TunnelState[]): number {
    const sorted = states.filter(validState).sort((a, b) => a.lastUs - b.lastUs);
    for (const s of sorted) {
      const t = new Tunnel();
      t.protocol = s.protocol;
      t.imsi = s.imsi;
      t.msisdn = s.msisdn;
      t.homeMcc = s.homeMcc;
      t.homeMnc = s.homeMnc;
      t.visitedMcc = s.visitedMcc;
      t.visitedMnc = s.visitedMnc;
      t.apn = s.apn;
      t.ratType = s.ratType;
      t.bearerId = s.bearerId;
      t.createCause = s.createCause;
      t.createTimeUs = s.createTimeUs;
      t.setupDelayUs = s.setupDelayUs;
      t.createFrame = s.createFrame;
      t.lastUs = s.lastUs;
      t.ckptKey = s.ckptKey ?? 0;
      t.packetsUp = count(s.packetsUp);
      t.packetsDown = count(s.packetsDown);
      t.bytesUp = count(s.bytesUp);
      t.bytesDown = count(s.bytesDown);
      t.firstUserUs = typeof s.firstUserUs === 'number' && s.firstUserUs >= 0 ? s.firstUserUs : -1;
      t.lastUserUs = typeof s.lastUserUs === 'number' && s.lastUserUs >= 0 ? s.lastUserUs : -1;
      t.ckptUserUs = t.lastUserUs;
      for (let side = 0; side < 4; side++) {
        const a = s.addr[side];
        this.setEndpoint(t, side, a === null ? null : Buffer.from(a, 'hex'), s.teid[side]);
      }
      this.lru.push(t);
      this.restored++;
    }
    this.bound();
    return sorted.length;
  }
}

/** The JSON-serialisable state of an active tunnel (exportActive, the spool checkpoint). */
export function tunnelState(t: Tunnel): TunnelState {
  return {
    protocol: t.protocol,
    imsi: t.imsi,
    msisdn: t.msisdn,
    homeMcc: t.homeMcc,
    homeMnc: t.homeMnc,
    visitedMcc: t.visitedMcc,
    visitedMnc: t.visitedMnc,
    apn: t.apn,
    ratType: t.ratType,
    bearerId: t.bearerId,
    addr: t.addr.map((a) => (a === null ? null : a.toString('hex'))),
    teid: t.teid.slice(),
    createCause: t.createCause,
    createTimeUs: t.createTimeUs,
    setupDelayUs: t.setupDelayUs,
    createFrame: t.createFrame,
    lastUs: t.lastUs,
    packetsUp: t.packetsUp,
    packetsDown: t.packetsDown,
    bytesUp: t.bytesUp,
    bytesDown: t.bytesDown,
    firstUserUs: t.firstUserUs >= 0 ? t.firstUserUs : null,
    lastUserUs: t.lastUserUs >= 0 ? t.lastUserUs : null,
  };
}

/** A saved counter: a non-negative integer, else 0. */
function count(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0;
}

function validState(s: TunnelState): boolean {
  return (
    s !== null &&
    typeof s === 'object' &&
    (s.protocol === 'gtpv1' || s.protocol === 'gtpv2') &&
    Array.isArray(s.addr) &&
    s.addr.length === 4 &&
    s.addr.every((a) => a === null || (typeof a === 'string' && /^([0-9a-f]{2})+$/.test(a))) &&
    Array.isArray(s.teid) &&
    s.teid.length === 4 &&
    s.teid.every((x) => Number.isInteger(x) && x >= -1 && x <= 0xffffffff) &&
    Number.isFinite(s.createTimeUs) &&
    Number.isFinite(s.lastUs)
  );
}
