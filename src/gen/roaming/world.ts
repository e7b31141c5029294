// The roaming scenario's world: the operators of the generator's topology (src/gen/map/topology.ts:
// 9 countries, at most 3 operators each, with MCC/MNC, E.164 CC+NDC and the EPC realm
// epc.mncXXX.mccYYY.3gppnetwork.org of TS 23.003 §19.2), the seeded roaming matrix (who visits
// where, which partner each home network prefers per visited country, how hard it steers), and
// the `x.networks.yaml` the probe replays the capture with (`--networks`).
import * as fs from 'fs';
import { Prng } from '../prng';
import { Operator, World } from '../map/topology';
import { IpWorld } from '../ip/topology';

const EUROPE = new Set(['GB', 'DE', 'ES', 'NL']);

export interface CountryOps {
  iso: string;
  ops: Operator[];
}

/** the seeded traveller matrix */
export interface RoamingMatrix {
  countries: CountryOps[];
  /** weight of each country as a home country */
  homeWeight: number[];
  /** per home country index: weights of the visited countries (0 for itself) */
  visitWeight: number[][];
  /** per home operator: the preferred partner per visited country iso */
  preferred: Map<Operator, Map<string, Operator>>;
  /** per home operator: probability that its HLR / HSS rejects a registration on a non-preferred partner */
  steerRate: Map<Operator, number>;
}

export function countriesOf(world: World): CountryOps[] {
  const out: CountryOps[] = [];
  for (const op of world.operators) {
    let c = out.find((x) => x.iso === op.iso);
    if (!c) out.push((c = { iso: op.iso, ops: [] }));
    c.ops.push(op);
  }
  return out;
}

export function buildMatrix(rng: Prng, world: World): RoamingMatrix {
  const countries = countriesOf(world);
  const homeWeight = countries.map(() => 0.5 + rng.next() * 1.5);
  const visitWeight = countries.map((h) =>
    countries.map((v) => (v === h ? 0 : (0.1 + rng.next()) * (EUROPE.has(v.iso) === EUROPE.has(h.iso) ? 2.5 : 1))),
  );
  const preferred = new Map<Operator, Map<string, Operator>>();
  const steerRate = new Map<Operator, number>();
  for (const op of world.operators) {
    const m = new Map<string, Operator>();
    for (const c of countries) if (c.iso !== op.iso) m.set(c.iso, rng.pick(c.ops));
    preferred.set(op, m);
    steerRate.set(op, 0.15 + rng.next() * 0.35);
  }
  return { countries, homeWeight, visitWeight, preferred, steerRate };
}

/** E.164 prefix of an operator's node global titles: CC + NDC (E.164 §6; topology.ts gtFor) */
export function gtPrefix(op: Operator): string {
  return op.cc + op.ndc;
}

function q(s: string): string {
  return JSON.stringify(s);
}

/** `x.networks.yaml` in the probe's format (config/networks.yaml): one entry per operator */
export function writeNetworksYaml(path: string, ipw: IpWorld): void {
  const lines = [
    '# Operators of a `sigprobe gen --scenario roaming` world: replay the capture with --networks <this file>.',
    '# gt_prefixes: E.164 CC+NDC of the HLR / VLR / MSC / SGSN global titles; realms: the EPC realm (TS 23.003 §19.2).',
    'operators:',
  ];
  for (const o of ipw.ops) {
    const hosts = [...o.mmes, ...o.hsss, o.dea].map((n) => n.host).join(', ');
    lines.push(`  - name: ${q(o.op.name)}`);
    lines.push(`    mcc: ${q(o.op.mcc)}`);
    lines.push(`    mnc: ${q(o.op.mnc)}`);
    lines.push(`    gt_prefixes: [${q(gtPrefix(o.op))}]`);
    lines.push(`    realms: [${q(o.realm)}]`);
    lines.push(`    # ${o.op.iso}; Diameter hosts: ${hosts}`);
  }
  fs.writeFileSync(path, lines.join('\n') + '\n');
}
