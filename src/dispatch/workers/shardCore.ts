/**
 * One shard's correlation (runs in a worker thread, or in-process for tests): a Pipeline of its
 * own whose TCAP correlator and Diameter transactions get the messages the dispatcher routed to
 * this shard, in packet order. The SCCP / TCAP and Diameter octets are decoded again here (pure
 * decoders: the same views as in the dispatcher); the decode counters of the layers above the
 * dispatcher's (Diameter, the correlators' anomalies) are counted here and merged by the
 * dispatcher from the deltas this core reports.
 */
import { Layer } from '../../metrics/layers';
import { Pipeline, type PipelineOptions } from '../pipeline';
import type { IdentityProtector } from '../../correlate/identities';
import type { RecordSink } from '../../correlate/record';
import type { TcapInput } from '../../correlate/tcapDialogues';
import type { DiameterInput } from '../../correlate/diameterTransactions';
import { createTcapView } from '../../protocols/tcap/types';
import { decodeTcap } from '../../protocols/tcap/decode';
import { createSccpView } from '../../protocols/sccp/types';
import { decodeSccp } from '../../protocols/sccp/decode';
import { createM3uaView } from '../../protocols/m3ua/types';
import { createDiameterView } from '../../protocols/diameter/types';
import { decodeDiameter } from '../../protocols/diameter/decode';
import { DiameterAnomaly } from '../../protocols/diameter/constants';
import { AddrPair } from '../../net/addrKey';
import { BatchReader, ShardMsg } from '../shardCodec';

/** What a shard counted: added into the dispatcher's pipeline (replay summary, metrics). */
export interface ShardStats {
  anomalies: number[];
  decoded: number[];
  tcapClosed: Record<string, number>;
  diameterClosed: Record<string, number>;
  diameterStats: Record<string, number>;
  /** networks.stats.unknown: table → `<field>_unknown/<reason>` → count */
  networks: { dialogues: Record<string, number>; tunnels: Record<string, number> };
  networkRecords: { dialogues: number; tunnels: number };
}

export const FINISH_REASONS = ['capture_end', 'shutdown'] as const;

function sub(a: Record<string, number>, b: Record<string, number> | undefined): Record<string, number> {
  const o: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) {
    const d = v - (b?.[k] ?? 0);
    if (d !== 0) o[k] = d;
  }
  return o;
}

export class ShardCore {
  readonly pipeline: Pipeline;
  private readonly rd = new BatchReader();
  private readonly tin: TcapInput;
  private readonly din: DiameterInput;
  private readonly addrs = new AddrPair();
  private last: ShardStats | null = null;
  finished = false;
  /** Set when a tick ran: the caller reports the stats delta. */
  ticked = false;

  constructor(sink: RecordSink, ids: IdentityProtector, opts: PipelineOptions) {
    this.pipeline = new Pipeline(sink, ids, { ...opts, tunnelSink: null, sampler: null, shard: null });
    this.tin = {
      tcap: createTcapView(),
      tcapBuf: Buffer.alloc(0),
      tcapStart: 0,
      tcapEnd: 0,
      sccp: createSccpView(),
      sccpBuf: Buffer.alloc(0),
      mtp: createM3uaView(),
      frame: 0,
      tsUs: 0,
    };
    this.din = {
      view: createDiameterView(),
      buf: Buffer.alloc(0),
      tcp: false,
      connKey: -1,
      peerKey: -1,
      addrs: this.addrs,
      srcPort: 0,
      dstPort: 0,
      frame: 0,
      tsUs: 0,
    };
  }

  /** Processes one batch from the dispatcher. */
  onBatch(batch: Uint8Array): void {
    const r = this.rd;
    r.reset(batch);
    const p = this.pipeline;
    while (r.more) {
      switch (r.u8()) {
        case ShardMsg.Tcap:
          this.tcap(r);
          break;
        case ShardMsg.Diameter:
          this.diameter(r);
          break;
        case ShardMsg.Tick:
          p.tick(r.f64());
          this.ticked = true;
          break;
        case ShardMsg.Source:
          p.setSource(r.str());
          break;
        case ShardMsg.TcapReused:
          this.tcapReused(r.str());
          break;
        case ShardMsg.Finish:
          p.finish(FINISH_REASONS[r.u8()] ?? 'capture_end');
          this.finished = true;
          break;
        default:
          throw new Error('shard batch: unknown message kind');
      }
    }
  }

  private tcap(r: BatchReader): void {
    const m = this.tin;
    m.frame = r.f64();
    m.tsUs = r.f64();
    m.mtp.opc = r.i32();
    m.mtp.dpc = r.i32();
    const sccp = r.bytes();
    decodeSccp(sccp, 0, sccp.length, m.sccp);
    m.sccpBuf = sccp;
    if (r.u8() === 0) {
      m.tcapBuf = sccp;
      m.tcapStart = r.u32();
      m.tcapEnd = r.u32();
    } else {
      const t = r.bytes();
      m.tcapBuf = t;
      m.tcapStart = 0;
      m.tcapEnd = t.length;
    }
    decodeTcap(m.tcapBuf, m.tcapStart, m.tcapEnd, m.tcap);
    this.pipeline.tcap.onMessage(m);
  }

  private diameter(r: BatchReader): void {
    const m = this.din;
    m.frame = r.f64();
    m.tsUs = r.f64();
    m.tcp = r.u8() === 1;
    m.connKey = r.f64();
    m.peerKey = r.f64();
    m.srcPort = r.u16();
    m.dstPort = r.u16();
    const a = this.addrs;
    a.version = r.u8();
    if (a.version === 4) {
      a.a4 = r.u32();
      a.b4 = r.u32();
    } else {
      const six = r.bytes();
      if (a.a6 === null) a.a6 = Buffer.alloc(32);
      six.copy(a.a6, 0, 0, 32);
    }
    const buf = r.bytes();
    // As DiameterHandler.message: decode, count, correlate once a header is there.
    const p = this.pipeline;
    const code = decodeDiameter(buf, 0, buf.length, m.view);
    if (code !== DiameterAnomaly.Ok) p.counters.anomaly(Layer.Diameter, code);
    else p.counters.ok(Layer.Diameter);
    if (!m.view.headerOk) return;
    m.buf = buf;
    p.diameter.transactions.onMessage(m);
  }

  /**
   * Another shard learned a responder key that a dialogue pending here holds: as the single
   * correlator does (onContinue), that dialogue is closed as tid_reused.
   */
  private tcapReused(key: string): void {
    const c = this.pipeline.tcap as unknown as {
      table?: Map<string, unknown>;
      finish?: (d: unknown, s: string, r: string, f: null, t: null) => void;
      counters?: { anomaly(l: Layer, c: number): void };
    };
    const d = c.table?.get(key);
    if (d === undefined || typeof c.finish !== 'function') return;
    c.counters?.anomaly(Layer.Correlate, 6 /* TcapDialogueAnomaly.TidReused */);
    c.finish.call(c, d, 'timeout', 'tid_reused', null, null);
  }

  /** Totals counted by this shard. */
  totals(): ShardStats {
    const p = this.pipeline;
    const nets = p.networks.stats;
    return {
      anomalies: Array.from(p.counters.anomalies),
      decoded: Array.from(p.counters.decoded),
      tcapClosed: { ...p.tcap.closed },
      diameterClosed: { ...p.diameter.transactions.closed },
      diameterStats: { ...p.diameter.transactions.stats },
      networks: nets.unknown,
      networkRecords: { dialogues: nets.dialogues, tunnels: nets.tunnels },
    };
  }

  /** What changed since the last call (the dispatcher adds it to its own pipeline's counters). */
  delta(): ShardStats {
    const cur = this.totals();
    const prev = this.last;
    this.last = cur;
    if (prev === null) return cur;
    return {
      anomalies: cur.anomalies.map((v, i) => v - prev.anomalies[i]),
      decoded: cur.decoded.map((v, i) => v - prev.decoded[i]),
      tcapClosed: sub(cur.tcapClosed, prev.tcapClosed),
      diameterClosed: sub(cur.diameterClosed, prev.diameterClosed),
      diameterStats: sub(cur.diameterStats, prev.diameterStats),
      networks: { dialogues: sub(cur.networks.dialogues, prev.networks.dialogues), tunnels: sub(cur.networks.tunnels, prev.networks.tunnels) },
      networkRecords: { dialogues: cur.networkRecords.dialogues - prev.networkRecords.dialogues, tunnels: cur.networkRecords.tunnels - prev.networkRecords.tunnels },
    };
  }
}
