/**
 * Fuzz: decodeMapParameter / decodeCapParameter over 100k random and 100k mutated parameters
 * (seeded). Checks: no exception, a valid anomaly code, every field inside [start, end] and within
 * its size limits.
 */
import { describe, expect, it } from 'vitest';
import { decodeCapParameter, decodeMapParameter, isdnToString, tbcdToString } from '../../../src/protocols/map/decode';
import { createMapInfoView } from '../../../src/protocols/map/types';
import type { MapInfoView } from '../../../src/protocols/map/types';
import { MAP_ANOMALY_NAMES } from '../../../src/protocols/map/constants';
import { CAP_OPERATION_RULES, MAP_OPERATION_RULES } from '../../../src/protocols/map/rules';
import { Prng, embed, mutate } from '../../helpers/mutationFuzz';
import { CAP_CASES, MAP_CASES } from './vectors';

const N = 100_000;
const info = createMapInfoView();
const PAIRS: [keyof MapInfoView, keyof MapInfoView, number, number][] = [
  ['imsiStart', 'imsiEnd', 3, 8], ['msisdnStart', 'msisdnEnd', 1, 20], ['vlrStart', 'vlrEnd', 1, 20],
  ['sgsnStart', 'sgsnEnd', 1, 20], ['mscStart', 'mscEnd', 1, 20], ['hlrStart', 'hlrEnd', 1, 20],
  ['scaStart', 'scaEnd', 1, 20], ['sgsnAddressStart', 'sgsnAddressEnd', 5, 17], ['callingStart', 'callingEnd', 2, 18],
];

function check(code: number, start: number, end: number): string | null {
  if (!Number.isInteger(code) || code < 0 || code >= MAP_ANOMALY_NAMES.length) return `bad code ${code}`;
  for (const [s, e, min, max] of PAIRS) {
    const a = info[s];
    const b = info[e];
    if (a === -1 && b === -1) continue;
    if (!(a >= start && b <= end && b - a >= min && b - a <= max)) return `${s} ${a}..${b}`;
  }
  return null;
}

const MAP_OPS = MAP_OPERATION_RULES.map((o) => o.op);
const CAP_OPS = CAP_OPERATION_RULES.map((o) => o.op);

describe('MAP parameter fuzz', () => {
  it(`${N} random parameters`, () => {
    const rng = new Prng(0x3a9);
    const firstTags = [0x30, 0x04, 0xa3, 0x80];
    for (let i = 0; i < N; i++) {
      const len = rng.int(80);
      const body = rng.bytes(len);
      if (len > 2 && (i & 1) === 0) {
        body[0] = rng.pick(firstTags);
        body[1] = rng.int(4) === 0 ? 0x80 : len - 2;
      }
      const { buf, start, end } = embed(rng, body);
      const cap = rng.int(4) === 0;
      const op = rng.pick(cap ? CAP_OPS : MAP_OPS);
      const code = (cap ? decodeCapParameter : decodeMapParameter)(op, rng.int(2) === 0, buf, start, end, info);
      const bad = check(code, start, end);
      if (bad !== null) expect.fail(`${bad} for op ${op} ${body.toString('hex')}`);
      if (info.imsiStart >= 0) tbcdToString(buf, info.imsiStart, info.imsiEnd);
      if (info.msisdnStart >= 0) isdnToString(buf, info.msisdnStart, info.msisdnEnd);
    }
  });

  it(`${N} mutated valid parameters`, () => {
    const rng = new Prng(0x3b0);
    const cases = [...MAP_CASES, ...CAP_CASES];
    let found = 0;
    for (let i = 0; i < N; i++) {
      const c = rng.pick(cases);
      const msg = mutate(rng, c.param);
      const { buf, start, end } = embed(rng, msg);
      const code = (c.cap ? decodeCapParameter : decodeMapParameter)(c.opcode, c.invoke, buf, start, end, info);
      const bad = check(code, start, end);
      if (bad !== null) expect.fail(`${bad} for ${c.name} ${msg.toString('hex')}`);
      if (info.imsiStart >= 0 || info.msisdnStart >= 0) found++;
    }
    expect(found).toBeGreaterThan(N / 10); // many mutations leave an identity intact
  });
});
