/**
 * Flow-sharded correlation (`capture.workers` / `--workers N`, N > 1). The capture thread keeps
 * the packet path — link, IP (+ fragment reassembly), SCTP (+ reassembly, per association), TCP
 * streams and the Diameter framer (per connection), M3UA / M2UA, SCCP (+ XUDT reassembly), the
 * TCAP decode — and GTP (tunnel state spans transactions, TEIDs and the user plane: one home, this
 * thread). Each TCAP message and each Diameter message then goes to the worker thread whose shard
 * holds its dialogue:
 *   - TCAP: by the dialogue's initiator TID key, responder keys learned on the way (shardRoute.ts)
 *     — never by association or link, so answers via another association or the mate STP meet
 *     their request;
 *   - Diameter: by End-to-End Identifier — a request, its answer (hop-by-hop on that connection),
 *     retransmissions on another connection (T flag) and the legs on both sides of a DRA share it.
 * Timer ticks and the end of input go to every worker at the same point of its message stream as
 * in one thread, so every record is the one `--workers 1` writes. Records come back to this
 * thread and go through the one spool writer; the workers' counters are added to this
 * pipeline's (summary, metrics).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Layer } from '../metrics/layers';
import type { Config } from '../config/schema';
import type { IdentityMode } from '../correlate/identities';
import type { DialogueRecord, RecordSink, TunnelSink } from '../correlate/record';
import type { TcapInput } from '../correlate/tcapDialogues';
import { DEFAULT_TCAP_LIMITS } from '../correlate/tcapDialogues';
import type { SctpMessageView } from '../net/types';
import type { TcpStream } from '../net/tcpStreams';
import { AddrPair, mix32, storeAddrPair } from '../net/addrKey';
import { DiameterAnomaly, DIAMETER_VERSION } from '../protocols/diameter/constants';
import { looksLikeDiameter } from '../protocols/diameter/decode';
import { DiameterFramer, DEFAULT_DIAMETER_FRAMER_LIMITS, type DiameterFrameSink } from '../protocols/diameter/framer';
import { DEFAULT_DIAMETER_LIMITS } from '../correlate/diameterTransactions';
import { DiameterHandler, DIAMETER_PORT, PPID_DIAMETER, PPID_DIAMETER_DTLS, type DiameterOptions, type DiameterStats } from './diameter';
import type { SctpUpper } from './registry';
import type { Pipeline, ShardTargets, TimerOwner } from './pipeline';
import { BatchWriter, ShardMsg } from './shardCodec';
import { TcapRouter } from './shardRoute';
import { FINISH_REASONS, type ShardStats } from './workers/shardCore';
import { SigprobeError } from '../config/errors';

/** Most worker threads (a probe server's cores). */
export const MAX_WORKERS = 64;
/** A worker's batch is handed over once it holds this many octets (or at a pump()). */
const BATCH_BYTES = 1 << 18;
/** Batches sent to a worker and not yet processed, at most, before pump() waits (back-pressure). */
const MAX_IN_FLIGHT = 8;

/** One worker as the dispatcher sees it: post a batch; its replies come through ShardDispatcher.reply(). */
export interface ShardPort {
  post(batch: Uint8Array): void;
  terminate(): void;
}

/** Reply of a worker (threaded: a message; in-process: a direct call). */
export interface ShardReply {
  /** Batches processed since the last reply. */
  acks: number;
  records?: DialogueRecord[];
  stats?: ShardStats;
  done?: boolean;
  error?: string;
}

export interface ShardDispatcherOptions {
  workers: number;
  /** Where the workers' records go (the spool writer behind the metrics). */
  sink: RecordSink & TunnelSink;
  /** TCAP idle timeout (µs): the router's key lifetimes follow the correlators'. */
  tcapIdleTimeoutUs?: number;
  /** Worker threads from the config (sigprobe replay / run)... */
  cfg?: Config;
  identities?: IdentityMode;
  key?: Buffer | null;
  /** ...or ports made by the caller (tests: in-process cores). */
  ports?: (index: number, reply: (r: ShardReply) => void) => ShardPort;
}

/** Worker thread ports: the compiled src/dispatch/workers/shardWorker.js. */
function threadPort(o: ShardDispatcherOptions, index: number, reply: (r: ShardReply) => void): ShardPort {
  const file = join(__dirname, 'workers', 'shardWorker.js');
  if (!existsSync(file)) throw new SigprobeError('E_CONFIG', `shard worker ${file} missing (run the build)`);
  const key = o.key ?? null;
  const w = new Worker(file, { workerData: { index, cfg: o.cfg, identities: o.identities, key: key === null ? null : new Uint8Array(key) } });
  w.on('message', (m: ShardReply) => reply(m));
  w.on('error', (e) => reply({ acks: 0, error: (e as Error).message ?? String(e) }));
  // Not unref'd: the replay's awaits on the workers' replies keep the process alive (terminated in drain()).
  return {
    post: (b) => w.postMessage(b, [b.buffer as ArrayBuffer]),
    terminate: () => void w.terminate(),
  };
}

export class ShardDispatcher {
  readonly workers: number;
  readonly targets: ShardTargets;
  readonly router: TcapRouter;
  private readonly out: BatchWriter[] = [];
  private readonly ports: ShardPort[] = [];
  private readonly inFlight: number[] = [];
  private readonly done: boolean[] = [];
  private readonly sink: RecordSink & TunnelSink;
  private pipeline: Pipeline | null = null;
  private waiters: (() => void)[] = [];
  private failure: string | null = null;
  /** Messages routed per worker (statistics, the bench's balance figure). */
  readonly routed: number[] = [];
  /** Records received from the workers. */
  records = 0;
  private finishing = false;

  constructor(o: ShardDispatcherOptions) {
    if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > MAX_WORKERS) {
      throw new SigprobeError('E_USAGE', `workers must be an integer from 1 to ${MAX_WORKERS}, got ${o.workers}`);
    }
    this.workers = o.workers;
    this.sink = o.sink;
    const idle = o.tcapIdleTimeoutUs ?? (o.cfg ? o.cfg.limits.tcap.idleTimeoutSeconds * 1e6 : DEFAULT_TCAP_LIMITS.idleTimeoutUs);
    this.router = new TcapRouter(o.workers, idle);
    for (let i = 0; i < o.workers; i++) {
      this.out.push(new BatchWriter());
      this.inFlight.push(0);
      this.done.push(false);
      this.routed.push(0);
      const reply = (r: ShardReply) => this.reply(i, r);
      this.ports.push(o.ports ? o.ports(i, reply) : threadPort(o, i, reply));
    }
    const timer: TimerOwner = {
      expire: (nowUs) => this.tick(nowUs),
      flush: (reason) => this.finishAll(reason),
    };
    this.targets = {
      tcap: { onMessage: (m) => this.onTcap(m) },
      registerDiameter: (p, opts) => this.registerDiameter(p, opts),
      timer,
      setSource: (s) => this.broadcastSource(s),
    };
  }

  /** The capture thread's pipeline (its counters receive the workers'). */
  attach(p: Pipeline): void {
    this.pipeline = p;
  }

  // ------------------------------------------------------------------ routing

  private onTcap(m: TcapInput): void {
    const w = this.router.route(m);
    const rk = this.router.reusedKey;
    if (rk !== null) {
      const o = this.out[this.router.reusedShard];
      o.ensure(1);
      o.u8(ShardMsg.TcapReused);
      o.str(rk);
    }
    this.routed[w]++;
    const b = this.out[w];
    const mtp = m.mtp;
    const sStart = mtp.dataStart;
    const sEnd = mtp.dataEnd;
    const sameBuf = m.tcapBuf === m.sccpBuf;
    b.ensure(40 + (sEnd - sStart) + (sameBuf ? 0 : m.tcapEnd - m.tcapStart));
    b.u8(ShardMsg.Tcap);
    b.f64(m.frame);
    b.f64(m.tsUs);
    b.i32(mtp.opc);
    b.i32(mtp.dpc);
    b.bytes(m.sccpBuf, sStart, sEnd);
    if (sameBuf) {
      b.u8(0);
      b.u32(m.tcapStart - sStart);
      b.u32(m.tcapEnd - sStart);
    } else {
      b.u8(1);
      b.bytes(m.tcapBuf, m.tcapStart, m.tcapEnd);
    }
    if (b.len >= BATCH_BYTES) this.send(w);
  }

  /** One Diameter message [start, end) of buf: to the shard of its End-to-End Identifier. */
  diameterMessage(tcp: boolean, connKey: number, peerKey: number, addrs: AddrPair, srcPort: number, dstPort: number, buf: Buffer, start: number, end: number, frame: number, tsUs: number): void {
    const e2e = end - start >= 20 ? buf.readUInt32BE(start + 16) : 0;
    const w = mix32(0x5bd1e995, e2e) % this.workers;
    this.routed[w]++;
    const b = this.out[w];
    b.ensure(80 + end - start);
    b.u8(ShardMsg.Diameter);
    b.f64(frame);
    b.f64(tsUs);
    b.u8(tcp ? 1 : 0);
    b.f64(connKey);
    b.f64(peerKey);
    b.u16(srcPort);
    b.u16(dstPort);
    b.u8(addrs.version);
    if (addrs.version === 4) {
      b.u32(addrs.a4);
      b.u32(addrs.b4);
    } else {
      b.bytes(addrs.a6 as Buffer, 0, 32);
    }
    b.bytes(buf, start, end);
    if (b.len >= BATCH_BYTES) this.send(w);
  }

  private registerDiameter(p: Pipeline, opts: Partial<DiameterOptions> | undefined): DiameterHandler {
    const o: DiameterOptions = {
      limits: { ...DEFAULT_DIAMETER_LIMITS, ...(opts?.limits ?? {}) },
      framer: { ...DEFAULT_DIAMETER_FRAMER_LIMITS, ...(opts?.framer ?? {}) },
      tcpPorts: opts?.tcpPorts ?? [],
    };
    // The handler is not registered: it holds the stats / framer / (idle) transactions the
    // pipeline exposes; the forwarder takes its place in the dispatch tables.
    const h = new DiameterHandler(p, o);
    const fwd = new DiameterForwarder(this, p, h.stats, o);
    (h as unknown as { framer: DiameterFramer }).framer = fwd.framer;
    p.sctpDispatch.register({ name: 'diameter', ppids: [PPID_DIAMETER, PPID_DIAMETER_DTLS], ports: [DIAMETER_PORT], heuristic: looksLikeDiameter, handler: fwd });
    p.tcpPorts.set(DIAMETER_PORT, fwd.framer);
    for (const port of o.tcpPorts) p.tcpPorts.set(port, fwd.framer);
    return h;
  }

  // ------------------------------------------------------------------ ticks, source, end

  private tick(nowUs: number): void {
    this.router.tick(nowUs);
    for (const b of this.out) {
      b.ensure(9);
      b.u8(ShardMsg.Tick);
      b.f64(nowUs);
    }
  }

  private broadcastSource(s: string): void {
    for (const b of this.out) {
      b.ensure(1);
      b.u8(ShardMsg.Source);
      b.str(s);
    }
  }

  private finishAll(reason: 'capture_end' | 'shutdown'): void {
    this.finishing = true;
    for (let i = 0; i < this.workers; i++) {
      const b = this.out[i];
      b.ensure(2);
      b.u8(ShardMsg.Finish);
      b.u8(FINISH_REASONS.indexOf(reason));
      this.send(i);
    }
  }

  // ------------------------------------------------------------------ transport

  private send(i: number): void {
    const b = this.out[i];
    if (b.len === 0) return;
    this.inFlight[i]++;
    this.ports[i].post(b.take());
  }

  /** Hands every partly filled batch over (live: at each flush tick; replay: every few thousand packets). */
  flush(): void {
    for (let i = 0; i < this.workers; i++) this.send(i);
  }

  /**
   * Replay: flush, then wait while any worker has more than `max` batches to process (lets the
   * workers' records in; bounds memory when the workers are slower than the reader).
   */
  async pump(max = MAX_IN_FLIGHT): Promise<void> {
    this.flush();
    await new Promise<void>((r) => setImmediate(r));
    while (this.failure === null && this.inFlight.some((n) => n > max)) await new Promise<void>((r) => this.waiters.push(r));
    this.check();
  }

  /** After pipeline.finish(): waits for every worker's last records and counters. */
  async drain(): Promise<void> {
    if (!this.finishing) throw new Error('ShardDispatcher.drain() before pipeline.finish()');
    while (this.failure === null && this.done.some((d) => !d)) await new Promise<void>((r) => this.waiters.push(r));
    this.check();
    for (const p of this.ports) p.terminate();
  }

  private check(): void {
    if (this.failure !== null) throw new SigprobeError('E_SHARD', `shard worker failed: ${this.failure}`);
  }

  /** A worker's reply: records to the spool, counters into this pipeline, acknowledgements. */
  reply(i: number, r: ShardReply): void {
    if (r.error !== undefined) this.failure = r.error;
    this.inFlight[i] -= r.acks;
    if (r.records !== undefined) {
      const s = this.sink;
      for (const rec of r.records) s.write(rec);
      this.records += r.records.length;
    }
    if (r.stats !== undefined) this.addStats(r.stats);
    if (r.done === true) this.done[i] = true;
    const ws = this.waiters;
    if (ws.length > 0) {
      this.waiters = [];
      for (const f of ws) f();
    }
  }

  private addStats(s: ShardStats): void {
    const p = this.pipeline;
    if (p === null) return;
    const c = p.counters;
    for (let k = 0; k < s.anomalies.length; k++) if (s.anomalies[k] !== 0) c.anomalies[k] += s.anomalies[k];
    for (let k = 0; k < s.decoded.length; k++) if (s.decoded[k] !== 0) c.decoded[k] += s.decoded[k];
    const add = (into: Record<string, number>, d: Record<string, number>) => {
      for (const [k, v] of Object.entries(d)) into[k] = (into[k] ?? 0) + v;
    };
    add(p.tcap.closed, s.tcapClosed);
    add(p.diameter.transactions.closed, s.diameterClosed);
    add(p.diameter.transactions.stats, s.diameterStats);
    const nets = p.networks.stats;
    nets.dialogues += s.networkRecords.dialogues;
    nets.tunnels += s.networkRecords.tunnels;
    const counts = (nets as unknown as { counts: Record<string, Record<string, Record<string, number>>> }).counts;
    for (const table of ['dialogues', 'tunnels'] as const) {
      for (const [k, n] of Object.entries(s.networks[table])) {
        const slash = k.indexOf('/');
        const field = k.slice(0, slash).replace(/_unknown$/, '');
        const reason = k.slice(slash + 1);
        const byField = counts?.[table]?.[field];
        if (byField !== undefined) byField[reason] = (byField[reason] ?? 0) + n;
      }
    }
  }
}

/**
 * Diameter in the capture thread of a sharded pipeline: what DiameterHandler does before the
 * decode (DTLS records counted, the sender's addresses, TCP framing), then the message octets go
 * to their shard, which decodes and correlates them.
 */
class DiameterForwarder implements SctpUpper, DiameterFrameSink {
  readonly framer: DiameterFramer;
  private readonly sctpAddrs = new AddrPair();

  constructor(
    private readonly d: ShardDispatcher,
    private readonly p: Pipeline,
    private readonly stats: DiameterStats,
    o: DiameterOptions,
  ) {
    this.framer = new DiameterFramer(this, o.framer);
  }

  onSctpMessage(msg: SctpMessageView, frame: number, tsUs: number): void {
    if (msg.ppid === PPID_DIAMETER_DTLS && (msg.end <= msg.start || msg.buf[msg.start] !== DIAMETER_VERSION)) {
      this.stats.encrypted++;
      this.p.counters.anomaly(Layer.Diameter, DiameterAnomaly.Encrypted);
      return;
    }
    this.stats.sctpMessages++;
    storeAddrPair(this.sctpAddrs, this.p.currentIp, false);
    this.d.diameterMessage(false, msg.assocKey, msg.assocPeer, this.sctpAddrs, msg.srcPort, msg.dstPort, msg.buf, msg.start, msg.end, frame, tsUs);
  }

  onFrame(dir: TcpStream, buf: Buffer, start: number, end: number, frame: number, tsUs: number): void {
    this.stats.tcpMessages++;
    this.d.diameterMessage(true, dir.key, dir.peer !== null ? dir.peer.key : -1, dir.addrs, dir.srcPort, dir.dstPort, buf, start, end, frame, tsUs);
  }

  onFramerAnomaly(code: number): void {
    this.p.counters.anomaly(Layer.Diameter, code);
  }
}
