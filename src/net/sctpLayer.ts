/**
 * SCTP layer: walks every chunk of a packet, drops duplicate TSNs, delivers each complete user
 * message (DATA / I-DATA) to a sink, reassembling fragmented ones; tracks association state
 * (INIT / INIT ACK Initial TSN, ABORT, SHUTDOWN COMPLETE, Verification Tag changes).
 *
 * Result convention: onPacket() returns the code of the first anomaly of the packet (0 = none);
 * `anomalyLayer` tells which layer the code belongs to (Layer.Sctp: SctpAnomaly, or
 * Layer.SctpReassembly: SctpReassemblyAnomaly). Messages before and after an anomalous chunk are
 * still delivered. Every event is also in `counters` / `reassembler.counters` / `assocs.counters`.
 */
import { Layer } from '../metrics/layers';
import { SctpChunkType } from './constants';
import { decodeSctpHeader, nextSctpChunk, SctpAnomaly } from './sctp';
import { SctpAssocTable, SctpDirection } from './sctpAssoc';
import {
  DEFAULT_SCTP_LIMITS, SctpReassembler, SctpReassemblyAnomaly, SctpReassemblyLimits,
} from './sctpReassembly';
import { TsnVerdict } from './tsnWindow';
import {
  createSctpChunkView, createSctpHeaderView, createSctpMessageView, IpView, SctpMessageView,
} from './types';

export interface SctpLayerCounters {
  packets: number;
  /** Chunks seen per chunk type (index = type). */
  readonly chunksByType: Float64Array;
  /** DATA + I-DATA chunks seen (duplicates included). */
  dataChunks: number;
  /** User messages delivered (unfragmented + reassembled). */
  delivered: number;
  /** TSN window resets (far backwards jump). */
  tsnResyncs: number;
  /** Association state resets: INIT / INIT ACK, ABORT / SHUTDOWN COMPLETE, new Verification Tag. */
  assocResets: number;
}

export class SctpLayer {
  readonly counters: SctpLayerCounters = {
    packets: 0, chunksByType: new Float64Array(256), dataChunks: 0, delivered: 0, tsnResyncs: 0,
    assocResets: 0,
  };
  readonly reassembler: SctpReassembler;
  readonly assocs: SctpAssocTable;
  /** Layer of the code returned by the last onPacket (Layer.Sctp or Layer.SctpReassembly). */
  anomalyLayer: number = Layer.Sctp;
  private readonly hdr = createSctpHeaderView();
  private readonly chunk = createSctpChunkView();
  private readonly msg = createSctpMessageView();

  constructor(limits: SctpReassemblyLimits = DEFAULT_SCTP_LIMITS) {
    const l = { ...limits };
    this.reassembler = new SctpReassembler(l);
    this.assocs = new SctpAssocTable(l.maxAssociations, l.timeoutUs, (d) => this.reassembler.dropDirection(d));
  }

  /**
   * One SCTP packet: ip.buf[ip.start, ip.end). Calls sink synchronously for every complete user
   * message (the SctpMessageView is reused; copy what you keep). Returns an anomaly code of
   * `anomalyLayer` (0 = none).
   */
  onPacket(ip: IpView, tsUs: number, sink: (msg: SctpMessageView) => void): number {
    const buf = ip.buf;
    const hdr = this.hdr;
    const c = this.chunk;
    const counters = this.counters;
    counters.packets++;
    this.anomalyLayer = Layer.Sctp;
    let anomaly = decodeSctpHeader(buf, ip.start, ip.end, hdr);
    if (anomaly !== SctpAnomaly.Ok) return anomaly;
    const dir = this.assocs.lookup(ip, hdr.srcPort, hdr.dstPort, tsUs);
    if (hdr.vtag !== 0) {
      if (dir.vtag !== 0 && dir.vtag !== hdr.vtag) this.resetDirection(dir); // a new association on the same ports
      dir.vtag = hdr.vtag;
    }
    const msg = this.msg;
    msg.srcPort = hdr.srcPort;
    msg.dstPort = hdr.dstPort;
    msg.assocKey = dir.key;
    msg.assocPeer = dir.peer !== null ? dir.peer.key : -1;
    msg.vtag = hdr.vtag;
    while (hdr.next < hdr.end) {
      const code = nextSctpChunk(buf, hdr, c);
      if (c.type >= 0) counters.chunksByType[c.type]++;
      if (code !== SctpAnomaly.Ok) {
        if (anomaly === 0) anomaly = code;
        continue;
      }
      let r: number = SctpReassemblyAnomaly.Ok;
      switch (c.type) {
        case SctpChunkType.Data:
        case SctpChunkType.IData:
          r = this.onData(dir, c.type === SctpChunkType.IData, buf, tsUs, sink);
          break;
        case SctpChunkType.Init:
          // RFC 9260 §5.1: the INIT sender's DATA starts at its Initial TSN; the peer will tag
          // its packets with the Initiate Tag
          this.startDirection(dir, c.initialTsn);
          if (dir.peer !== null) dir.peer.vtag = c.initiateTag;
          break;
        case SctpChunkType.InitAck:
          this.startDirection(dir, c.initialTsn);
          if (dir.peer !== null) dir.peer.vtag = c.initiateTag;
          break;
        case SctpChunkType.Abort:
        case SctpChunkType.ShutdownComplete:
          // the association is gone (RFC 9260 §9.1, §9.2): both directions start afresh
          this.resetDirection(dir);
          if (dir.peer !== null) this.resetDirection(dir.peer);
          dir.vtag = 0;
          if (dir.peer !== null) dir.peer.vtag = 0;
          break;
        default:
          break; // SACK, HEARTBEAT, PAD, ...: counted by type only
      }
      if (r !== SctpReassemblyAnomaly.Ok && anomaly === 0) {
        anomaly = r;
        this.anomalyLayer = Layer.SctpReassembly;
      }
    }
    return anomaly;
  }

  /** Expires idle associations and incomplete messages (timeoutUs of packet time). */
  expire(nowUs: number): void {
    this.reassembler.expire(nowUs); // first: expired messages are counted as such, not as dropped with their association
    this.assocs.expire(nowUs);
  }

  private onData(dir: SctpDirection, iData: boolean, buf: Buffer, tsUs: number, sink: (m: SctpMessageView) => void): number {
    const c = this.chunk;
    this.counters.dataChunks++;
    const verdict = dir.tsns.check(c.tsn);
    let code: number = SctpReassemblyAnomaly.Ok;
    if (verdict === TsnVerdict.Duplicate) {
      this.reassembler.counters.duplicatesDropped++;
      return SctpReassemblyAnomaly.DuplicateTsn;
    }
    if (verdict === TsnVerdict.Resync) {
      this.counters.tsnResyncs++;
      this.reassembler.dropDirection(dir);
      code = SctpReassemblyAnomaly.TsnResync;
    }
    const msg = this.msg;
    if (c.beginning && c.ending) {
      // a whole user message: delivered from the packet buffer, no copy
      msg.buf = buf;
      msg.start = c.payloadStart;
      msg.end = c.payloadEnd;
      msg.ppid = c.ppid;
      msg.streamId = c.streamId;
      msg.tsn = c.tsn;
      msg.ssn = c.ssn;
      msg.mid = c.mid;
      msg.unordered = c.unordered;
      msg.fragments = 1;
      msg.reassembled = false;
      this.counters.delivered++;
      sink(msg);
      return code;
    }
    const before = this.reassembler.counters.completed;
    const r = this.reassembler.add(dir, c, iData, buf, tsUs, msg, sink);
    this.counters.delivered += this.reassembler.counters.completed - before;
    return code !== SctpReassemblyAnomaly.Ok ? code : r;
  }

  /** INIT / INIT ACK seen: new TSN space from initialTsn, pending messages dropped. */
  private startDirection(dir: SctpDirection, initialTsn: number): void {
    this.counters.assocResets++;
    this.reassembler.dropDirection(dir);
    dir.tsns.startAt(initialTsn);
  }

  private resetDirection(dir: SctpDirection): void {
    this.counters.assocResets++;
    this.reassembler.dropDirection(dir);
    dir.tsns.reset();
  }
}
