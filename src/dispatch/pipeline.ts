import { Layer } from '../metrics/layers';
import { Counters } from '../metrics/anomalies';
import type { IpView, LinkView, SctpMessageView } from '../net/types';
import { decodeLink } from '../net/link';
import { IpLayer, IpResult } from '../net/ip';
import { SctpLayer } from '../net/sctpLayer';
import { SctpDispatch, DispatchAnomaly } from './registry';
import { SigtranHandler, looksLikeM2ua, looksLikeM3ua, DEFAULT_SIGTRAN_LIMITS } from './sigtran';
import type { SigtranLimits } from './sigtran';
import { TcapCorrelator, DEFAULT_TCAP_LIMITS } from '../correlate/tcapDialogues';
import type { TcapInput, TcapLimits } from '../correlate/tcapDialogues';
import type { RecordSink, TunnelSink } from '../correlate/record';
import type { IdentityProtector } from '../correlate/identities';
import { registerAnomalyNames } from './anomalyNames';
import { createIpView, createLinkView } from '../net/types';
import { DEFAULT_NET_LIMITS } from './netDefaults';
import type { NetLimits } from './netDefaults';
import type { AnomalySampler } from '../capture/anomalySampler';
import { decodeUdp, UdpAnomaly } from '../net/udp';
import { createUdpView, type UdpView } from '../net/types';
import { UdpDispatch } from './udpRegistry';
import { registerGtp } from './gtp';
import type { GtpHandler, GtpOptionsInput } from './gtp';
import { decodeTcp } from '../net/tcp';
import { TcpStreams, DEFAULT_TCP_LIMITS } from '../net/tcpStreams';
import type { TcpStreamLimits, TcpStreamSink } from '../net/tcpStreams';
import { createTcpView } from '../net/types';
import type { TcpView } from '../net/types';
import { registerDiameter } from './diameter';
import type { DiameterHandler, DiameterOptions } from './diameter';
import { NetworkDirectory, VisitedNetworks } from '../correlate/networks';

/** IP protocol numbers (IANA) the probe climbs into. */
const enum IpProto {
  Tcp = 6,
  Udp = 17,
  Sctp = 132,
}

/** Something with timers and pending state (a correlator, a reassembler). */
export interface TimerOwner {
  /** Timer work at packet time nowUs (expiry). */
  expire(nowUs: number): void;
  /** End of input: everything pending becomes a record. */
  flush(reason: 'capture_end' | 'shutdown'): void;
}

/** Shared by every producer of records: site id and the current source (file / interface). */
export interface RecordContext {
  site: string;
  source: string;
}

export interface PipelineOptions {
  site: string;
  /** Where GTP tunnel records go (the spool); null: tunnels are tracked but not written. */
  tunnelSink?: TunnelSink | null;
  net?: { ip?: Partial<NetLimits['ip']>; sctp?: Partial<NetLimits['sctp']>; tcp?: Partial<TcpStreamLimits> };
  /** Diameter limits and extra TCP ports. */
  diameter?: Partial<DiameterOptions>;
  tcap?: Partial<TcapLimits>;
  sigtran?: Partial<SigtranLimits>;
  /** GTP ports (control, user, GTP') and transaction / tunnel limits. */
  gtp?: GtpOptionsInput;
  /** Run expiry of timers every this many µs of packet time. */
  expiryTickUs?: number;
  /** Write packets that raise anomalies to a debug pcap (rate-limited). */
  sampler?: AnomalySampler | null;
  /** Operators of networks.yaml (visited_operator, MAP visited_mcc / mnc); default: the built-in country tables only. */
  networks?: NetworkDirectory | null;
  /** capture.workers > 1 (src/dispatch/shard.ts): TCAP and Diameter go to the shard workers. */
  shard?: ShardTargets | null;
}

/**
 * The hooks of a sharded pipeline (src/dispatch/shard.ts): this pipeline keeps the packet path
 * (link, IP, SCTP, TCP, M3UA, SCCP, TCAP decode, GTP) and hands each TCAP message and each
 * Diameter message to the worker thread whose shard holds its dialogue.
 */
export interface ShardTargets {
  /** Takes the TCAP correlator's place behind the SIGTRAN handler. */
  tcap: { onMessage(m: TcapInput): void };
  /** Registers Diameter with a forwarder in place of the handler; returns the handler the pipeline exposes. */
  registerDiameter(p: Pipeline, opts: Partial<DiameterOptions> | undefined): DiameterHandler;
  /** Registered last: ticks and the end reach the workers after this pipeline's own timers. */
  timer: TimerOwner;
  /** The record `source` (capture file / interface) from here on. */
  setSource(source: string): void;
}

/** Packet-level counters for the replay summary and metrics. */
export class PipelineStats {
  packets = 0;
  bytes = 0;
  nonIp = 0;
  fragmentsHeld = 0;
  /** Packets by IP protocol (index = protocol number). */
  readonly byIpProto = new Float64Array(256);
  sctpMessages = 0;
  /** SCTP user messages by dispatch target name. */
  readonly dispatched = new Map<string, number>();
  /** Packets whose timestamp went backwards (kept, counted: capture clocks do that). */
  timeWentBack = 0;
}

/**
 * The packet path: link → IP (+ reassembly) → SCTP (+ reassembly) → dispatch table → protocol
 * handlers → correlators → record sink. One instance per capture source; single-threaded;
 * every view object is allocated once here and reused for every packet. Packet time (never the
 * wall clock) drives reassembly timeouts and dialogue expiry, so a replay is deterministic.
 */
export class Pipeline {
  readonly counters = new Counters();
  readonly stats = new PipelineStats();
  readonly sctpDispatch = new SctpDispatch();
  readonly tcap: TcapCorrelator;
  readonly sigtran: SigtranHandler;
  readonly ip: IpLayer;
  readonly sctp: SctpLayer;
  private readonly link: LinkView = createLinkView();
  private readonly ipView: IpView = createIpView();
  private readonly expiryTickUs: number;
  private nextExpiryUs = -1;
  private lastTsUs = 0;
  private frame = 0;
  private tsUs = 0;
  /** The packet being decoded (for the anomaly sampler). */
  private curBuf: Buffer = Buffer.alloc(0);
  private curStart = 0;
  private curLen = 0;
  private curLinkType = 0;
  readonly sampler: AnomalySampler | null;
  private readonly onSctp: (msg: SctpMessageView) => void;
  /** Correlators and reassemblers of the protocols registered besides SIGTRAN (Diameter, GTP...). */
  private readonly timerOwners: TimerOwner[] = [];
  readonly ctx: RecordContext;
  readonly tunnelSink: TunnelSink | null;
  /** UDP port → handler (destination port first, then source port): GTP-C, GTP-U, GTP'. */
  readonly udpDispatch = new UdpDispatch();
  private readonly udpView: UdpView = createUdpView();
  readonly gtp: GtpHandler;
  /** TCP stream reassembly, for the ports in tcpPorts only. */
  readonly tcp: TcpStreams;
  /** TCP port → stream consumer (destination port first, then source port). */
  readonly tcpPorts = new Map<number, TcpStreamSink>();
  private readonly tcpView: TcpView = createTcpView();
  readonly diameter: DiameterHandler;
  /** Every record and tunnel row passes here on its way to the sink: home / visited country and operator. */
  readonly networks: VisitedNetworks;
  readonly sink: RecordSink;
  /** Shard hooks (capture.workers > 1), else null. */
  readonly shard: ShardTargets | null;

  constructor(sink: RecordSink, readonly ids: IdentityProtector, opts: PipelineOptions) {
    this.ctx = { site: opts.site, source: '' };
    const nets = new VisitedNetworks(opts.networks ?? new NetworkDirectory());
    this.networks = nets;
    const inner = sink;
    this.sink = {
      write: (r) => {
        nets.dialogue(r);
        inner.write(r);
      },
    };
    const ts = opts.tunnelSink ?? null;
    this.tunnelSink =
      ts === null
        ? null
        : {
            writeTunnel: (t) => {
              nets.tunnel(t);
              ts.writeTunnel(t);
            },
          };
    sink = this.sink;
    registerAnomalyNames(this.counters);
    this.ip = new IpLayer({ ...DEFAULT_NET_LIMITS.ip, ...(opts.net?.ip ?? {}) });
    this.sctp = new SctpLayer({ ...DEFAULT_NET_LIMITS.sctp, ...(opts.net?.sctp ?? {}) });
    this.tcap = new TcapCorrelator(sink, this.counters, ids, { ...DEFAULT_TCAP_LIMITS, ...(opts.tcap ?? {}) }, opts.site);
    const shard = opts.shard ?? null;
    this.shard = shard;
    const tcapTarget = shard === null ? this.tcap : (shard.tcap as unknown as TcapCorrelator);
    this.sigtran = new SigtranHandler(this.counters, tcapTarget, { ...DEFAULT_SIGTRAN_LIMITS, ...(opts.sigtran ?? {}) });
    this.expiryTickUs = opts.expiryTickUs ?? 1_000_000;
    // Registration is data: see registry.ts for the dispatch order.
    this.sctpDispatch.register({ name: 'm3ua', ppids: [3], ports: [2905], heuristic: looksLikeM3ua, handler: this.sigtran.m3ua });
    this.sctpDispatch.register({ name: 'm2ua', ppids: [2], ports: [2904], heuristic: looksLikeM2ua, handler: this.sigtran.m2ua });
    this.gtp = registerGtp(this, opts.gtp);
    this.tcp = new TcpStreams({ ...DEFAULT_TCP_LIMITS, ...(opts.net?.tcp ?? {}) });
    this.diameter = shard === null ? registerDiameter(this, opts.diameter) : shard.registerDiameter(this, opts.diameter);
    if (shard !== null) this.addTimerOwner(shard.timer);
    this.onSctp = (msg) => this.onSctpMessage(msg);
    this.sampler = opts.sampler ?? null;
    if (this.sampler !== null) {
      const sampler = this.sampler;
      this.counters.onAnomaly = (layer) => sampler.sample(layer, this.curBuf, this.curStart, this.curLen, this.tsUs, this.curLinkType);
    }
  }

  /** Sets the `source` column of records (capture file name or interface). */
  setSource(source: string): void {
    this.tcap.source = source;
    this.ctx.source = source;
    if (this.shard !== null) this.shard.setSource(source);
  }

  /** Registers a correlator / reassembler whose timers run on packet time and which is flushed at the end. */
  addTimerOwner(t: TimerOwner): void {
    this.timerOwners.push(t);
  }

  /** One captured packet. The buffer is only valid during the call. */
  onPacket(buf: Buffer, start: number, capLen: number, _origLen: number, tsUs: number, linkType: number, frame: number): void {
    const st = this.stats;
    st.packets++;
    st.bytes += capLen;
    this.frame = frame;
    if (tsUs < this.lastTsUs) st.timeWentBack++;
    else this.lastTsUs = tsUs;
    this.tsUs = tsUs;
    this.curBuf = buf;
    this.curStart = start;
    this.curLen = capLen;
    this.curLinkType = linkType;
    if (this.lastTsUs >= this.nextExpiryUs) this.tick(this.lastTsUs);
    const end = start + capLen;
    const link = this.link;
    const lc = decodeLink(linkType, buf, start, end, link);
    if (lc !== 0) {
      this.counters.anomaly(Layer.Link, lc);
      return;
    }
    this.counters.ok(Layer.Link);
    if (link.etherType !== 0x0800 && link.etherType !== 0x86dd) {
      st.nonIp++;
      return;
    }
    const ipv = this.ipView;
    const ip = this.ip;
    const r = ip.decode(link.etherType, buf, link.start, end, tsUs, ipv);
    if (ip.anomalyCode !== 0) this.counters.anomaly(ip.anomalyLayer, ip.anomalyCode);
    if (r !== IpResult.Ok) {
      if (r === IpResult.FragmentHeld) st.fragmentsHeld++;
      return;
    }
    this.counters.ok(ipv.version === 4 ? Layer.Ipv4 : Layer.Ipv6);
    if (ipv.reassembled) this.counters.ok(Layer.IpReassembly);
    st.byIpProto[ipv.proto & 255]++;
    if (ipv.proto === IpProto.Sctp) {
      const sc = this.sctp.onPacket(ipv, tsUs, this.onSctp);
      if (sc !== 0) this.counters.anomaly(this.sctp.anomalyLayer, sc);
      else this.counters.ok(Layer.Sctp);
    } else if (ipv.proto === IpProto.Tcp) {
      this.onTcp(ipv, tsUs);
    } else if (ipv.proto === IpProto.Udp) {
      this.onUdp(ipv, tsUs);
    }
  }

  /** The IP datagram being handled (valid during the packet's callbacks, e.g. onSctpMessage). */
  get currentIp(): IpView {
    return this.ipView;
  }

  /** TCP → per-direction stream reassembly → the stream handler registered for the port. */
  private onTcp(ipv: IpView, tsUs: number): void {
    const t = this.tcpView;
    const code = decodeTcp(ipv.buf, ipv.start, ipv.end, t);
    if (code !== 0) {
      this.counters.anomaly(Layer.Tcp, code);
      return;
    }
    this.counters.ok(Layer.Tcp);
    const sink = this.tcpPorts.get(t.dstPort) ?? this.tcpPorts.get(t.srcPort);
    if (sink === undefined) return;
    const sc = this.tcp.onSegment(ipv, t, sink, this.frame, tsUs);
    if (sc !== 0) this.counters.anomaly(Layer.Tcp, sc);
  }

  /** UDP → the handler registered for the port (GTP-C 2123...). */
  private onUdp(ipv: IpView, tsUs: number): void {
    const u = this.udpView;
    const code = decodeUdp(ipv.buf, ipv.start, ipv.end, u);
    if (code !== 0) this.counters.anomaly(Layer.Udp, code);
    else this.counters.ok(Layer.Udp);
    // A datagram cut by the capture still goes up: the GTP decoder reports what is missing.
    if (code !== UdpAnomaly.Ok && code !== UdpAnomaly.PayloadTruncated) return;
    const reg = this.udpDispatch.route(u.srcPort, u.dstPort);
    if (reg !== null) reg.handler.onUdp(ipv, u, this.frame, tsUs);
  }

  private onSctpMessage(msg: SctpMessageView): void {
    this.stats.sctpMessages++;
    if (msg.reassembled) this.counters.ok(Layer.SctpReassembly);
    const reg = this.sctpDispatch.route(msg);
    if (reg === null) {
      if (msg.ppid === 0) this.counters.anomaly(Layer.Dispatch, DispatchAnomaly.Undispatched);
      return;
    }
    this.counters.ok(Layer.Dispatch);
    reg.handler.onSctpMessage(msg, this.frame, this.tsUs);
  }

  /** Timer work at packet time nowUs: dialogue expiry and reassembly expiry. */
  tick(nowUs: number): void {
    this.nextExpiryUs = nowUs + this.expiryTickUs;
    this.tcap.expire(nowUs);
    this.sigtran.expire(nowUs);
    this.ip.expire(nowUs);
    this.sctp.expire(nowUs);
    this.tcp.expire(nowUs);
    for (let i = 0; i < this.timerOwners.length; i++) this.timerOwners[i].expire(nowUs);
  }

  /** End of input: everything still pending becomes a record. */
  finish(reason: 'capture_end' | 'shutdown'): void {
    this.tcap.flush(reason);
    this.tcp.flush();
    for (const t of this.timerOwners) t.flush(reason);
    this.sampler?.close();
  }
}
