/**
 * The analytics definitions, written once: what a device, a location update, a success, a
 * steered device, a silent roamer, a storm minute are. Each definition is data — a title, the
 * plain-language text the HTML report shows beside its chart and the README "Analytics" section
 * repeats — plus the SQL fragments that implement it, built for a dialect so that the central
 * report (issue 13, PostgreSQL rollups) renders the same definitions instead of re-writing them.
 *
 * Protocol references: MAP error 8 roamingNotAllowed (TS 29.002 §17.6.6, updateLocation and
 * updateGprsLocation errors); Diameter S6a Update-Location (TS 29.272 §7.2.3) and
 * DIAMETER_ERROR_ROAMING_NOT_ALLOWED 5004 as Experimental-Result-Code (TS 29.272 §7.4.3).
 */

export type Dialect = 'sqlite' | 'postgres';

export interface Definition {
  id: DefinitionId;
  /** short name shown as the label of the definition */
  title: string;
  /** the definition in words (one paragraph, plain language, no column names) */
  text: string;
}

export type DefinitionId =
  | 'period'
  | 'dialogue'
  | 'device'
  | 'procedure'
  | 'recordsPerDevice'
  | 'inboundOutbound'
  | 'locationUpdate'
  | 'countries'
  | 'matrix'
  | 'failed'
  | 'rna'
  | 'sor'
  | 'dataSessions'
  | 'silentRoamer'
  | 'zeroByteTunnel'
  | 'storm'
  | 'partner'
  | 'percentile'
  | 'distinct';

/** Defaults of the parameters the definitions take. */
export const DEFAULTS = {
  /** --sor-window: seconds from a Roaming-Not-Allowed to the successful LU that makes it "steered" */
  sorWindowSeconds: 600,
  /** --storm-k: a minute is a storm when its count exceeds k × the rolling median */
  stormK: 3,
  /** minutes in the rolling median window */
  stormWindowMinutes: 60,
  /** no storm verdict for the first minutes of the period (the median has too little history) */
  stormWarmupMinutes: 10,
} as const;

/** Location-update procedures (the `procedure` column) per protocol. */
export const LU_PROCEDURES: Readonly<Record<'map' | 'diameter', readonly string[]>> = {
  // TS 29.002 §8.1.2 MAP_UPDATE_LOCATION, §8.1.7 MAP_UPDATE_GPRS_LOCATION
  map: ['updateLocation', 'updateGprsLocation'],
  // TS 29.272 §5.2.1.1 Update Location (ULR/ULA)
  diameter: ['ULR'],
};
/** MAP error roamingNotAllowed (TS 29.002 §17.6.6, local value 8). */
export const MAP_ROAMING_NOT_ALLOWED = 8;
/** DIAMETER_ERROR_ROAMING_NOT_ALLOWED (TS 29.272 §7.4.3.1, Experimental-Result-Code 5004). */
export const DIAMETER_ROAMING_NOT_ALLOWED = 5004;
/** The tunnels.end_reason of a Create answered with a rejection (nothing became active). */
export const CREATE_REJECTED = 'create_rejected';

const MAP_LU = LU_PROCEDURES.map.map((p) => `'${p}'`).join(', ');
const DIA_LU = LU_PROCEDURES.diameter.map((p) => `'${p}'`).join(', ');

/** µs per bucket. */
export const US = { minute: 60_000_000, hour: 3_600_000_000, day: 86_400_000_000 } as const;

/**
 * SQL fragments of the definitions over the spool/central `dialogues` and `tunnels` columns.
 * `a` is a table alias prefix ('' or 'd.'). Integer division of the µs times gives the bucket
 * number in both dialects (SQLite INTEGER / INTEGER and PostgreSQL bigint / bigint truncate).
 */
export function sql(dialect: Dialect, a = '') {
  const cat = (...xs: string[]) => xs.join(' || ');
  return {
    dialect,
    /** a location update attempt (any outcome) */
    isLu: `((${a}protocol = 'map' AND ${a}procedure IN (${MAP_LU})) OR (${a}protocol = 'diameter' AND ${a}procedure IN (${DIA_LU})))`,
    /** a successful dialogue */
    isOk: `${a}status = 'ok'`,
    /** a failed dialogue: anything but ok (error, reject, abort, timeout) */
    isFailed: `${a}status <> 'ok'`,
    /** Roaming-Not-Allowed on a location update (apply together with isLu) */
    isRna:
      `((${a}protocol = 'map' AND ${a}status = 'error' AND ${a}result_code = ${MAP_ROAMING_NOT_ALLOWED}) OR ` +
      `(${a}protocol = 'diameter' AND ${a}result_code = ${DIAMETER_ROAMING_NOT_ALLOWED} AND ${a}result_source = 'experimental'))`,
    /** the result a failed dialogue is filed under: its error name (or code), else its status */
    result:
      `CASE WHEN ${a}status = 'error' THEN coalesce(${a}result_name, ` +
      (dialect === 'postgres' ? `'code ' || ${a}result_code::text` : `'code ' || ${a}result_code`) +
      `, 'error') WHEN ${a}status = 'abort' THEN ${cat(`'abort'`, `coalesce(': ' || ${a}result_name, '')`)} ELSE ${a}status END`,
    /** the visited network of a record (mcc-mnc), NULL unless both are known */
    visitedNetwork: `CASE WHEN ${a}visited_mcc IS NOT NULL AND ${a}visited_mnc IS NOT NULL THEN ${cat(`${a}visited_mcc`, `'-'`, `${a}visited_mnc`)} END`,
    /** the roaming partner of a record: the visited operator's name, else its network, else its country */
    partner:
      `coalesce(${a}visited_operator, CASE WHEN ${a}visited_mcc IS NOT NULL AND ${a}visited_mnc IS NOT NULL THEN ` +
      `${cat(`${a}visited_mcc`, `'-'`, `${a}visited_mnc`)} END, ${a}visited_country, 'unknown')`,
    /** the bucket number of a µs time column */
    bucket: (col: string, unit: keyof typeof US) => `(${a}${col} / ${US[unit]})`,
    /** an accepted tunnel (the Create was accepted) */
    isAccepted: `${a}end_reason <> '${CREATE_REJECTED}'`,
    /** an accepted tunnel without user data */
    isZeroBytes: `(${a}bytes_up + ${a}bytes_down) = 0`,
  };
}

/** The nearest-rank of the p-th percentile in n sorted values (1-based): ceil(p/100 × n). */
export function nearestRank(p: number, n: number): number {
  if (n <= 0) return 0;
  // integer arithmetic for the integral percentiles used here (50, 95, 99): no float rounding
  const r = Number.isInteger(p) ? Math.floor((p * n + 99) / 100) : Math.ceil((p / 100) * n);
  return Math.min(Math.max(r, 1), n);
}

/** SQL of the nearest rank (integer), for `rn = <this>` filters over row_number(). */
export function nearestRankSql(p: number, nExpr: string): string {
  return `((${nExpr} * ${p} + 99) / 100)`;
}

/** Percentiles reported everywhere. */
export const PERCENTILES = [50, 95, 99] as const;

/** Median of numbers (the mean of the two middle values for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  const h = n >> 1;
  return n % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export interface StormParams {
  k: number;
  windowMinutes: number;
  warmupMinutes: number;
}

export interface StormVerdict {
  /** index of the minute in the period */
  index: number;
  count: number;
  median: number;
  ratio: number;
}

/**
 * The storm rule over per-minute counts of the whole period (zeros included): minute i (0-based)
 * gets a verdict when i ≥ warmup; its median is that of the counts of minutes
 * [max(0, i − window), i − 1]; a storm when median > 0 and count > k × median. `medians`, when
 * given, receives the median of every minute that got a verdict (the others stay as they are).
 */
export function stormMinutes(counts: readonly number[], p: StormParams, medians?: number[]): StormVerdict[] {
  const out: StormVerdict[] = [];
  // A sorted window maintained incrementally: O(window) per minute, bounded memory.
  const win: number[] = [];
  /** index of the first value ≥ v in the sorted window */
  const lowerBound = (v: number): number => {
    let lo = 0;
    let hi = win.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (win[m] < v) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  const insert = (v: number) => win.splice(lowerBound(v), 0, v);
  const remove = (v: number) => win.splice(lowerBound(v), 1);
  for (let i = 0; i < counts.length; i++) {
    if (i >= p.warmupMinutes && win.length > 0) {
      const n = win.length;
      const h = n >> 1;
      const med = n % 2 === 1 ? win[h] : (win[h - 1] + win[h]) / 2;
      if (medians !== undefined) medians[i] = med;
      if (med > 0 && counts[i] > p.k * med) out.push({ index: i, count: counts[i], median: med, ratio: counts[i] / med });
    }
    insert(counts[i]);
    if (win.length > p.windowMinutes) remove(counts[i - p.windowMinutes]);
  }
  return out;
}

/** The definitions in words: the HTML shows each beside its chart, the README repeats them. */
export const DEFINITIONS: Readonly<Record<DefinitionId, Definition>> = {
  period: {
    id: 'period',
    title: 'Period',
    text:
      'The report covers the records whose request time is at or after the start and before the end of the period ' +
      '(tunnels by the time of their Create request). Without --from/--to the period runs from the start of the minute ' +
      'of the earliest record to just after the latest one. All times are UTC.',
  },
  dialogue: {
    id: 'dialogue',
    title: 'Dialogue',
    text:
      'One request and its answer as the probe saw them: a MAP/CAP TCAP dialogue, a Diameter request/answer or a ' +
      'GTP-C request/response. Every dialogue is counted once, at the time of its request.',
  },
  device: {
    id: 'device',
    title: 'Device',
    text:
      'A device is a distinct subscriber identity (IMSI) — counted by its pseudonym, never shown. Records without an ' +
      'IMSI count as dialogues but not as devices. Device counts are exact (every distinct pseudonym is counted).',
  },
  procedure: {
    id: 'procedure',
    title: 'Procedure',
    text:
      'The operation of a dialogue: MAP operation (updateLocation, sendAuthenticationInfo, …), Diameter command ' +
      '(ULR, AIR, CLR, …) or GTP-C message (CreatePDPContext, CreateSession, DeleteSession, …).',
  },
  recordsPerDevice: {
    id: 'recordsPerDevice',
    title: 'Records per device per hour',
    text:
      'For every hour and protocol, the number of dialogues of each device that signalled in that hour; the mean ' +
      'and the (population) standard deviation over those devices.',
  },
  inboundOutbound: {
    id: 'inboundOutbound',
    title: 'Inbound / outbound',
    text:
      'With the customers\' networks named (--customers MCC-MNC,…): outbound = devices whose home network is a ' +
      'customer\'s, seen in another network; inbound = devices from other networks visiting a customer\'s network. ' +
      'Devices whose visited network is unknown count as neither.',
  },
  locationUpdate: {
    id: 'locationUpdate',
    title: 'Location update (LU)',
    text:
      'A MAP updateLocation or updateGprsLocation, or a Diameter Update-Location (ULR). It is successful when the ' +
      'home network accepted it (status ok).',
  },
  countries: {
    id: 'countries',
    title: 'Home and visited country',
    text:
      'The home country comes from the country code (MCC) of the IMSI; the visited country from the visited ' +
      'network\'s MCC, or for MAP from the country code of the VLR/SGSN number. Records where either country is ' +
      'unknown are counted as unknown and left out of the per-country tables.',
  },
  matrix: {
    id: 'matrix',
    title: 'Roaming matrix',
    text:
      'For each home country → visited country pair: the devices with at least one successful location update there ' +
      'in the period, and their share of all devices of that home country with a successful location update in the ' +
      'period. A device that moved counts in every pair it was seen in. Domestic = home country equals visited country.',
  },
  failed: {
    id: 'failed',
    title: 'Failed dialogue, error rate',
    text:
      'A dialogue failed when it did not end successfully: an error answer (MAP error, Diameter Result-Code or ' +
      'Experimental-Result outside 1xxx/2xxx, GTP rejection cause), a reject, an abort or no answer (timeout). ' +
      'It is filed under its error name, or under reject/abort/timeout. Error rate = failed / all dialogues.',
  },
  rna: {
    id: 'rna',
    title: 'Roaming Not Allowed (RNA)',
    text:
      'A location update answered with MAP error 8 roamingNotAllowed, or a Diameter ULR answered with ' +
      'Experimental-Result 5004 DIAMETER_ERROR_ROAMING_NOT_ALLOWED.',
  },
  sor: {
    id: 'sor',
    title: 'Steering of roaming',
    text:
      'Per home → visited country pair of the location update attempts: devices = devices with any LU attempt there; ' +
      'with RNA = those that got at least one Roaming-Not-Allowed there; share = with RNA / devices; steered = devices ' +
      'whose RNA there was followed, within the SoR window (default 600 s, from request to request, 600 s included), ' +
      'by a successful LU of the same device to a different visited network (MCC-MNC differs, both known).',
  },
  dataSessions: {
    id: 'dataSessions',
    title: 'Data sessions',
    text:
      'A data session is a GTP tunnel (PDP context / PDN connection). Creates = Create exchanges seen (rejected ones ' +
      'included); accepted = Creates that were accepted. Setup delay = Create request to response. Duration = Create ' +
      'to Delete. Bytes = length of the user IP packets carried (without the outer IP/UDP/GTP-U headers); up = towards ' +
      'the GGSN/PGW, down = from it.',
  },
  silentRoamer: {
    id: 'silentRoamer',
    title: 'Silent roamer',
    text:
      'A device with a successful location update in the period and no accepted data session of its own created in ' +
      'the period. It is counted under the home/visited country pair of its last successful location update.',
  },
  zeroByteTunnel: {
    id: 'zeroByteTunnel',
    title: 'Zero-byte data session',
    text: 'An accepted data session created in the period that carried no user data (0 bytes up and 0 bytes down).',
  },
  storm: {
    id: 'storm',
    title: 'Signaling storm',
    text:
      'Dialogues per minute over all protocols (minutes without dialogues count as 0). A minute is a storm minute when ' +
      'its count exceeds k (default 3) × the median of the preceding 60 minutes (fewer at the start; no verdict for ' +
      'the first 10 minutes of the period; never when that median is 0). Ratio = count / median. Devices share = ' +
      'devices that signalled in that minute / devices seen in the period.',
  },
  partner: {
    id: 'partner',
    title: 'Partner',
    text:
      'The roaming partner of a record: the visited operator\'s name (from networks.yaml), else the visited network ' +
      'MCC-MNC, else the visited country, else "unknown".',
  },
  percentile: {
    id: 'percentile',
    title: 'Percentiles',
    text:
      'Nearest rank: the p-th percentile of n values is the value at rank ⌈p/100 × n⌉ of the values sorted ' +
      'ascending. Latency = request to answer of answered dialogues.',
  },
  distinct: {
    id: 'distinct',
    title: 'Distinct counts',
    text: 'Exact: computed over every record of the spool files (a central report from rollups says HyperLogLog instead).',
  },
};
