/**
 * The report model: what report.json contains (the contract for other tools) and what the HTML
 * renders. Snake-case field names are the JSON's. Times are ISO-8601 UTC strings.
 */

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface PairCount {
  home_country: string;
  visited_country: string;
  devices: number;
}

export interface ReportModel {
  /** format version of report.json */
  version: 1;
  generated_at: string;
  source: 'spool' | 'central';
  /** how distinct devices are counted: exact on the spool; hll on the central store (which figures: central.distinct) */
  distinct: 'exact' | 'hll';
  /** spool files read (central: none) */
  files: string[];
  /** central report only: what was read from where, the HLL error bound, rollup-only days */
  central?: CentralInfo;
  site: string | null;
  period: { from: string; to: string; from_us: number; to_us: number; minutes: number; hours: number };
  parameters: { sor_window_s: number; storm_k: number; storm_window_min: number; storm_warmup_min: number; customers: string[] };
  /** records read in the period */
  records: { dialogues: number; tunnels: number };
  summary: {
    devices: number;
    dialogues: number;
    failed: number;
    error_rate: number | null;
    tunnels: number;
    lu_attempts: number;
    lu_devices: number;
    storm_minutes: number;
  };

  // 1. traffic
  traffic: { hour: string; protocol: string; procedure: string; dialogues: number }[];
  records_per_device: { hour: string; protocol: string; devices: number; mean: number; sd: number }[];
  // 2. devices
  devices: { day: string; protocol: string; devices: number }[];
  devices_per_protocol: { protocol: string; devices: number }[];
  inbound_outbound: { day: string; inbound: number; outbound: number }[] | null;
  // 3. roaming matrix
  matrix: (PairCount & { share: number })[];
  matrix_summary: { devices: number; unknown_devices: number; domestic_devices: number; domestic_share: number | null };
  // 4. errors
  errors: { hour: string; protocol: string; result: string; dialogues: number }[];
  error_rates: { protocol: string; procedure: string; dialogues: number; failed: number; error_rate: number }[];
  // 5. steering of roaming
  sor: { home_country: string; visited_country: string; devices: number; devices_rna: number; share_rna: number; steered: number }[];
  // 6. data sessions
  data_sessions: {
    creates: number;
    accepted: number;
    success_rate: number | null;
    setup_delay_ms: Percentiles;
    duration_s: Percentiles;
    bytes_per_session: Percentiles;
    packets_up: number;
    packets_down: number;
    bytes_up: number;
    bytes_down: number;
    by_partner_apn: { partner: string; apn: string; creates: number; accepted: number; success_rate: number }[];
    duration_histogram: { bucket: string; tunnels: number }[];
    bytes_histogram: { bucket: string; tunnels: number }[];
    ends: { protocol: string; end_reason: string; delete_cause: number | null; cause_name: string | null; tunnels: number }[];
  };
  // 7. silent roamers
  silent_roamers: PairCount[];
  silent_roamers_unknown: number;
  zero_byte_tunnels: { home_country: string | null; visited_country: string | null; tunnels: number }[];
  // 8. storms
  /** every minute of the period: dialogues and the rolling median it was judged against (null: no verdict) */
  per_minute: { minute: string; dialogues: number; median: number | null }[];
  storms: { minute: string; dialogues: number; ratio: number; median: number; devices: number; devices_share: number | null }[];
  storm_summary: {
    minutes: number;
    storm_minutes: number;
    error_rate_inside: number | null;
    error_rate_outside: number | null;
    periodicity: { minute_of_hour: number; storm_minutes: number; hours: number }[];
  };
  // 9. latency
  latency: { protocol: string; procedure: string; partner: string; dialogues: number; p50_ms: number; p95_ms: number; p99_ms: number }[];
}

export type CentralSource = 'rollups' | 'rollups+raw edges' | 'raw' | 'unavailable';

/** report.json `central` (report --central): the sources and precision of the figures. */
export interface CentralInfo {
  schema: string;
  /** the config file / store the report read */
  store: string;
  /** distinct-count method of each figure */
  distinct: {
    /** figures counted with HyperLogLog (hll_union_agg of the hourly sketches) */
    hll: string[];
    /** figures counted exactly (device_day pseudonyms, raw rows) */
    exact: string[];
    hll_log2m: number;
    hll_regwidth: number;
    /** one-sigma relative error of an HLL figure: 1.04 / sqrt(2^log2m) */
    hll_rel_error: number;
    note: string;
  };
  percentiles: string;
  /** where each section was read from */
  sources: Record<string, CentralSource>;
  /** sections left empty (their data is not in the rollups and raw was not read or is gone) */
  unavailable: string[];
  /** UTC days of the period served from rollups only (raw partitions dropped by retention) */
  rollup_only_days: string[];
  /** the period's edges were widened to whole hours / days (raw of a partial hour or day not read) */
  period_widened: boolean;
  notes: string[];
}
