/**
 * The visited network of every record: `home_country`, `visited_country` (ISO 3166-1 alpha-2),
 * `visited_operator` and — where the protocol carries no PLMN id (MAP) — `visited_mcc` /
 * `visited_mnc`.
 *
 *  - Diameter S6a/S6d (TS 29.272): Visited-PLMN-Id (§7.3.9, in ULR / AIR), else the realm of the
 *    visited side — the Origin-Realm of a request the MME / SGSN sends (ULR, AIR, PUR, NOR, ECR),
 *    the Destination-Realm of one the HSS sends (CLR, IDR, DSR, RSR), the Origin-Realm of an
 *    answer the MME / SGSN sent when its request was not seen — parsed as
 *    `*.mncXXX.mccYYY.3gppnetwork.org` (TS 23.003 §19.2) or named in networks.yaml.
 *  - GTP (TS 29.060 RAI / ULI, TS 29.274 Serving Network / ULI): the PLMN the decoders keep.
 *  - MAP (TS 29.002): no PLMN id. The country is the E.164 country code of the VLR / SGSN number
 *    in the argument, else of the SCCP GT of the visited side (calling GT of a request the
 *    VLR / SGSN / MSC sends, called — or responding — GT of one the HLR / SMSC sends); the
 *    operator and its MCC / MNC come from networks.yaml GT prefixes (longest prefix wins).
 *  - Home country: the MCC of the IMSI (E.212).
 * Unknown stays NULL and is counted by reason (`stats`); nothing is guessed. Lookups are cached
 * per GT / realm string (bounded), so the per-record cost is a few Map probes.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { SigprobeError } from '../config/errors';
import { e164Country, mccCountry, type CountryMiss } from './countries';
import { mncLength } from './plmn';
import type { DialogueRecord, TunnelRecord } from './record';

export interface Operator {
  name: string;
  mcc: string | null;
  mnc: string | null;
}

const digits = (max: number) => z.string().regex(new RegExp(`^[0-9]{1,${max}}$`), `digits only, 1-${max}`);

const OperatorSchema = z
  .object({
    name: z.string().min(1),
    mcc: z.string().regex(/^[0-9]{3}$/, '3 digits').optional(),
    mnc: z.string().regex(/^[0-9]{2,3}$/, '2 or 3 digits').optional(),
    gt_prefixes: z.array(digits(15)).default([]),
    realms: z.array(z.string().min(1).regex(/^[A-Za-z0-9.-]+$/, 'a DNS name')).default([]),
  })
  .strict()
  .refine((o) => (o.mcc === undefined) === (o.mnc === undefined), { message: 'mcc and mnc go together' });

const NetworksSchema = z.object({ operators: z.array(OperatorSchema).default([]) }).strict();

/** Result of a GT lookup, cached per digit string. */
interface GtInfo {
  country: string | null;
  miss: CountryMiss | null;
  operator: Operator | null;
}

/** Result of a realm lookup, cached per realm. */
interface RealmInfo {
  mcc: string | null;
  mnc: string | null;
  operator: Operator | null;
}

/** Cached lookups at most (each cache is cleared when full: GTs and realms repeat, a few thousand at an IPX). */
const CACHE_MAX = 65_536;

/**
 * The site's operators (config/networks.yaml): GT prefixes, Diameter realms and PLMN ids →
 * operator name. Immutable once built; lookups cached.
 */
export class NetworkDirectory {
  readonly operators: readonly Operator[];
  private readonly byPrefix = new Map<string, Operator>();
  private readonly byRealm = new Map<string, Operator>();
  private readonly byPlmn = new Map<string, Operator>();
  private readonly prefixLengths: number[];
  private readonly gtCache = new Map<string, GtInfo>();
  private readonly realmCache = new Map<string, RealmInfo>();

  constructor(ops: readonly { name: string; mcc?: string; mnc?: string; gt_prefixes?: string[]; realms?: string[] }[] = [], file = 'networks') {
    const out: Operator[] = [];
    const lengths = new Set<number>();
    ops.forEach((o, i) => {
      const op: Operator = { name: o.name, mcc: o.mcc ?? null, mnc: o.mnc ?? null };
      out.push(op);
      for (const p of o.gt_prefixes ?? []) {
        const prev = this.byPrefix.get(p);
        if (prev !== undefined) throw new SigprobeError('E_CONFIG', `${file}: operators.${i}.gt_prefixes: '${p}' is also ${prev.name}'s`);
        this.byPrefix.set(p, op);
        lengths.add(p.length);
      }
      for (const r of o.realms ?? []) {
        const k = r.toLowerCase();
        const prev = this.byRealm.get(k);
        if (prev !== undefined) throw new SigprobeError('E_CONFIG', `${file}: operators.${i}.realms: '${r}' is also ${prev.name}'s`);
        this.byRealm.set(k, op);
      }
      if (op.mcc !== null && op.mnc !== null) {
        const k = `${op.mcc}-${op.mnc}`;
        const prev = this.byPlmn.get(k);
        if (prev !== undefined) throw new SigprobeError('E_CONFIG', `${file}: operators.${i}: PLMN ${op.mcc}-${op.mnc} is also ${prev.name}'s`);
        this.byPlmn.set(k, op);
      }
    });
    this.operators = out;
    this.prefixLengths = [...lengths].sort((a, b) => b - a);
  }

  /** Country (E.164 country code, longest known prefix) and operator (longest GT prefix) of a number. */
  gt(num: string): GtInfo {
    let g = this.gtCache.get(num);
    if (g !== undefined) return g;
    const c = e164Country(num);
    let operator: Operator | null = null;
    for (const n of this.prefixLengths) {
      if (n > num.length) continue;
      const op = this.byPrefix.get(n === num.length ? num : num.slice(0, n));
      if (op !== undefined) {
        operator = op;
        break;
      }
    }
    g = { country: c.country, miss: c.miss, operator };
    if (this.gtCache.size >= CACHE_MAX) this.gtCache.clear();
    this.gtCache.set(num, g);
    return g;
  }

  /**
   * PLMN of a realm (`...mncXXX.mccYYY.3gppnetwork.org`, TS 23.003 §19.2: the MNC padded to 3
   * digits with a leading 0) and its operator (realm in networks.yaml, exactly or as a parent
   * domain; else by the parsed PLMN).
   */
  realm(realm: string): RealmInfo {
    let r = this.realmCache.get(realm);
    if (r !== undefined) return r;
    const lower = realm.toLowerCase();
    let mcc: string | null = null;
    let mnc: string | null = null;
    const m = /(?:^|\.)mnc([0-9]{3})\.mcc([0-9]{3})\.3gppnetwork\.org\.?$/.exec(lower);
    if (m !== null) {
      mcc = m[2];
      mnc = mncLength(Number(mcc)) === 2 && m[1][0] === '0' ? m[1].slice(1) : m[1];
    }
    let operator: Operator | null = null;
    for (let k = lower; operator === null; ) {
      operator = this.byRealm.get(k) ?? null;
      const dot = k.indexOf('.');
      if (dot < 0) break;
      k = k.slice(dot + 1);
    }
    if (operator === null && mcc !== null && mnc !== null) operator = this.plmn(mcc, mnc);
    if (operator !== null && mcc === null && operator.mcc !== null) {
      mcc = operator.mcc;
      mnc = operator.mnc;
    }
    r = { mcc, mnc, operator };
    if (this.realmCache.size >= CACHE_MAX) this.realmCache.clear();
    this.realmCache.set(realm, r);
    return r;
  }

  plmn(mcc: string, mnc: string): Operator | null {
    return this.byPlmn.get(`${mcc}-${mnc}`) ?? null;
  }
}

/** Parses networks.yaml text; a bad file is one E_CONFIG error naming the file and the key. */
export function parseNetworks(text: string, file: string): NetworkDirectory {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new SigprobeError('E_CONFIG', `${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new SigprobeError('E_CONFIG', `${file}: expected a mapping with 'operators'`);
  const r = NetworksSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const key = i.path.length ? i.path.join('.') : '(top level)';
    const msg = i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message;
    throw new SigprobeError('E_CONFIG', `${file}: ${key}: ${msg}`);
  }
  return new NetworkDirectory(r.data.operators, file);
}

export function loadNetworks(file: string): NetworkDirectory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SigprobeError('E_CONFIG', `cannot read networks file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseNetworks(text, file);
}

// ------------------------------------------------------------------ which side is visited

/** MAP operations (TS 29.002 §17.5) sent by the visited side (VLR / SGSN / MSC): its GT is the calling one. */
const MAP_FROM_VISITED = new Set<number>([
  2, // updateLocation
  23, // updateGprsLocation
  56, // sendAuthenticationInfo
  57, // restoreData
  58, // sendIMSI
  67, // purgeMS
  15, // authenticationFailureReport
  10, 11, 12, 13, 14, 17, // registerSS, eraseSS, activateSS, deactivateSS, interrogateSS, registerPassword
  59, // processUnstructuredSS-Request
  66, // readyForSM
  46, // mo-forwardSM
  43, // checkIMEI
  89, // noteMM-Event
]);

/** MAP operations sent to the visited side (by the HLR, SMSC, GMLC): its GT is the called / responding one. */
const MAP_TO_VISITED = new Set<number>([
  3, // cancelLocation
  4, // provideRoamingNumber
  7, // insertSubscriberData
  8, // deleteSubscriberData
  37, // reset
  38, // forwardCheckSS-Indication
  44, // mt-forwardSM
  50, 51, // activateTraceMode, deactivateTraceMode
  60, 61, // unstructuredSS-Request, unstructuredSS-Notify
  70, // provideSubscriberInfo
  83, // provideSubscriberLocation
]);

/** CAP operations (TS 29.078) opening a dialogue from the gsmSSF / gprsSSF in the visited MSC / SGSN. */
const CAP_FROM_VISITED = new Set<number>([0 /* initialDP */, 60 /* initialDPSMS */, 78 /* initialDPGPRS */]);

/** S6a/S6d (TS 29.272 §7.2) and S13 requests sent by the MME / SGSN (the visited side). */
const DIAMETER_FROM_VISITED = new Set<number>([316 /* ULR */, 318 /* AIR */, 321 /* PUR */, 323 /* NOR */, 324 /* ECR */]);
/** ... sent by the HSS to the MME / SGSN. */
const DIAMETER_TO_VISITED = new Set<number>([317 /* CLR */, 319 /* IDR */, 320 /* DSR */, 322 /* RSR */]);

/** Why a field stayed NULL: counted per field and reason. */
export class VisitedNetworkStats {
  /** records enriched */
  dialogues = 0;
  tunnels = 0;
  /** table → field → reason → count (no string built per record) */
  private readonly counts: Record<string, Record<string, Record<string, number>>> = {
    dialogues: { home_country: {}, visited_country: {}, visited_operator: {} },
    tunnels: { home_country: {}, visited_country: {}, visited_operator: {} },
  };

  miss(table: 'dialogues' | 'tunnels', field: 'home_country' | 'visited_country' | 'visited_operator', reason: string): void {
    const u = this.counts[table][field];
    u[reason] = (u[reason] ?? 0) + 1;
  }

  /** per table, `<field>_unknown/<reason>` → count, e.g. visited_country_unknown/no_visited_side */
  get unknown(): { dialogues: Record<string, number>; tunnels: Record<string, number> } {
    const flat = (t: string): Record<string, number> => {
      const o: Record<string, number> = {};
      for (const [f, byReason] of Object.entries(this.counts[t])) for (const [r, n] of Object.entries(byReason)) o[`${f}_unknown/${r}`] = n;
      return o;
    };
    return { dialogues: flat('dialogues'), tunnels: flat('tunnels') };
  }
}

/** Fills the visited-network fields of records before they are written (one instance per pipeline). */
export class VisitedNetworks {
  readonly stats = new VisitedNetworkStats();

  constructor(readonly directory: NetworkDirectory = new NetworkDirectory()) {}

  dialogue(r: DialogueRecord): void {
    this.stats.dialogues++;
    r.homeCountry = this.home('dialogues', r.homeMcc);
    let country: string | null = null;
    let operator: Operator | null = null;
    let why = 'no_visited_side';
    const p = r.protocol;
    if (p === 'map' || p === 'cap' || p === 'tcap') {
      const op = r.opcode ?? -1;
      const from = p === 'cap' ? CAP_FROM_VISITED.has(op) : p === 'map' && MAP_FROM_VISITED.has(op);
      const to = p === 'map' && MAP_TO_VISITED.has(op);
      if (from || to) {
        // The MAP argument's VLR / SGSN number first, then the visited side's GT.
        const gt = from ? r.callingGt : (r.responderGt ?? r.calledGt);
        why = 'no_number';
        for (let i = 0; i < 3 && (country === null || operator === null); i++) {
          const num = i === 0 ? r.vlrNumber : i === 1 ? r.sgsnNumber : gt;
          if (num === null || num === undefined || num === '') continue;
          const g = this.directory.gt(num);
          if (country === null) {
            if (g.country !== null) country = g.country;
            else why = g.miss ?? why;
          }
          if (operator === null) operator = g.operator;
        }
        if (operator !== null && operator.mcc !== null) {
          r.visitedMcc = operator.mcc;
          r.visitedMnc = operator.mnc;
          if (country === null) country = mccCountry(operator.mcc);
        }
      }
    } else if (p === 'diameter') {
      const cmd = r.opcode ?? -1;
      const realm = r.orphan
        ? DIAMETER_TO_VISITED.has(cmd) ? r.originRealm : null
        : DIAMETER_FROM_VISITED.has(cmd) ? r.originRealm : DIAMETER_TO_VISITED.has(cmd) ? r.destRealm : null;
      const sided = DIAMETER_FROM_VISITED.has(cmd) || DIAMETER_TO_VISITED.has(cmd);
      const fromAvp = (r.visitedMcc ?? null) !== null;
      if (realm !== null && realm !== undefined) {
        const ri = this.directory.realm(realm);
        operator = ri.operator;
        if (!fromAvp && ri.mcc !== null) {
          r.visitedMcc = ri.mcc;
          r.visitedMnc = ri.mnc;
        }
      }
      if ((r.visitedMcc ?? null) !== null) {
        // Visited-PLMN-Id names the network itself; a realm may be a hub's or a DEA's.
        if (fromAvp) operator = this.directory.plmn(r.visitedMcc as string, r.visitedMnc as string) ?? operator;
        country = mccCountry(r.visitedMcc as string);
        if (country === null) why = 'unassigned_mcc';
      } else if (sided) {
        why = realm === null || realm === undefined ? 'no_realm' : 'realm_not_3gpp';
      }
    } else {
      // GTP: the serving network the decoders kept (RAI / ULI / Serving Network).
      if ((r.visitedMcc ?? null) !== null) {
        operator = this.directory.plmn(r.visitedMcc as string, r.visitedMnc as string);
        country = mccCountry(r.visitedMcc as string);
        if (country === null) why = 'unassigned_mcc';
      } else {
        why = 'no_plmn';
      }
    }
    r.visitedCountry = country;
    r.visitedOperator = operator !== null ? operator.name : null;
    if (country === null) this.stats.miss('dialogues', 'visited_country', why);
    if (operator === null) this.stats.miss('dialogues', 'visited_operator', country === null ? why : 'not_in_networks');
  }

  tunnel(t: TunnelRecord): void {
    this.stats.tunnels++;
    t.homeCountry = this.home('tunnels', t.homeMcc);
    let country: string | null = null;
    let operator: Operator | null = null;
    if (t.visitedMcc !== null) {
      country = mccCountry(t.visitedMcc);
      if (t.visitedMnc !== null) operator = this.directory.plmn(t.visitedMcc, t.visitedMnc);
    }
    t.visitedCountry = country;
    t.visitedOperator = operator !== null ? operator.name : null;
    const why = t.visitedMcc === null ? 'no_plmn' : 'unassigned_mcc';
    if (country === null) this.stats.miss('tunnels', 'visited_country', why);
    if (operator === null) this.stats.miss('tunnels', 'visited_operator', country === null ? why : 'not_in_networks');
  }

  private home(table: 'dialogues' | 'tunnels', mcc: string | null): string | null {
    if (mcc === null) {
      this.stats.miss(table, 'home_country', 'no_imsi');
      return null;
    }
    const c = mccCountry(mcc);
    if (c === null) this.stats.miss(table, 'home_country', 'unassigned_mcc');
    return c;
  }
}
