// The roaming scenario's planted truth, `x.roaming.json`, in the shapes of the probe's report.json
// and under the analytics definitions of the report (README "Analytics"): computed from the truth
// lines as the generator writes them (request time, IMSI, visited network planted, outcome) and
// from the tunnels it planted (with their T-PDU totals) — never by the probe's own analysis code.
//   device          a distinct IMSI
//   LU              updateLocation / updateGprsLocation (MAP), ULR (Diameter); successful = status ok
//   RNA             an LU answered roamingNotAllowed (MAP error 8) or Experimental-Result 5004
//   matrix          over successful LUs: per (home, visited country) the distinct devices, share =
//                   devices / distinct devices of that home country with a successful LU
//   sor             per (home, visited country) of the LU attempts: devices, devices_rna,
//                   share_rna, steered = RNA there, then within the window (request to request,
//                   inclusive) a successful LU of the device on another network (MCC+MNC differs)
//   silent roamer   ≥ 1 successful LU and no accepted tunnel; under the pair of its last successful LU
//   zero-byte       accepted tunnels without a user byte, per (home, visited country) of the tunnel
//   storms          per-minute dialogue counts (all protocols, by request time; empty minutes of
//                   the period count 0), rolling median of the preceding 60 minutes (fewer at the
//                   start, no verdict in the first 10), storm = count > k × median (median > 0);
//                   devices = distinct devices of the minute (a GTP Update / Delete counts for its
//                   tunnel's device), share = of the devices seen in the period
//   data sessions   tunnel lines (incl. rejected), accepted ones, percentiles (nearest rank) of the
//                   accepted ones' setup delay (ms), duration (s, deleted ones) and bytes, T-PDU
//                   packets and bytes per direction
import * as fs from 'fs';
import type { TruthItem, TruthRecord, VisitedPlmn } from '../map/truth';
import type { Tunnel, TunnelLine } from '../gtp/tunnels';

export const SOR_WINDOW_US = 600_000_000;
export const STORM_K = 3;
export const STORM_LOOKBACK_MIN = 60;
export const STORM_NO_VERDICT_MIN = 10;
const MINUTE_US = 60_000_000;

const LU_PROCEDURES = new Set(['updateLocation', 'updateGprsLocation', 'ULR']);

interface PendingRna {
  t: number;
  plmn: string;
  pair: string;
}

interface DeviceAgg {
  home: string | null;
  /** pairs with a successful LU */
  ok: Set<string> | null;
  lastOk: string | null;
  /** pairs with an LU attempt, and those with an RNA, and those steered */
  attempts: Set<string>;
  rna: Set<string> | null;
  steered: Set<string> | null;
  pending: PendingRna[] | null;
}

export interface MatrixRow { home_country: string; visited_country: string; devices: number; share: number }
export interface SorRow { home_country: string; visited_country: string; devices: number; devices_rna: number; share_rna: number; steered: number }
export interface SilentRow { home_country: string; visited_country: string; devices: number }
export interface StormRow { minute: string; dialogues: number; ratio: number; median: number; devices: number; devices_share: number | null }
export interface ZeroByteRow { home_country: string | null; visited_country: string | null; tunnels: number }
export interface TunnelBytes { protocol: string; imsi: string; create_frame: number; packets_up: number; packets_down: number; bytes_up: number; bytes_down: number }

type Pct = { p50: number | null; p95: number | null; p99: number | null };

export interface RoamingTruthFile {
  definitions: { sor_window_s: number; storm_k: number; storm_lookback_minutes: number; storm_no_verdict_minutes: number; median: string; percentiles: string };
  period: { from: string; to: string; minutes: number };
  devices: number;
  dialogues: number;
  matrix: MatrixRow[];
  sor: SorRow[];
  silent_roamers: SilentRow[];
  zero_byte_tunnels: ZeroByteRow[];
  storms: StormRow[];
  data_sessions: {
    creates: number; accepted: number; success_rate: number | null; setup_delay_ms: Pct; duration_s: Pct; bytes_per_session: Pct;
    packets_up: number; packets_down: number; bytes_up: number; bytes_down: number; zero_byte_tunnels: number;
  };
  tunnels_bytes: TunnelBytes[];
  /** what the driver planted, by kind (for reading the numbers above) */
  planted: Record<string, number>;
}

/** nearest rank: the value at rank ceil(p/100 × n) of the sorted values */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

/** median of a list (mean of the two middle values for an even count) */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Storm minutes of a per-minute series starting at minute `firstMinute` (minutes since the epoch);
 * `devices[i]` = distinct devices that signalled in minute i, `seen` = distinct devices of the period.
 */
export function stormsOf(counts: readonly number[], firstMinute: number, devices: readonly number[], seen: number): StormRow[] {
  const out: StormRow[] = [];
  for (let i = STORM_NO_VERDICT_MIN; i < counts.length; i++) {
    const m = median(counts.slice(Math.max(0, i - STORM_LOOKBACK_MIN), i));
    if (m > 0 && counts[i] > STORM_K * m) {
      out.push({
        minute: new Date((firstMinute + i) * MINUTE_US / 1000).toISOString(), dialogues: counts[i], ratio: round(counts[i] / m), median: m,
        devices: devices[i] ?? 0, devices_share: seen > 0 ? round((devices[i] ?? 0) / seen) : null,
      });
    }
  }
  return out;
}

function pct(sorted: readonly number[], scale = 1): Pct {
  const f = (p: number) => {
    const v = nearestRank(sorted, p);
    return v === null ? null : v / scale;
  };
  return { p50: f(50), p95: f(95), p99: f(99) };
}

function round(x: number, d = 4): number {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}

export class RoamingTruth {
  readonly planted: Record<string, number> = {};
  private readonly devices = new Map<string, DeviceAgg>();
  private readonly acceptedImsis = new Set<string>();
  private minuteCounts: number[] = [];
  /** distinct devices per minute (the current minute's set is the only one kept) */
  private readonly minuteDevices: number[] = [];
  private curMinute = -1;
  private curDevices = new Set<string>();
  private readonly seen = new Set<string>();
  private readonly durationsUs: number[] = [];
  private readonly sessionBytes: number[] = [];
  private readonly zeroByPair = new Map<string, number>();
  private firstMinute = -1;
  private lastMinute = -1;
  private dialogues = 0;
  private creates = 0;
  private accepted = 0;
  private zeroByte = 0;
  private readonly setupUs: number[] = [];
  private readonly sums = { packets_up: 0, packets_down: 0, bytes_up: 0, bytes_down: 0 };
  private readonly tunnelsBytes: TunnelBytes[] = [];

  /** MCC → ISO 3166 country of the world's operators (E.212) */
  constructor(private readonly countryOfMcc: (mcc: string) => string | null) {}

  count(kind: string, n = 1): void {
    this.planted[kind] = (this.planted[kind] ?? 0) + n;
  }

  /** every truth line, in req_frame (= request time) order */
  onDialogue(item: TruthItem, r: TruthRecord): void {
    this.dialogues++;
    const minute = Math.floor(item.reqT / MINUTE_US);
    if (this.firstMinute < 0) this.firstMinute = minute;
    const i = minute - this.firstMinute;
    while (this.minuteCounts.length <= i) this.minuteCounts.push(0);
    this.minuteCounts[i]++;
    this.lastMinute = Math.max(this.lastMinute, minute);
    if (minute !== this.curMinute) this.closeMinute(minute);
    const dev = r.imsi ?? item.deviceImsi ?? null;
    if (dev !== null) {
      this.curDevices.add(dev);
      this.seen.add(dev);
    }
    if (r.imsi === null || !LU_PROCEDURES.has(r.procedure)) return;
    const home = this.countryOfMcc(r.imsi.slice(0, 3));
    const v: VisitedPlmn | null = item.visited;
    const visited = v ? this.countryOfMcc(v.mcc) : null;
    let d = this.devices.get(r.imsi);
    if (!d) this.devices.set(r.imsi, (d = { home, ok: null, lastOk: null, attempts: new Set(), rna: null, steered: null, pending: null }));
    if (home === null || visited === null || v === null) return; // unknown: not in the matrix / SoR
    const pair = `${home}|${visited}`;
    const plmn = v.mcc + v.mnc;
    d.attempts.add(pair);
    const t = item.reqT;
    if (r.status === 'ok') {
      (d.ok ??= new Set()).add(pair);
      d.lastOk = pair;
      if (d.pending) {
        for (const p of d.pending) if (t - p.t <= SOR_WINDOW_US && p.plmn !== plmn) (d.steered ??= new Set()).add(p.pair);
        d.pending = d.pending.filter((p) => t - p.t < SOR_WINDOW_US);
        if (d.pending.length === 0) d.pending = null;
      }
    } else if (isRna(r)) {
      (d.rna ??= new Set()).add(pair);
      (d.pending ??= []).push({ t, plmn, pair });
    }
  }

  private closeMinute(next: number): void {
    if (this.curMinute >= 0) this.minuteDevices[this.curMinute - this.firstMinute] = this.curDevices.size;
    this.curDevices = new Set();
    this.curMinute = next;
  }

  /** every tunnel line */
  onTunnel(l: TunnelLine, t: Tunnel): void {
    this.creates++;
    if (l.end_reason === 'create_rejected') return;
    this.accepted++;
    this.acceptedImsis.add(l.imsi);
    if (l.setup_delay_us !== null) this.setupUs.push(l.setup_delay_us);
    const u = t.user ?? { packetsUp: 0, packetsDown: 0, bytesUp: 0, bytesDown: 0 };
    this.sums.packets_up += u.packetsUp;
    this.sums.packets_down += u.packetsDown;
    this.sums.bytes_up += u.bytesUp;
    this.sums.bytes_down += u.bytesDown;
    if (l.duration_us !== null) this.durationsUs.push(l.duration_us);
    this.sessionBytes.push(u.bytesUp + u.bytesDown);
    if (u.bytesUp + u.bytesDown === 0) {
      this.zeroByte++;
      const k = `${this.countryOfMcc(l.imsi.slice(0, 3)) ?? ''}|${t.visited ? (this.countryOfMcc(t.visited.mcc) ?? '') : ''}`;
      this.zeroByPair.set(k, (this.zeroByPair.get(k) ?? 0) + 1);
    }
    this.tunnelsBytes.push({
      protocol: l.protocol, imsi: l.imsi, create_frame: l.create_frame, packets_up: u.packetsUp, packets_down: u.packetsDown, bytes_up: u.bytesUp, bytes_down: u.bytesDown,
    });
  }

  result(): RoamingTruthFile {
    this.closeMinute(-1);
    const pairs = (m: Map<string, number>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const okByPair = new Map<string, number>();
    const okByHome = new Map<string, number>();
    const attempts = new Map<string, number>();
    const rna = new Map<string, number>();
    const steered = new Map<string, number>();
    const silent = new Map<string, number>();
    const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    for (const [imsi, d] of this.devices) {
      for (const p of d.attempts) inc(attempts, p);
      if (d.rna) for (const p of d.rna) inc(rna, p);
      if (d.steered) for (const p of d.steered) inc(steered, p);
      if (d.ok) {
        for (const p of d.ok) inc(okByPair, p);
        inc(okByHome, d.home!);
        if (!this.acceptedImsis.has(imsi)) inc(silent, d.lastOk!);
      }
    }
    const split = (p: string) => p.split('|') as [string, string];
    const matrix = pairs(okByPair).map(([p, n]) => {
      const [h, v] = split(p);
      return { home_country: h, visited_country: v, devices: n, share: round(n / okByHome.get(h)!) };
    });
    const sor = pairs(attempts).map(([p, n]) => {
      const [h, v] = split(p);
      const r = rna.get(p) ?? 0;
      return { home_country: h, visited_country: v, devices: n, devices_rna: r, share_rna: round(r / n), steered: steered.get(p) ?? 0 };
    });
    const silentRows = pairs(silent).map(([p, n]) => {
      const [h, v] = split(p);
      return { home_country: h, visited_country: v, devices: n };
    });
    const setup = [...this.setupUs].sort((a, b) => a - b);
    const ms = (x: number | null) => (x === null ? null : x / 1000);
    const iso = (min: number) => new Date(min * MINUTE_US / 1000).toISOString();
    return {
      definitions: {
        sor_window_s: SOR_WINDOW_US / 1e6, storm_k: STORM_K, storm_lookback_minutes: STORM_LOOKBACK_MIN, storm_no_verdict_minutes: STORM_NO_VERDICT_MIN,
        median: 'middle value; mean of the two middle values for an even count', percentiles: 'nearest rank',
      },
      period: { from: iso(this.firstMinute), to: iso(this.lastMinute + 1), minutes: this.minuteCounts.length },
      devices: this.devices.size,
      dialogues: this.dialogues,
      matrix,
      sor,
      silent_roamers: silentRows,
      zero_byte_tunnels: pairs(this.zeroByPair).map(([p, n]) => {
        const [h, v] = split(p);
        return { home_country: h === '' ? null : h, visited_country: v === '' ? null : v, tunnels: n };
      }),
      storms: stormsOf(this.minuteCounts, this.firstMinute, this.minuteDevices, this.seen.size),
      data_sessions: {
        creates: this.creates, accepted: this.accepted, success_rate: this.creates > 0 ? round(this.accepted / this.creates) : null,
        setup_delay_ms: { p50: ms(nearestRank(setup, 50)), p95: ms(nearestRank(setup, 95)), p99: ms(nearestRank(setup, 99)) },
        duration_s: pct([...this.durationsUs].sort((a, b) => a - b), 1e6),
        bytes_per_session: pct([...this.sessionBytes].sort((a, b) => a - b)),
        ...this.sums, zero_byte_tunnels: this.zeroByte,
      },
      tunnels_bytes: this.tunnelsBytes,
      planted: this.planted,
    };
  }

  write(path: string): RoamingTruthFile {
    const r = this.result();
    // one tunnel per line: the file stays readable with 100k devices
    const { tunnels_bytes, ...head } = r;
    const body = JSON.stringify(head, null, 2);
    const tb = tunnels_bytes.map((x) => '    ' + JSON.stringify(x)).join(',\n');
    fs.writeFileSync(path, body.slice(0, -2) + `,\n  "tunnels_bytes": [\n${tb}\n  ]\n}\n`);
    return r;
  }
}

function isRna(r: TruthRecord): boolean {
  if (r.status !== 'error') return false;
  return r.protocol === 'diameter' ? r.result_code === 5004 : r.result_code === 8;
}
