/**
 * Helpers for the roaming scenario's tests: read its truth files, and recompute the analytics of
 * x.roaming.json from the truth lines alone (request times, IMSIs, outcomes, planted visited
 * networks; the tunnel lines) by a plain, non-streaming reading of the definitions — written
 * apart from src/gen/roaming/truth.ts so that the two check each other.
 */
import { readFileSync } from 'node:fs';

export interface RoamingTruthLine {
  protocol: string;
  req_frame: number;
  rsp_frame: number | null;
  opcode: number;
  procedure: string;
  status: string;
  result_code: number | null;
  imsi: string | null;
  latency_us: number | null;
  req_time_us: number;
  visited_mcc: string | null;
  visited_mnc: string | null;
  /** imsi, or for a GTP Update / Delete the IMSI of its tunnel */
  device_imsi: string | null;
}

export interface RoamingTunnelLine {
  protocol: string;
  imsi: string;
  apn: string;
  create_frame: number;
  end_frame: number | null;
  setup_delay_us: number | null;
  duration_us: number | null;
  create_cause: number | null;
  delete_cause: number | null;
  end_reason: string;
  create_time_us: number;
  visited_mcc: string | null;
  visited_mnc: string | null;
  packets_up: number;
  packets_down: number;
  bytes_up: number;
  bytes_down: number;
}

export function jsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** ITU-T E.212 MCC → ISO 3166-1 alpha-2, for the countries of the generator's world */
export const MCC_COUNTRY: Record<string, string> = {
  '234': 'GB', '235': 'GB', '262': 'DE', '214': 'ES', '204': 'NL', '334': 'MX', '724': 'BR', '310': 'US', '732': 'CO', '734': 'VE',
};

const LU = new Set(['updateLocation', 'updateGprsLocation', 'ULR']);
const WINDOW_US = 600e6;

function byPair<T>(m: Map<string, T>): [string, string, T][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => {
    const [h, vv] = k.split('|');
    return [h, vv, v];
  });
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

export function recompute(truth: RoamingTruthLine[], tunnels: RoamingTunnelLine[]) {
  const lus = truth
    .filter((t) => LU.has(t.procedure) && t.imsi !== null && t.visited_mcc !== null)
    .map((t) => ({
      imsi: t.imsi!, t: t.req_time_us, ok: t.status === 'ok', plmn: t.visited_mcc! + t.visited_mnc!,
      rna: t.status === 'error' && (t.protocol === 'diameter' ? t.result_code === 5004 : t.result_code === 8),
      pair: `${MCC_COUNTRY[t.imsi!.slice(0, 3)]}|${MCC_COUNTRY[t.visited_mcc!]}`, home: MCC_COUNTRY[t.imsi!.slice(0, 3)],
    }))
    .sort((a, b) => a.t - b.t);
  // matrix
  const okPairs = new Map<string, Set<string>>();
  const okHome = new Map<string, Set<string>>();
  for (const l of lus.filter((x) => x.ok)) {
    (okPairs.get(l.pair) ?? okPairs.set(l.pair, new Set()).get(l.pair)!).add(l.imsi);
    (okHome.get(l.home) ?? okHome.set(l.home, new Set()).get(l.home)!).add(l.imsi);
  }
  const matrix = byPair(okPairs).map(([h, v, s]) => ({ home_country: h, visited_country: v, devices: s.size, share: r4(s.size / okHome.get(h)!.size) }));
  // steering
  const att = new Map<string, Set<string>>();
  const rna = new Map<string, Set<string>>();
  const steered = new Map<string, Set<string>>();
  const byImsi = new Map<string, typeof lus>();
  for (const l of lus) (byImsi.get(l.imsi) ?? byImsi.set(l.imsi, []).get(l.imsi)!).push(l);
  for (const l of lus) {
    (att.get(l.pair) ?? att.set(l.pair, new Set()).get(l.pair)!).add(l.imsi);
    if (!l.rna) continue;
    (rna.get(l.pair) ?? rna.set(l.pair, new Set()).get(l.pair)!).add(l.imsi);
    if (byImsi.get(l.imsi)!.some((x) => x.ok && x.t >= l.t && x.t - l.t <= WINDOW_US && x.plmn !== l.plmn)) {
      (steered.get(l.pair) ?? steered.set(l.pair, new Set()).get(l.pair)!).add(l.imsi);
    }
  }
  const sor = byPair(att).map(([h, v, s]) => {
    const r = rna.get(`${h}|${v}`)?.size ?? 0;
    return { home_country: h, visited_country: v, devices: s.size, devices_rna: r, share_rna: r4(r / s.size), steered: steered.get(`${h}|${v}`)?.size ?? 0 };
  });
  // silent roamers
  const accepted = tunnels.filter((t) => t.end_reason !== 'create_rejected');
  const withTunnel = new Set(accepted.map((t) => t.imsi));
  const silent = new Map<string, number>();
  for (const [imsi, ls] of byImsi) {
    const oks = ls.filter((x) => x.ok);
    if (oks.length === 0 || withTunnel.has(imsi)) continue;
    const last = oks[oks.length - 1].pair;
    silent.set(last, (silent.get(last) ?? 0) + 1);
  }
  const silent_roamers = byPair(silent).map(([h, v, n]) => ({ home_country: h, visited_country: v, devices: n }));
  // storms
  const times = truth.map((t) => t.req_time_us);
  const first = Math.floor(Math.min(...times) / 60e6);
  const last = Math.floor(Math.max(...times) / 60e6);
  const counts = new Array(last - first + 1).fill(0);
  for (const t of times) counts[Math.floor(t / 60e6) - first]++;
  const devs: Set<string>[] = counts.map(() => new Set<string>());
  for (const t of truth) if (t.device_imsi !== null) devs[Math.floor(t.req_time_us / 60e6) - first].add(t.device_imsi);
  const seen = new Set(truth.filter((t) => t.device_imsi !== null).map((t) => t.device_imsi!)).size;
  const storms: { minute: string; dialogues: number; ratio: number; median: number; devices: number; devices_share: number | null }[] = [];
  for (let i = 10; i < counts.length; i++) {
    const prev = counts.slice(Math.max(0, i - 60), i).sort((a, b) => a - b);
    const n = prev.length;
    const med = n % 2 ? prev[(n - 1) / 2] : (prev[n / 2 - 1] + prev[n / 2]) / 2;
    if (med > 0 && counts[i] > 3 * med) {
      storms.push({ minute: new Date((first + i) * 60e3).toISOString(), dialogues: counts[i], ratio: r4(counts[i] / med), median: med, devices: devs[i].size, devices_share: r4(devs[i].size / seen) });
    }
  }
  // data sessions
  const pct = (xs: number[], scale: number) => {
    const v = [...xs].sort((a, b) => a - b);
    const at = (p: number) => (v.length === 0 ? null : v[Math.ceil((p / 100) * v.length) - 1] / scale);
    return { p50: at(50), p95: at(95), p99: at(99) };
  };
  const zero = new Map<string, number>();
  for (const t of accepted) {
    if (t.bytes_up + t.bytes_down !== 0) continue;
    const k = `${MCC_COUNTRY[t.imsi.slice(0, 3)]}|${MCC_COUNTRY[t.visited_mcc!]}`;
    zero.set(k, (zero.get(k) ?? 0) + 1);
  }
  const zero_byte_tunnels = byPair(zero).map(([h, v, n]) => ({ home_country: h, visited_country: v, tunnels: n }));
  const sum = (k: 'packets_up' | 'packets_down' | 'bytes_up' | 'bytes_down') => accepted.reduce((a, t) => a + t[k], 0);
  const data_sessions = {
    creates: tunnels.length, accepted: accepted.length, success_rate: r4(accepted.length / tunnels.length),
    setup_delay_ms: pct(accepted.map((t) => t.setup_delay_us!), 1000),
    duration_s: pct(accepted.filter((t) => t.duration_us !== null).map((t) => t.duration_us!), 1e6),
    bytes_per_session: pct(accepted.map((t) => t.bytes_up + t.bytes_down), 1),
    packets_up: sum('packets_up'), packets_down: sum('packets_down'), bytes_up: sum('bytes_up'), bytes_down: sum('bytes_down'),
    zero_byte_tunnels: accepted.filter((t) => t.bytes_up + t.bytes_down === 0).length,
  };
  return { matrix, sor, silent_roamers, zero_byte_tunnels, storms, data_sessions, counts, firstMinute: first };
}
