import { Layer } from '../metrics/layers';
import type { Counters } from '../metrics/anomalies';
import { AddrPair, storeAddrPair } from '../net/addrKey';
import type { SctpMessageView } from '../net/types';
import type { TcpStream } from '../net/tcpStreams';
import type { SctpUpper } from './registry';
import { DiameterAnomaly, DIAMETER_VERSION } from '../protocols/diameter/constants';
import { decodeDiameter, looksLikeDiameter } from '../protocols/diameter/decode';
import { createDiameterView } from '../protocols/diameter/types';
import { DiameterFramer, DEFAULT_DIAMETER_FRAMER_LIMITS } from '../protocols/diameter/framer';
import type { DiameterFrameSink, DiameterFramerLimits } from '../protocols/diameter/framer';
import { DiameterTransactions, DEFAULT_DIAMETER_LIMITS } from '../correlate/diameterTransactions';
import type { DiameterInput, DiameterLimits } from '../correlate/diameterTransactions';
import type { Pipeline } from './pipeline';

/** IANA SCTP Payload Protocol Identifiers (RFC 6733 §2.1): Diameter, Diameter over DTLS. */
export const PPID_DIAMETER = 46;
export const PPID_DIAMETER_DTLS = 47;
/** IANA port for Diameter over SCTP and TCP (RFC 6733 §2.1). */
export const DIAMETER_PORT = 3868;

export interface DiameterOptions {
  limits: DiameterLimits;
  framer: DiameterFramerLimits;
  /** TCP ports carrying Diameter besides 3868. */
  tcpPorts: readonly number[];
}

export const DEFAULT_DIAMETER_OPTIONS: DiameterOptions = {
  limits: DEFAULT_DIAMETER_LIMITS,
  framer: DEFAULT_DIAMETER_FRAMER_LIMITS,
  tcpPorts: [],
};

/** Messages by transport (besides the per-layer decode counters). */
export class DiameterStats {
  sctpMessages = 0;
  tcpMessages = 0;
  /** SCTP PPID 47 user messages (DTLS records): counted, not decoded. */
  encrypted = 0;
}

/**
 * Diameter over SCTP (whole user messages) and over TCP (framed from the reassembled stream) →
 * decode → request/answer correlation. One instance per pipeline; the view and the correlator
 * input are allocated once and reused.
 */
export class DiameterHandler implements SctpUpper, DiameterFrameSink {
  readonly stats = new DiameterStats();
  readonly framer: DiameterFramer;
  readonly transactions: DiameterTransactions;
  private readonly input: DiameterInput;
  private readonly sctpAddrs = new AddrPair();
  private readonly counters: Counters;

  constructor(private readonly pipeline: Pipeline, opts: DiameterOptions) {
    this.counters = pipeline.counters;
    this.framer = new DiameterFramer(this, opts.framer);
    this.transactions = new DiameterTransactions(pipeline.sink, pipeline.counters, pipeline.ids, pipeline.ctx, opts.limits);
    this.input = {
      view: createDiameterView(),
      buf: Buffer.alloc(0),
      tcp: false,
      connKey: -1,
      peerKey: -1,
      addrs: this.sctpAddrs,
      srcPort: 0,
      dstPort: 0,
      frame: 0,
      tsUs: 0,
    };
  }

  /** A whole SCTP user message (PPID 46/47, port 3868 or the PPID 0 heuristic). */
  onSctpMessage(msg: SctpMessageView, frame: number, tsUs: number): void {
    if (msg.ppid === PPID_DIAMETER_DTLS && (msg.end <= msg.start || msg.buf[msg.start] !== DIAMETER_VERSION)) {
      this.stats.encrypted++;
      this.counters.anomaly(Layer.Diameter, DiameterAnomaly.Encrypted);
      return;
    }
    this.stats.sctpMessages++;
    const inp = this.input;
    storeAddrPair(this.sctpAddrs, this.pipeline.currentIp, false);
    inp.tcp = false;
    inp.connKey = msg.assocKey;
    inp.peerKey = msg.assocPeer;
    inp.addrs = this.sctpAddrs;
    inp.srcPort = msg.srcPort;
    inp.dstPort = msg.dstPort;
    this.message(msg.buf, msg.start, msg.end, frame, tsUs);
  }

  /** A whole message cut from a TCP stream by the framer. */
  onFrame(dir: TcpStream, buf: Buffer, start: number, end: number, frame: number, tsUs: number): void {
    this.stats.tcpMessages++;
    const inp = this.input;
    inp.tcp = true;
    inp.connKey = dir.key;
    inp.peerKey = dir.peer !== null ? dir.peer.key : -1;
    inp.addrs = dir.addrs;
    inp.srcPort = dir.srcPort;
    inp.dstPort = dir.dstPort;
    this.message(buf, start, end, frame, tsUs);
  }

  onFramerAnomaly(code: number): void {
    this.counters.anomaly(Layer.Diameter, code);
  }

  private message(buf: Buffer, start: number, end: number, frame: number, tsUs: number): void {
    const inp = this.input;
    const code = decodeDiameter(buf, start, end, inp.view);
    if (code !== DiameterAnomaly.Ok) this.counters.anomaly(Layer.Diameter, code);
    else this.counters.ok(Layer.Diameter);
    // A header is enough to correlate (AVP anomalies keep the fields found before them).
    if (!inp.view.headerOk) return;
    inp.buf = buf;
    inp.frame = frame;
    inp.tsUs = tsUs;
    this.transactions.onMessage(inp);
  }
}

/**
 * Registers Diameter with the pipeline (data, not code): SCTP PPIDs 46 and 47, SCTP port 3868
 * for PPID 0 and the strict header heuristic after it; TCP port 3868 (and opts.tcpPorts) to the
 * framer; the correlator's timers.
 */
export function registerDiameter(p: Pipeline, opts: Partial<DiameterOptions> = {}): DiameterHandler {
  const o: DiameterOptions = {
    limits: { ...DEFAULT_DIAMETER_OPTIONS.limits, ...(opts.limits ?? {}) },
    framer: { ...DEFAULT_DIAMETER_OPTIONS.framer, ...(opts.framer ?? {}) },
    tcpPorts: opts.tcpPorts ?? DEFAULT_DIAMETER_OPTIONS.tcpPorts,
  };
  const h = new DiameterHandler(p, o);
  p.sctpDispatch.register({
    name: 'diameter',
    ppids: [PPID_DIAMETER, PPID_DIAMETER_DTLS],
    ports: [DIAMETER_PORT],
    heuristic: looksLikeDiameter,
    handler: h,
  });
  p.tcpPorts.set(DIAMETER_PORT, h.framer);
  for (const port of o.tcpPorts) p.tcpPorts.set(port, h.framer);
  p.addTimerOwner(h.transactions);
  return h;
}
