import { Layer } from '../metrics/layers';
import type { Counters } from '../metrics/anomalies';
import type { IpView, UdpView } from '../net/types';
import type { UdpUpper } from './udpRegistry';
import type { Pipeline, RecordContext, TimerOwner } from './pipeline';
import type { RecordSink, TunnelSink } from '../correlate/record';
import type { IdentityProtector } from '../correlate/identities';
import { GtpKind, gtpKind } from '../protocols/gtp/classify';
import { GtpMsgKind } from '../protocols/gtp/messages';
import { decodeGtpv1, gtpv1ServingPlmn } from '../protocols/gtpv1c/decode';
import { createGtpv1View, type Gtpv1View } from '../protocols/gtpv1c/types';
import { GTPV1_MESSAGES, Gtpv1Anomaly, Gtpv1Msg } from '../protocols/gtpv1c/constants';
import { decodeGtpv2, gtpv2ServingPlmn } from '../protocols/gtpv2c/decode';
import { createGtpv2View, type FteidView, type Gtpv2View } from '../protocols/gtpv2c/types';
import { GTPV2_MAX_PIGGYBACKED, GTPV2_MESSAGES, Gtpv2Anomaly, Gtpv2Msg } from '../protocols/gtpv2c/constants';
import { createGtpMessage, type GtpMessage } from '../correlate/gtpMessage';
import { DEFAULT_GTP_TRANSACTION_LIMITS, GtpTransactions, type GtpTransactionLimits } from '../correlate/gtpTransactions';
import { DEFAULT_GTP_TUNNEL_LIMITS, GtpTunnels, type GtpTunnelLimits } from '../correlate/gtpTunnels';
import { createIpView } from '../net/types';
import { gpduTpduLength } from '../correlate/userPlane';

/** Registered UDP ports (IANA: gtp-control 2123, gtp-user 2152, GTP' / GTPv0 3386). */
export interface GtpPorts {
  /** GTP-C: GTPv1-C and GTPv2-C share the port (TS 29.060 §4.4.2, TS 29.274 §4.2). */
  control: number[];
  /** GTP-U (TS 29.281 §4.4.2): G-PDUs counted per tunnel (not decoded further); path messages (Echo, Error Indication) decoded. */
  user: number[];
  /** GTP' (TS 32.295) and GTPv0 (GSM 09.60): counted and skipped. */
  prime: number[];
}

export interface GtpOptions {
  ports: GtpPorts;
  transactions: GtpTransactionLimits;
  tunnels: GtpTunnelLimits;
}

export const DEFAULT_GTP_PORTS: GtpPorts = { control: [2123], user: [2152], prime: [3386] };

/** Partial options, as PipelineOptions.gtp takes them. */
export interface GtpOptionsInput {
  ports?: Partial<GtpPorts>;
  transactions?: Partial<GtpTransactionLimits>;
  tunnels?: Partial<GtpTunnelLimits>;
}

/** What the GTP handler saw besides anomalies (exported as metrics, shown by replay). */
export class GtpStats {
  /** Messages decoded by type (index = message type). */
  readonly v1ByType = new Float64Array(256);
  readonly v2ByType = new Float64Array(256);
  /** User-plane G-PDUs on GTP-U ports (per tunnel: GtpTunnels.userPlane). */
  gpdus = 0;
  endMarkers = 0;
  /** GTPv0 and GTP' messages (counted, not decoded). */
  gtpv0 = 0;
  gtpPrime = 0;
  /** UDP payloads on a GTP port that are no GTP at all (wrong version: DNS, noise). */
  notGtp = 0;
  errorIndications = 0;
  /** Tunnels closed by an Error Indication. */
  errorIndicationTunnels = 0;
  versionNotSupported = 0;
  /** Other notifications (SGSN Context Acknowledge, RAN Information Relay...). */
  notifications = 0;
  unknownType = 0;
  /** GTPv2 messages carried piggybacked (TS 29.274 §5.5.1). */
  piggybacked = 0;
}

/**
 * UDP → GTP: the version classifier, the GTPv1 / GTPv2-C decoders, then the transaction and
 * tunnel correlators. One instance per pipeline; every view is allocated once and reused.
 */
export class GtpHandler implements TimerOwner {
  readonly stats = new GtpStats();
  readonly tunnels: GtpTunnels;
  readonly transactions: GtpTransactions;
  private readonly v1: Gtpv1View = createGtpv1View();
  private readonly v2: Gtpv2View = createGtpv2View();
  private readonly msg: GtpMessage = createGtpMessage(createIpView());
  private readonly primePorts: Set<number>;

  /** Entry point for GTP-C ports (and GTPv0 / GTP' ports: the classifier tells them apart). */
  readonly control: UdpUpper = { onUdp: (ip, udp, frame, tsUs) => this.onControl(ip, udp, frame, tsUs) };
  /** Entry point for GTP-U ports: G-PDUs are counted per tunnel, path messages decoded. */
  readonly user: UdpUpper = { onUdp: (ip, udp, frame, tsUs) => this.onUser(ip, udp, frame, tsUs) };

  constructor(
    private readonly counters: Counters,
    sink: RecordSink,
    tunnelSink: TunnelSink | null,
    ids: IdentityProtector,
    ctx: RecordContext,
    readonly options: GtpOptions,
  ) {
    this.primePorts = new Set(options.ports.prime);
    this.tunnels = new GtpTunnels(tunnelSink, ctx, options.tunnels);
    this.transactions = new GtpTransactions(sink, ids, this.tunnels, ctx, options.transactions);
  }

  private onUser(ip: IpView, udp: UdpView, frame: number, tsUs: number): void {
    const buf = ip.buf;
    const s = udp.payloadStart;
    // TS 29.281 §5.1: version 1, PT 1, message type 255 = G-PDU (user data): the header is
    // walked for the T-PDU length and the packet counted on the tunnel whose user-plane
    // endpoint is (destination address, TEID) — one hash lookup; the user packet is not decoded.
    if (udp.payloadEnd - s >= 8 && buf[s + 1] === Gtpv1Msg.GPdu && buf[s] >> 4 === 0x3) {
      this.stats.gpdus++;
      const n = gpduTpduLength(buf, s, udp.payloadEnd);
      if (n < 0) {
        this.tunnels.userPlane.missed[-n]++;
        return;
      }
      const teid = ((buf[s + 4] << 24) | (buf[s + 5] << 16) | (buf[s + 6] << 8) | buf[s + 7]) >>> 0;
      this.tunnels.userPacket(ip.addrBuf, ip.dstOff, ip.version === 4 ? 4 : 16, teid, n, tsUs);
      return;
    }
    this.onControl(ip, udp, frame, tsUs);
  }

  private onControl(ip: IpView, udp: UdpView, frame: number, tsUs: number): void {
    const buf = ip.buf;
    const s = udp.payloadStart;
    const e = udp.payloadEnd;
    const prime = this.primePorts.has(udp.dstPort) || this.primePorts.has(udp.srcPort);
    switch (gtpKind(buf, s, e, prime)) {
      case GtpKind.V1:
        this.onV1(ip, udp, s, e, frame, tsUs);
        return;
      case GtpKind.V2:
        this.onV2(ip, udp, s, e, frame, tsUs);
        return;
      case GtpKind.V0:
        this.stats.gtpv0++;
        return;
      case GtpKind.Prime:
        this.stats.gtpPrime++;
        return;
      default:
        this.stats.notGtp++;
        this.counters.anomaly(Layer.Gtpv1, Gtpv1Anomaly.BadVersion);
    }
  }

  private onV1(ip: IpView, udp: UdpView, s: number, e: number, frame: number, tsUs: number): void {
    const v = this.v1;
    const buf = ip.buf;
    const code = decodeGtpv1(buf, s, e, v);
    if (code !== 0) {
      this.counters.anomaly(Layer.Gtpv1, code);
      if (!v.headerOk) return;
    } else {
      this.counters.ok(Layer.Gtpv1);
    }
    this.stats.v1ByType[v.msgType]++;
    const kind = GTPV1_MESSAGES.kind[v.msgType] as GtpMsgKind;
    if (kind === GtpMsgKind.Request || kind === GtpMsgKind.Response) {
      this.transactions.onMessage(this.fromV1(v, kind, ip, udp, s, frame, tsUs));
      return;
    }
    switch (v.msgType) {
      case Gtpv1Msg.ErrorIndication: {
        // TS 29.281 §7.3.1: TEID Data I + GTP-U Peer Address of the node that sent it.
        this.stats.errorIndications++;
        if (v.teidData < 0) return;
        const len = v.gsn1End - v.gsn1Start;
        const n =
          len === 4 || len === 16
            ? this.tunnels.onErrorIndication(buf, v.gsn1Start, len, v.teidData, frame, tsUs)
            : this.tunnels.onErrorIndication(ip.addrBuf, ip.srcOff, ip.version === 4 ? 4 : 16, v.teidData, frame, tsUs);
        this.stats.errorIndicationTunnels += n;
        return;
      }
      case Gtpv1Msg.VersionNotSupported:
        this.stats.versionNotSupported++;
        return;
      case Gtpv1Msg.EndMarker:
        this.stats.endMarkers++;
        return;
      case Gtpv1Msg.GPdu:
        this.stats.gpdus++;
        return;
      default:
        if (kind === GtpMsgKind.Notification) this.stats.notifications++;
        else this.stats.unknownType++;
    }
  }

  private onV2(ip: IpView, udp: UdpView, s: number, e: number, frame: number, tsUs: number): void {
    const v = this.v2;
    const buf = ip.buf;
    // A triggered message may carry an initial message piggybacked behind it (TS 29.274 §5.5.1).
    for (let i = 0; ; i++) {
      if (i >= GTPV2_MAX_PIGGYBACKED) {
        this.counters.anomaly(Layer.Gtpv2, Gtpv2Anomaly.TooManyPiggybacked);
        return;
      }
      const code = decodeGtpv2(buf, s, e, v);
      if (code !== 0) {
        this.counters.anomaly(Layer.Gtpv2, code);
        if (!v.headerOk) return;
      } else {
        this.counters.ok(Layer.Gtpv2);
      }
      if (i > 0) this.stats.piggybacked++;
      this.stats.v2ByType[v.msgType]++;
      const kind = GTPV2_MESSAGES.kind[v.msgType] as GtpMsgKind;
      if (kind === GtpMsgKind.Request || kind === GtpMsgKind.Response) {
        this.transactions.onMessage(this.fromV2(v, kind, ip, udp, s, frame, tsUs));
      } else if (v.msgType === Gtpv2Msg.VersionNotSupported) {
        this.stats.versionNotSupported++;
      } else if (kind === GtpMsgKind.Notification) {
        this.stats.notifications++;
      } else {
        this.stats.unknownType++;
      }
      if (!v.piggyback || v.messageEnd >= e) return;
      s = v.messageEnd;
    }
  }

  private transport(m: GtpMessage, ip: IpView, udp: UdpView, buf: Buffer, s: number, frame: number, tsUs: number): void {
    m.ip = ip;
    m.srcPort = udp.srcPort;
    m.dstPort = udp.dstPort;
    m.frame = frame;
    m.tsUs = tsUs;
    m.buf = buf;
    m.msgStart = s;
  }

  private fromV1(v: Gtpv1View, kind: GtpMsgKind, ip: IpView, udp: UdpView, s: number, frame: number, tsUs: number): GtpMessage {
    const m = this.msg;
    this.transport(m, ip, udp, ip.buf, s, frame, tsUs);
    m.version = 1;
    m.msgType = v.msgType;
    m.kind = kind;
    m.seq = v.seq;
    m.teid = v.teid;
    m.cause = v.cause;
    m.msgEnd = v.messageEnd;
    m.imsiStart = v.imsiStart;
    m.imsiEnd = v.imsiEnd;
    m.msisdnStart = v.msisdnStart;
    m.msisdnEnd = v.msisdnEnd;
    m.msisdnTon = true;
    m.imeiStart = v.imeiStart;
    m.imeiEnd = v.imeiEnd;
    m.apnStart = v.apnStart;
    m.apnEnd = v.apnEnd;
    m.plmn = gtpv1ServingPlmn(v);
    m.uliStart = v.uliStart;
    m.uliEnd = v.uliEnd;
    m.rai = v.rai;
    m.ratType = v.ratType;
    // TS 29.060 §7.7.32: the first GSN Address is for signalling, the second for user traffic.
    m.ctrlTeid = v.teidControl;
    const l1 = v.gsn1End - v.gsn1Start;
    const l2 = v.gsn2End - v.gsn2Start;
    const ok1 = v.gsn1Start >= 0 && (l1 === 4 || l1 === 16);
    const ok2 = v.gsn2Start >= 0 && (l2 === 4 || l2 === 16);
    m.ctrlAddrOff = ok1 ? v.gsn1Start : -1;
    m.ctrlAddrLen = ok1 ? l1 : 0;
    m.dataTeid = v.teidData;
    m.dataAddrOff = ok2 ? v.gsn2Start : m.ctrlAddrOff;
    m.dataAddrLen = ok2 ? l2 : m.ctrlAddrLen;
    m.bearerId = v.nsapi;
    m.lbi = v.nsapi;
    m.teardown = v.teardown === 1;
    return m;
  }

  private fromV2(v: Gtpv2View, kind: GtpMsgKind, ip: IpView, udp: UdpView, s: number, frame: number, tsUs: number): GtpMessage {
    const m = this.msg;
    this.transport(m, ip, udp, ip.buf, s, frame, tsUs);
    m.version = 2;
    m.msgType = v.msgType;
    m.kind = kind;
    m.seq = v.seq;
    m.teid = v.teid;
    m.cause = v.cause;
    m.msgEnd = v.messageEnd;
    m.imsiStart = v.imsiStart;
    m.imsiEnd = v.imsiEnd;
    m.msisdnStart = v.msisdnStart;
    m.msisdnEnd = v.msisdnEnd;
    m.msisdnTon = false;
    m.imeiStart = v.meiStart;
    m.imeiEnd = v.meiEnd;
    m.apnStart = v.apnStart;
    m.apnEnd = v.apnEnd;
    m.plmn = gtpv2ServingPlmn(v);
    m.uliStart = v.uliStart;
    m.uliEnd = v.uliEnd;
    m.rai = -1;
    m.ratType = v.ratType;
    // Sender F-TEID for Control Plane (instance 0); on S5/S8 a Create Session Response carries
    // the PGW's own control F-TEID as instance 1 instead (TS 29.274 §7.2.2, Table 7.2.2-1).
    const sf = !v.senderFteid.present && v.msgType === Gtpv2Msg.CreateSessionResponse ? v.peerFteid : v.senderFteid;
    m.ctrlTeid = sf.present ? sf.teid : -1;
    m.ctrlAddrOff = fteidAddr(sf, ip.version);
    m.ctrlAddrLen = m.ctrlAddrOff < 0 ? 0 : m.ctrlAddrOff === sf.v4 ? 4 : 16;
    const bf = v.bearerFteid;
    m.dataTeid = bf.present ? bf.teid : -1;
    m.dataAddrOff = fteidAddr(bf, ip.version);
    m.dataAddrLen = m.dataAddrOff < 0 ? 0 : m.dataAddrOff === bf.v4 ? 4 : 16;
    m.bearerId = v.ebi >= 0 ? v.ebi : v.bearerEbi;
    m.lbi = v.ebi;
    m.teardown = false;
    return m;
  }

  expire(nowUs: number): void {
    this.transactions.expire(nowUs);
    this.tunnels.expire(nowUs);
  }

  /** Pending requests first (a pending Delete still ends its tunnel), then the active tunnels. */
  flush(reason: 'capture_end' | 'shutdown'): void {
    this.transactions.flush(reason);
    this.tunnels.flush(reason);
  }
}

/** The F-TEID address of the packet's IP version when carried, else the other one, else -1. */
function fteidAddr(f: FteidView, ipVersion: number): number {
  if (!f.present) return -1;
  if (ipVersion === 6) return f.v6 >= 0 ? f.v6 : f.v4;
  return f.v4 >= 0 ? f.v4 : f.v6;
}

/**
 * Registers GTP on the pipeline's UDP port table: GTP-C ports (and GTPv0 / GTP' ports, told
 * apart by the classifier and only counted) to the control entry point, GTP-U ports to the user
 * entry point. Live, GTP-C is captured whole; on GTP-U only the path messages (IPv4 G-PDUs stay
 * in the kernel); GTPv0 / GTP' not at all.
 */
export function registerGtp(p: Pipeline, input: GtpOptionsInput = {}): GtpHandler {
  const opts: GtpOptions = {
    ports: { ...DEFAULT_GTP_PORTS, ...(input.ports ?? {}) },
    transactions: { ...DEFAULT_GTP_TRANSACTION_LIMITS, ...(input.transactions ?? {}) },
    tunnels: { ...DEFAULT_GTP_TUNNEL_LIMITS, ...(input.tunnels ?? {}) },
  };
  const h = new GtpHandler(p.counters, p.sink, p.tunnelSink, p.ids, p.ctx, opts);
  p.udpDispatch.register({ name: 'gtpc', ports: opts.ports.control, handler: h.control, capture: (port) => `udp port ${port}` });
  p.udpDispatch.register({
    name: 'gtpu',
    ports: opts.ports.user,
    handler: h.user,
    capture: (port) => `(udp port ${port} and not (ip and udp[9] = 255))`,
  });
  p.udpDispatch.register({ name: 'gtp-prime', ports: opts.ports.prime, handler: h.control, capture: null });
  p.addTimerOwner(h);
  return h;
}
