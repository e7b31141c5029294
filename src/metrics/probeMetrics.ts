import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DialogueRecord, RecordSink, TunnelRecord, TunnelSink } from '../correlate/record';
import type { Pipeline } from '../dispatch/pipeline';
import { Tally, publishCounter, publishHistogram } from './tally';

const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];
const SETUP_DELAY_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2, 5];

/**
 * What the metrics read at scrape time. `pipeline` may be assigned after construction (the
 * pipeline takes the metrics' counting sink in its constructor).
 */
export interface MetricSources {
  pipeline: Pipeline;
  /** Kernel capture statistics (libpcap ps_recv / ps_drop / ps_ifdrop). */
  captureStats?: () => { received: number; dropped: number; ifDropped: number };
  /** Spool progress: records committed, records waiting for the worker, write failures. */
  spool?: () => { written: number; pending: number; failing: boolean; lastWriteMs: number };
  /** Spool file size in bytes (main db + WAL). */
  spoolBytes?: () => number;
}

/**
 * Every metric of the probe, declared in one place with its HELP text (names follow Prometheus
 * conventions: sigprobe_<what>_<unit>_total). Hot paths never touch prom-client: packet and
 * anomaly counters are read from the pipeline's typed arrays at scrape time (collect()); closed
 * records are counted as they pass through sink() into plain numbers (Tally), which prom-client
 * reads at scrape time too.
 */
export class ProbeMetrics {
  readonly registry = new Registry();
  private readonly dialogues = new Tally(['protocol', 'procedure', 'status']);
  private readonly latency = new Tally(['protocol', 'procedure'], LATENCY_BUCKETS);
  private readonly closedBy = new Tally(['protocol', 'reason']);
  private readonly tunnels = new Tally(['protocol', 'end_reason']);
  private readonly setupDelay = new Tally(['protocol'], SETUP_DELAY_BUCKETS);

  constructor(private readonly src: MetricSources, labels: { site: string; source: string }, processMetrics = true) {
    const r = this.registry;
    r.setDefaultLabels({ site: labels.site });
    if (processMetrics) collectDefaultMetrics({ register: r, prefix: 'sigprobe_' }); // sigprobe_process_*, sigprobe_nodejs_*
    const p = () => this.src.pipeline;
    const link = labels.source;

    new Counter({
      name: 'sigprobe_packets_total',
      help: 'Packets received from the capture source.',
      labelNames: ['link'],
      registers: [r],
      collect() {
        this.reset();
        this.inc({ link }, p().stats.packets);
      },
    });
    new Counter({
      name: 'sigprobe_bytes_total',
      help: 'Captured bytes received from the capture source.',
      labelNames: ['link'],
      registers: [r],
      collect() {
        this.reset();
        this.inc({ link }, p().stats.bytes);
      },
    });
    const sources = this.src;
    new Gauge({
      name: 'sigprobe_kernel_packets',
      help: 'libpcap statistics of the capture handle: kind=received (ps_recv), dropped (ps_drop: buffer full), if_dropped (ps_ifdrop: interface).',
      labelNames: ['link', 'kind'],
      registers: [r],
      collect() {
        if (!sources.captureStats) return;
        const s = sources.captureStats();
        this.set({ link, kind: 'received' }, s.received);
        this.set({ link, kind: 'dropped' }, s.dropped);
        this.set({ link, kind: 'if_dropped' }, s.ifDropped);
      },
    });
    new Counter({
      name: 'sigprobe_decode_anomalies_total',
      help: 'Malformed, truncated, unknown or unexpected input, by decode layer and reason (the packet was skipped or partly used).',
      labelNames: ['layer', 'reason'],
      registers: [r],
      collect() {
        this.reset();
        for (const a of p().counters.anomalyList()) this.inc({ layer: a.layer, reason: a.reason }, a.count);
      },
    });
    new Counter({
      name: 'sigprobe_decoded_total',
      help: 'Messages decoded successfully, by layer.',
      labelNames: ['layer'],
      registers: [r],
      collect() {
        this.reset();
        for (const d of p().counters.decodedList()) this.inc({ layer: d.layer }, d.count);
      },
    });
    const tallies = this;
    new Counter({
      name: 'sigprobe_dialogues_total',
      help: 'Dialogue records written, by protocol, procedure and status.',
      labelNames: ['protocol', 'procedure', 'status'],
      registers: [r],
      collect() {
        publishCounter(this, tallies.dialogues);
      },
    });
    new Histogram({
      name: 'sigprobe_dialogue_latency_seconds',
      help: 'Request to final answer, by protocol and procedure (answered dialogues only).',
      labelNames: ['protocol', 'procedure'],
      buckets: [...LATENCY_BUCKETS],
      registers: [r],
      collect() {
        publishHistogram(this, tallies.latency);
      },
    });
    new Counter({
      name: 'sigprobe_dialogues_closed_total',
      help: 'Dialogue records by why they were closed (end, abort, idle_timeout, evicted, tid_reused, orphan_end...).',
      labelNames: ['protocol', 'reason'],
      registers: [r],
      collect() {
        publishCounter(this, tallies.closedBy);
      },
    });
    new Gauge({
      name: 'sigprobe_pending_dialogues',
      help: 'Dialogues waiting for an answer (bounded by limits.*.maxPending).',
      labelNames: ['protocol'],
      registers: [r],
      collect() {
        const pl = p();
        this.set({ protocol: 'tcap' }, pl.tcap.pending);
        this.set({ protocol: 'diameter' }, pl.diameter.transactions.pending);
        this.set({ protocol: 'gtp' }, pl.gtp.transactions.pendingCount);
      },
    });
    new Counter({
      name: 'sigprobe_gtpu_packets_total',
      help: 'GTP-U G-PDUs counted on a tunnel, by direction (up = to the GGSN / PGW data TEID).',
      labelNames: ['direction'],
      registers: [r],
      collect() {
        this.reset();
        const u = p().gtp.tunnels.userPlane;
        this.inc({ direction: 'up' }, u.packetsUp);
        this.inc({ direction: 'down' }, u.packetsDown);
      },
    });
    new Counter({
      name: 'sigprobe_gtpu_bytes_total',
      help: 'T-PDU octets (user IP packets, without outer IP / UDP / GTP-U headers) of the G-PDUs counted on a tunnel, by direction.',
      labelNames: ['direction'],
      registers: [r],
      collect() {
        this.reset();
        const u = p().gtp.tunnels.userPlane;
        this.inc({ direction: 'up' }, u.bytesUp);
        this.inc({ direction: 'down' }, u.bytesDown);
      },
    });
    new Counter({
      name: 'sigprobe_gtpu_not_counted_total',
      help: 'GTP-U G-PDUs not counted on any tunnel, by reason (unknown_teid, teid_zero, truncated, bad_length, bad_ext_header, too_many_ext_headers).',
      labelNames: ['reason'],
      registers: [r],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(p().gtp.tunnels.userPlane.missedByReason())) this.inc({ reason }, n);
      },
    });
    new Counter({
      name: 'sigprobe_visited_network_unknown_total',
      help: 'Records whose home / visited country or visited operator stayed NULL, by table, field and reason (no_visited_side, no_plmn, unassigned_cc, not_in_networks...).',
      labelNames: ['table', 'field', 'reason'],
      registers: [r],
      collect() {
        this.reset();
        const u = p().networks.stats.unknown;
        for (const table of ['dialogues', 'tunnels'] as const) {
          for (const [k, n] of Object.entries(u[table])) {
            const [f, reason] = k.split('/');
            this.inc({ table, field: f.replace(/_unknown$/, ''), reason }, n);
          }
        }
      },
    });
    new Gauge({
      name: 'sigprobe_tunnels_active',
      help: 'GTP tunnels (PDP contexts / sessions) currently active (bounded by limits.gtp.maxTunnels).',
      registers: [r],
      collect() {
        this.set(p().gtp.tunnels.active);
      },
    });
    new Gauge({
      name: 'sigprobe_reassembly',
      help: 'Reassembly state and events: layer (ip, sctp, sctp_associations, xudt) and counter (completed, expired, evicted, pending...).',
      labelNames: ['layer', 'counter'],
      registers: [r],
      collect() {
        const pl = p();
        const put = (layer: string, o: object) => {
          for (const [k, v] of Object.entries(o)) if (typeof v === 'number') this.set({ layer, counter: k }, v);
        };
        put('ip', pl.ip.reassembler.counters);
        put('sctp', pl.sctp.reassembler.counters);
        put('sctp_associations', pl.sctp.assocs.counters);
        put('xudt', pl.sigtran.xudt.counters);
        put('tcp_streams', pl.tcp.counters);
        put('diameter_framer', pl.diameter.framer.counters);
      },
    });
    new Counter({
      name: 'sigprobe_tunnels_total',
      help: 'GTP tunnel records written, by protocol and end reason.',
      labelNames: ['protocol', 'end_reason'],
      registers: [r],
      collect() {
        publishCounter(this, tallies.tunnels);
      },
    });
    new Histogram({
      name: 'sigprobe_tunnel_setup_delay_seconds',
      help: 'GTP create request to response.',
      labelNames: ['protocol'],
      buckets: [...SETUP_DELAY_BUCKETS],
      registers: [r],
      collect() {
        publishHistogram(this, tallies.setupDelay);
      },
    });
    new Gauge({
      name: 'sigprobe_spool',
      help: 'Spool state: kind=written (records committed), pending (waiting for the spool writer), failing (1 while writes fail, e.g. disk full), bytes (file size), last_write_age_seconds.',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        if (sources.spool) {
          const s = sources.spool();
          this.set({ kind: 'written' }, s.written);
          this.set({ kind: 'pending' }, s.pending);
          this.set({ kind: 'failing' }, s.failing ? 1 : 0);
          if (s.lastWriteMs > 0) this.set({ kind: 'last_write_age_seconds' }, (Date.now() - s.lastWriteMs) / 1000);
        }
        if (sources.spoolBytes) this.set({ kind: "bytes" }, sources.spoolBytes());
      },
    });
    const self = this;
    new Gauge({
      name: 'sigprobe_last_packet_age_seconds',
      help: 'Seconds since the last captured packet (wall clock): no traffic on the link when it grows.',
      labelNames: ['link'],
      registers: [r],
      collect() {
        if (self.lastPacketWallMs > 0) this.set({ link }, (Date.now() - self.lastPacketWallMs) / 1000);
      },
    });
  }

  private lastPacketWallMs = 0;

  /** The live daemon notes the wall time of the latest packet (cheap: a field store). */
  notePacket(wallMs: number): void {
    this.lastPacketWallMs = wallMs;
  }

  /** Wraps the record sinks so every closed dialogue / tunnel is counted on its way to the spool. */
  sink(inner: RecordSink & TunnelSink): RecordSink & TunnelSink {
    return {
      write: (d: DialogueRecord) => {
        const procedure = d.procedure ?? 'unknown';
        this.dialogues.add(d.protocol, procedure, d.status);
        this.closedBy.add(d.protocol, d.endReason);
        if (d.latencyUs !== null) this.latency.observe(d.latencyUs / 1e6, d.protocol, procedure);
        inner.write(d);
      },
      writeTunnel: (t: TunnelRecord) => {
        this.tunnels.add(t.protocol, t.endReason);
        if (t.setupDelayUs !== null) this.setupDelay.observe(t.setupDelayUs / 1e6, t.protocol);
        inner.writeTunnel(t);
      },
    };
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }
}
