/**
 * Computes the report model over spool files: the aggregations run in SQLite (spoolQueries.ts),
 * JS only merges small results, picks nearest-rank percentiles from ordered (value, count) runs
 * and applies the rolling-median storm rule over the per-minute counts.
 */
import { GTPV1_CAUSE_NAMES } from '../protocols/gtpv1c/constants';
import { GTPV2_CAUSE_NAMES } from '../protocols/gtpv2c/constants';
import { DEFAULTS, nearestRank, stormMinutes, US } from './definitions';
import type { Percentiles, ReportModel } from './model';
import { E_REPORT_INPUT, openSpools, reportSql, spanSql, describeSqliteError, type Filter, type SpoolSet } from './spoolQueries';
import { SigprobeError } from '../config/errors';

export interface ReportOptions {
  files: string[];
  /** period bounds, µs since the epoch (undefined: from the data) */
  fromUs?: number;
  toUs?: number;
  site?: string;
  sorWindowSeconds?: number;
  stormK?: number;
  /** customers' networks, 'MCC-MNC' */
  customers?: string[];
  /** progress / timing lines */
  log?: (s: string) => void;
}

/** ISO-8601 UTC without milliseconds when they are 0 ('2026-12-07T10:00:00Z'). */
export function isoUtc(us: number): string {
  const ms = Math.floor(us / 1000);
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

/** Nearest-rank percentiles over ordered (value, count) runs. */
export function percentilesOfRuns(runs: readonly { v: number; n: number }[], scale = 1): Percentiles {
  let total = 0;
  for (const r of runs) total += r.n;
  if (total === 0) return { p50: null, p95: null, p99: null };
  const pick = (p: number) => {
    const rank = nearestRank(p, total);
    let cum = 0;
    for (const r of runs) {
      cum += r.n;
      if (cum >= rank) return r.v / scale;
    }
    return runs[runs.length - 1].v / scale;
  };
  return { p50: pick(50), p95: pick(95), p99: pick(99) };
}

/**
 * The storm section's figures over per-minute counts (index 0 = firstMinute), one definition for
 * the spool and the central report: the storm minutes (definitions.ts stormMinutes, with each
 * minute's rolling median), the dialogues and failures inside and outside them, and the
 * periodicity — storm minutes per minute of the hour, against the hours of the period that have
 * that minute after the warm-up.
 */
export function stormAnalysis(counts: readonly number[], failed: readonly number[], firstMinute: number, k: number) {
  const nMinutes = counts.length;
  const lastMinute = firstMinute + nMinutes - 1;
  const medians = new Array<number | null>(nMinutes).fill(null) as number[];
  const verdicts = stormMinutes(counts as number[], { k, windowMinutes: DEFAULTS.stormWindowMinutes, warmupMinutes: DEFAULTS.stormWarmupMinutes }, medians);
  const inStorm = new Set(verdicts.map((v) => v.index));
  let inN = 0;
  let inF = 0;
  let outN = 0;
  let outF = 0;
  for (let i = 0; i < nMinutes; i++) {
    if (inStorm.has(i)) {
      inN += counts[i];
      inF += failed[i];
    } else {
      outN += counts[i];
      outF += failed[i];
    }
  }
  const byMoh = new Map<number, number>();
  for (const v of verdicts) {
    const moh = (firstMinute + v.index) % 60;
    byMoh.set(moh, (byMoh.get(moh) ?? 0) + 1);
  }
  const hoursWith = (moh: number) => {
    let h = 0;
    for (let m = firstMinute + DEFAULTS.stormWarmupMinutes; m <= lastMinute; m++) if (m % 60 === moh) h++;
    return h;
  };
  const periodicity = [...byMoh.entries()]
    .map(([minute_of_hour, n]) => ({ minute_of_hour, storm_minutes: n, hours: hoursWith(minute_of_hour) }))
    .sort((a, b) => b.storm_minutes - a.storm_minutes || a.minute_of_hour - b.minute_of_hour);
  return { medians, verdicts, inN, inF, outN, outF, periodicity };
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** Computes the report. Throws SigprobeError(E_REPORT_INPUT) on bad input. */
export function computeReport(opts: ReportOptions): ReportModel {
  const set = openSpools(opts.files);
  try {
    return compute(set, opts);
  } catch (e) {
    if (e instanceof SigprobeError) throw e;
    const err = e as Error & { code?: string };
    if (typeof err.code === 'string' && err.code.startsWith('SQLITE_')) throw new SigprobeError(E_REPORT_INPUT, describeSqliteError(err, opts.files.join(', ')));
    throw e;
  } finally {
    set.close();
  }
}

function compute(set: SpoolSet, opts: ReportOptions): ReportModel {
  const db = set.db;
  const log = opts.log ?? (() => {});
  const params = opts.site !== undefined ? { site: opts.site } : {};
  const sorWindowS = opts.sorWindowSeconds ?? DEFAULTS.sorWindowSeconds;
  const k = opts.stormK ?? DEFAULTS.stormK;
  const customers = opts.customers ?? [];
  const all = <T>(q: string): T[] => db.prepare(q).all(params) as T[];
  const one = <T>(q: string): T => db.prepare(q).get(params) as T;
  const timed = <T>(name: string, fn: () => T): T => {
    const t0 = process.hrtime.bigint();
    const r = fn();
    log(`report: ${name} ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)} s`);
    return r;
  };

  // ---- period
  let fromUs = opts.fromUs;
  let toUs = opts.toUs;
  // the span of the records: the default period, and whether the period covers them all
  const span = one<{ lo: number | null; hi: number | null }>(spanSql(set, opts.site));
  if (fromUs === undefined || toUs === undefined) {
    if (span.lo === null || span.hi === null) {
      throw new SigprobeError(E_REPORT_INPUT, `no records in ${set.files.join(', ')}${opts.site !== undefined ? ` for site ${opts.site}` : ''}: nothing to report`);
    }
    if (fromUs === undefined) fromUs = Math.floor(span.lo / US.minute) * US.minute;
    if (toUs === undefined) toUs = span.hi + 1;
  }
  if (!(toUs > fromUs)) throw new SigprobeError(E_REPORT_INPUT, `empty period: --to (${isoUtc(toUs)}) is not after --from (${isoUtc(fromUs)})`);
  const f: Filter = { fromUs, toUs, site: opts.site, scan: span.lo !== null && span.hi !== null && fromUs <= span.lo && toUs > span.hi };
  const Q = reportSql(set, f, sorWindowS * 1e6);

  const records = timed('records', () => one<{ dialogues: number; tunnels: number }>(Q.records));
  if (records.dialogues === 0 && records.tunnels === 0) {
    throw new SigprobeError(E_REPORT_INPUT, `empty period: no records from ${isoUtc(fromUs)} to ${isoUtc(toUs)}${opts.site !== undefined ? ` for site ${opts.site}` : ''}`);
  }
  const hourIso = (h: number) => isoUtc(h * US.hour);
  const dayIso = (d: number) => isoUtc(d * US.day).slice(0, 10);

  // ---- 1 + 4 + 8: traffic, errors, error rates, per-minute counts (one pass)
  const firstMinute = Math.floor(fromUs / US.minute);
  const lastMinute = Math.floor((toUs - 1) / US.minute);
  const nMinutes = lastMinute - firstMinute + 1;
  const counts = new Array<number>(nMinutes).fill(0);
  const failed = new Array<number>(nMinutes).fill(0);
  const traffic = new Map<string, { hour: number; protocol: string; procedure: string; dialogues: number }>();
  const errors = new Map<string, { hour: number; protocol: string; result: string; dialogues: number }>();
  const rates = new Map<string, { protocol: string; procedure: string; dialogues: number; failed: number }>();
  let failedTotal = 0;
  // devices: per hour (protocol, device) → dialogues; per day and per period: the devices per protocol
  const rpd: ReportModel['records_per_device'] = [];
  const devicesPerDay: { day: number; protocol: string; devices: number }[] = [];
  const dayDevices = new Map<string, Set<string>>();
  const periodDevices = new Map<string, Set<string>>();
  const allDevices = new Set<string>();
  const flushDay = (day: number) => {
    for (const [protocol, set] of [...dayDevices.entries()].sort((a, b) => a[0].localeCompare(b[0]))) devicesPerDay.push({ day, protocol, devices: set.size });
    dayDevices.clear();
  };
  timed('dialogues pass', () => {
    const st = db.prepare(Q.hourRows).raw();
    const firstHour = Math.floor(fromUs / US.hour);
    const lastHour = Math.floor((toUs - 1) / US.hour);
    for (let hour = firstHour; hour <= lastHour; hour++) {
      const day = Math.floor(hour / 24);
      if (hour > firstHour && day !== Math.floor((hour - 1) / 24)) flushDay(day - 1);
      const combos = new Map<string, number>();
      const devHour = new Map<string, Map<string, number>>();
      const lo = Math.max(fromUs, hour * US.hour);
      const hi = Math.min(toUs, (hour + 1) * US.hour);
      for (const row of st.iterate({ ...params, lo, hi }) as IterableIterator<[number, string, string, string | null, string | null]>) {
        const [t, protocol, procedure, result, imsi] = row;
        const mi = Math.floor(t / US.minute) - firstMinute;
        counts[mi]++;
        if (result !== null) failed[mi]++;
        const ck = result === null ? `${protocol}\u0000${procedure}` : `${protocol}\u0000${procedure}\u0000${result}`;
        combos.set(ck, (combos.get(ck) ?? 0) + 1);
        if (imsi !== null) {
          let m = devHour.get(protocol);
          if (m === undefined) devHour.set(protocol, (m = new Map()));
          m.set(imsi, (m.get(imsi) ?? 0) + 1);
        }
      }
      for (const [ck, n] of combos) {
        const [protocol, procedure, result] = ck.split('\u0000');
        const tk = `${hour}\u0000${protocol}\u0000${procedure}`;
        const t = traffic.get(tk) ?? { hour, protocol, procedure, dialogues: 0 };
        t.dialogues += n;
        traffic.set(tk, t);
        const pk = `${protocol}\u0000${procedure}`;
        const p = rates.get(pk) ?? { protocol, procedure, dialogues: 0, failed: 0 };
        p.dialogues += n;
        rates.set(pk, p);
        if (result !== undefined) {
          p.failed += n;
          failedTotal += n;
          const ek = `${hour}\u0000${protocol}\u0000${result}`;
          const e = errors.get(ek) ?? { hour, protocol, result, dialogues: 0 };
          e.dialogues += n;
          errors.set(ek, e);
        }
      }
      for (const [protocol, m] of [...devHour.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
        let sum = 0;
        let sum2 = 0;
        let ds = dayDevices.get(protocol);
        if (ds === undefined) dayDevices.set(protocol, (ds = new Set()));
        let ps = periodDevices.get(protocol);
        if (ps === undefined) periodDevices.set(protocol, (ps = new Set()));
        for (const [imsi, n] of m) {
          sum += n;
          sum2 += n * n;
          ds.add(imsi);
          ps.add(imsi);
          allDevices.add(imsi);
        }
        const mean = sum / m.size;
        rpd.push({ hour: hourIso(hour), protocol, devices: m.size, mean, sd: Math.sqrt(Math.max(0, sum2 / m.size - mean * mean)) });
      }
    }
    flushDay(Math.floor(lastHour / 24));
  });
  const byHourThen = <T extends { hour: number; protocol: string }>(a: T, b: T, k2: (x: T) => string) =>
    a.hour - b.hour || a.protocol.localeCompare(b.protocol) || k2(a).localeCompare(k2(b));

  // ---- 2: devices
  const devicesPerProtocol = [...periodDevices.entries()].map(([protocol, set]) => ({ protocol, devices: set.size })).sort((a, b) => a.protocol.localeCompare(b.protocol));
  const devicesTotal = allDevices.size;
  periodDevices.clear();
  allDevices.clear();
  let inOut: ReportModel['inbound_outbound'] = null;
  if (customers.length > 0) {
    db.exec('CREATE TEMP TABLE cust (plmn TEXT PRIMARY KEY)');
    const ins = db.prepare('INSERT OR IGNORE INTO cust (plmn) VALUES (?)');
    for (const c of customers) ins.run(c);
    inOut = timed('inbound/outbound', () => all<{ day: number; inbound: number; outbound: number }>(Q.inOut)).map((r) => ({
      day: dayIso(r.day),
      inbound: r.inbound,
      outbound: r.outbound,
    }));
  }

  // ---- 3 + 5 + 7: location updates
  timed('location updates', () => {
    db.exec(Q.lu);
    db.exec(Q.luIndex);
  });
  const homeDevices = new Map(all<{ hc: string; devices: number }>(Q.homeDevices).map((r) => [r.hc, r.devices]));
  const matrix = all<{ hc: string; vc: string; devices: number }>(Q.matrix)
    .map((r) => ({ home_country: r.hc, visited_country: r.vc, devices: r.devices, share: r.devices / (homeDevices.get(r.hc) as number) }))
    .sort((a, b) => b.devices - a.devices || a.home_country.localeCompare(b.home_country) || a.visited_country.localeCompare(b.visited_country));
  const luSum = one<{ lu_devices: number; unknown_devices: number; known_home_devices: number; domestic_devices: number; lu_attempts: number }>(Q.luSummary);
  const steered = new Map(timed('steered', () => all<{ hc: string; vc: string; steered: number }>(Q.steered)).map((r) => [`${r.hc}\u0000${r.vc}`, r.steered]));
  const sor = all<{ hc: string; vc: string; devices: number; devices_rna: number }>(Q.sor)
    .map((r) => ({
      home_country: r.hc,
      visited_country: r.vc,
      devices: r.devices,
      devices_rna: r.devices_rna,
      share_rna: r.devices_rna / r.devices,
      steered: steered.get(`${r.hc}\u0000${r.vc}`) ?? 0,
    }))
    .sort((a, b) => b.devices_rna - a.devices_rna || b.devices - a.devices || a.home_country.localeCompare(b.home_country) || a.visited_country.localeCompare(b.visited_country));
  timed('tunnel devices', () => {
    db.exec(Q.tunnelDevices);
    db.exec(Q.tunnelDevicesIndex);
  });
  let silentUnknown = 0;
  const silent: ReportModel['silent_roamers'] = [];
  for (const r of timed('silent roamers', () => all<{ hc: string | null; vc: string | null; devices: number }>(Q.silent))) {
    if (r.hc === null || r.vc === null) silentUnknown += r.devices;
    else silent.push({ home_country: r.hc, visited_country: r.vc, devices: r.devices });
  }
  silent.sort((a, b) => b.devices - a.devices || a.home_country.localeCompare(b.home_country) || a.visited_country.localeCompare(b.visited_country));

  // ---- 6: data sessions
  const tt = timed('tunnels', () =>
    one<{ creates: number; accepted: number; packets_up: number; packets_down: number; bytes_up: number; bytes_down: number }>(Q.tunnelTotals),
  );
  const runs = (expr: string) => all<{ v: number; n: number }>(Q.tunnelValues(expr));
  const setupRuns = runs('setup_delay_us');
  const durationRuns = runs('duration_us');
  const bytesRuns = runs('(bytes_up + bytes_down)');
  const histogram = (rs: { v: number; n: number }[], edges: readonly number[], labels: readonly string[]) => {
    const counts = new Array<number>(labels.length).fill(0);
    for (const r of rs) {
      let i = 0;
      while (i < edges.length && r.v >= edges[i]) i++;
      counts[i] += r.n;
    }
    return labels.map((bucket, i) => ({ bucket, tunnels: counts[i] }));
  };
  const MIN = 60e6;
  const durationHistogram = histogram(durationRuns, [MIN, 10 * MIN, 60 * MIN, 360 * MIN, 1440 * MIN], ['< 1 min', '1–10 min', '10–60 min', '1–6 h', '6–24 h', '≥ 24 h']);
  const bytesHistogram = histogram(bytesRuns, [1, 1e3, 1e4, 1e5, 1e6, 1e7], ['0', '< 1 k', '1–10 k', '10–100 k', '0.1–1 M', '1–10 M', '≥ 10 M']);
  const byPartnerApn = all<{ partner: string; apn: string; creates: number; accepted: number }>(Q.tunnelByPartnerApn).map((r) => ({
    ...r,
    success_rate: r.accepted / r.creates,
  }));
  const ends = all<{ protocol: string; end_reason: string; delete_cause: number | null; n: number }>(Q.tunnelEnds).map((r) => ({
    protocol: r.protocol,
    end_reason: r.end_reason,
    delete_cause: r.delete_cause,
    cause_name: r.delete_cause === null ? null : ((r.protocol === 'gtpv1' ? GTPV1_CAUSE_NAMES : GTPV2_CAUSE_NAMES).get(r.delete_cause) ?? null),
    tunnels: r.n,
  }));
  const zeroBytes = all<{ hc: string | null; vc: string | null; tunnels: number }>(Q.zeroBytes)
    .map((r) => ({ home_country: r.hc, visited_country: r.vc, tunnels: r.tunnels }))
    .sort((a, b) => b.tunnels - a.tunnels || String(a.home_country).localeCompare(String(b.home_country)) || String(a.visited_country).localeCompare(String(b.visited_country)));

  // ---- 8: storms
  const { medians, verdicts, inN, inF, outN, outF, periodicity } = stormAnalysis(counts, failed, firstMinute, k);
  const storms = timed('storm devices', () =>
    verdicts.map((v) => {
      const minute = firstMinute + v.index;
      const devices = one<{ devices: number }>(Q.minuteDevices(minute)).devices;
      return { minute: isoUtc(minute * US.minute), dialogues: v.count, ratio: v.ratio, median: v.median, devices, devices_share: ratio(devices, devicesTotal) };
    }),
  );

  // ---- 9: latency (streamed: one group's runs in memory at a time)
  const latency: ReportModel['latency'] = [];
  timed('latency', () => {
    let key = '';
    let cur: { protocol: string; procedure: string; partner: string } | null = null;
    let rs: { v: number; n: number }[] = [];
    const flush = () => {
      if (cur === null) return;
      const p = percentilesOfRuns(rs, 1000);
      let n = 0;
      for (const r of rs) n += r.n;
      latency.push({ ...cur, dialogues: n, p50_ms: p.p50 as number, p95_ms: p.p95 as number, p99_ms: p.p99 as number });
    };
    for (const r of db.prepare(Q.latency).iterate(params) as IterableIterator<{ protocol: string; procedure: string; partner: string; latency_us: number; n: number }>) {
      const kk = `${r.protocol}\u0000${r.procedure}\u0000${r.partner}`;
      if (kk !== key) {
        flush();
        key = kk;
        cur = { protocol: r.protocol, procedure: r.procedure, partner: r.partner };
        rs = [];
      }
      rs.push({ v: r.latency_us, n: r.n });
    }
    flush();
  });
  latency.sort((a, b) => b.dialogues - a.dialogues || a.protocol.localeCompare(b.protocol) || a.procedure.localeCompare(b.procedure) || a.partner.localeCompare(b.partner));

  const nHours = Math.floor((toUs - 1) / US.hour) - Math.floor(fromUs / US.hour) + 1;
  return {
    version: 1,
    generated_at: new Date().toISOString(),
    source: 'spool',
    distinct: 'exact',
    files: set.files,
    site: opts.site ?? null,
    period: { from: isoUtc(fromUs), to: isoUtc(toUs), from_us: fromUs, to_us: toUs, minutes: nMinutes, hours: nHours },
    parameters: {
      sor_window_s: sorWindowS,
      storm_k: k,
      storm_window_min: DEFAULTS.stormWindowMinutes,
      storm_warmup_min: DEFAULTS.stormWarmupMinutes,
      customers,
    },
    records,
    summary: {
      devices: devicesTotal,
      dialogues: records.dialogues,
      failed: failedTotal,
      error_rate: ratio(failedTotal, records.dialogues),
      tunnels: records.tunnels,
      lu_attempts: luSum.lu_attempts,
      lu_devices: luSum.lu_devices,
      storm_minutes: verdicts.length,
    },
    traffic: [...traffic.values()].sort((a, b) => byHourThen(a, b, (x) => x.procedure)).map((t) => ({ ...t, hour: hourIso(t.hour) })),
    records_per_device: rpd,
    devices: devicesPerDay.map((r) => ({ day: dayIso(r.day), protocol: r.protocol, devices: r.devices })),
    devices_per_protocol: devicesPerProtocol,
    inbound_outbound: inOut,
    matrix,
    matrix_summary: {
      devices: luSum.lu_devices,
      unknown_devices: luSum.unknown_devices,
      domestic_devices: luSum.domestic_devices,
      domestic_share: ratio(luSum.domestic_devices, luSum.known_home_devices),
    },
    errors: [...errors.values()].sort((a, b) => byHourThen(a, b, (x) => x.result)).map((e) => ({ ...e, hour: hourIso(e.hour) })),
    error_rates: [...rates.values()]
      .map((r) => ({ ...r, error_rate: r.failed / r.dialogues }))
      .sort((a, b) => b.dialogues - a.dialogues || a.protocol.localeCompare(b.protocol) || a.procedure.localeCompare(b.procedure)),
    sor,
    data_sessions: {
      creates: tt.creates,
      accepted: tt.accepted,
      success_rate: ratio(tt.accepted, tt.creates),
      setup_delay_ms: percentilesOfRuns(setupRuns, 1000),
      duration_s: percentilesOfRuns(durationRuns, 1e6),
      bytes_per_session: percentilesOfRuns(bytesRuns),
      packets_up: tt.packets_up,
      packets_down: tt.packets_down,
      bytes_up: tt.bytes_up,
      bytes_down: tt.bytes_down,
      by_partner_apn: byPartnerApn,
      duration_histogram: durationHistogram,
      bytes_histogram: bytesHistogram,
      ends,
    },
    silent_roamers: silent,
    silent_roamers_unknown: silentUnknown,
    zero_byte_tunnels: zeroBytes,
    per_minute: counts.map((n, i) => ({ minute: isoUtc((firstMinute + i) * US.minute), dialogues: n, median: medians[i] as number | null })),
    storms,
    storm_summary: {
      minutes: nMinutes,
      storm_minutes: verdicts.length,
      error_rate_inside: ratio(inF, inN),
      error_rate_outside: ratio(outF, outN),
      periodicity,
    },
    latency,
  };
}
