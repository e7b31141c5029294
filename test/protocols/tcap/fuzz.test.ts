/**
 * Fuzz: decodeTcap over 100k random and 100k mutated inputs (seeded, deterministic). Checks: no
 * exception, a valid anomaly code, every recorded offset inside [start, end].
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTcap } from '../../../src/protocols/tcap/decode';
import { createTcapView } from '../../../src/protocols/tcap/types';
import type { TcapView } from '../../../src/protocols/tcap/types';
import { TCAP_ANOMALY_NAMES, TCAP_MAX_COMPONENTS } from '../../../src/protocols/tcap/constants';
import { Prng, embed, mutate } from '../../helpers/mutationFuzz';
import { int, tlv, tlvIndef } from '../../helpers/ber';
import { CAPTURES, SHARED } from '../../helpers/oracle';
import { captureTcap } from '../../helpers/tcapLocate';
import {
  UNIDIALOGUE_AS_ID, aare, abort, abrt, audt, beginInvoke, components, cont, dialoguePortion, end, invoke, reject,
  rerr, rrl, rrnl, uni,
} from './vectors';

const N = 100_000;
const v = createTcapView();

/** Returns a description of the first violated invariant, or null. */
function check(code: number, view: TcapView, start: number, end: number): string | null {
  if (!Number.isInteger(code) || code < 0 || code >= TCAP_ANOMALY_NAMES.length) return `bad code ${code}`;
  if (view.componentCount < 0 || view.componentCount > TCAP_MAX_COMPONENTS) return 'componentCount';
  if (view.acnStart !== -1 && !(view.acnStart >= start && view.acnStart <= view.acnEnd && view.acnEnd <= end)) return 'acn';
  if (view.otidLen < 0 || view.otidLen > 4 || view.dtidLen < 0 || view.dtidLen > 4) return 'tid length';
  for (let i = 0; i < view.componentCount; i++) {
    const c = view.components[i];
    if (c.paramStart === -1 ? c.paramEnd !== -1 : !(c.paramStart >= start && c.paramStart < c.paramEnd && c.paramEnd <= end)) {
      return `param of component ${i}`;
    }
  }
  return null;
}

function seeds(): Buffer[] {
  const out: Buffer[] = [
    beginInvoke('0.4.0.0.1.0.14.3', 56, tlv(0x30, tlv(0x80, '00010100000000f2'), int(1))),
    cont('0a', '0b0c', dialoguePortion(aare('0.4.0.0.1.0.1.3')), components(invoke(1, 7, tlv(0x30, ''), 2), rrnl(3, 4, '0400'))),
    end('01020304', components(rrl(1, 2, tlv(0x30, '0400')), rerr(2, 34), reject(null, 0, 1), reject(5, 3, 4))),
    abort('01020304', '4a0104'),
    abort('01020304', dialoguePortion(abrt(1))),
    uni(dialoguePortion(audt('0.4.0.0.1.0.19.2'), UNIDIALOGUE_AS_ID), components(invoke(1, 61))),
    tlvIndef(0x62, tlv(0x48, '01'), tlvIndef(0x6c, tlvIndef(0xa1, int(1), int(56), tlvIndef(0x30, int(1))))),
  ];
  for (const f of [join(SHARED, 'tools/selftest/map-synthetic.pcap'), join(CAPTURES, 'public/arkime/m3ua_synthetic.pcap')]) {
    for (const m of captureTcap(f)) out.push(Buffer.from(m.buf.subarray(m.start, m.end)));
  }
  return out;
}

describe('decodeTcap fuzz', () => {
  it(`${N} random inputs`, () => {
    const rng = new Prng(0x7cab1);
    const tags = [0x61, 0x62, 0x64, 0x65, 0x67];
    for (let i = 0; i < N; i++) {
      const len = rng.int(96);
      const body = rng.bytes(len);
      // half of them start like a TCAP message so the decoder gets past the first check
      if (len > 2 && (i & 1) === 0) {
        body[0] = rng.pick(tags);
        body[1] = rng.int(4) === 0 ? 0x80 : len - 2;
      }
      const { buf, start, end } = embed(rng, body);
      const code = decodeTcap(buf, start, end, v);
      const bad = check(code, v, start, end);
      if (bad !== null) expect.fail(`${bad} for ${body.toString('hex')}`);
    }
  });

  it(`${N} mutated valid messages`, () => {
    const rng = new Prng(0x5eed2);
    const base = seeds();
    expect(base.length).toBeGreaterThan(30);
    let ok = 0;
    for (let i = 0; i < N; i++) {
      const msg = mutate(rng, rng.pick(base));
      const { buf, start, end } = embed(rng, msg);
      const code = decodeTcap(buf, start, end, v);
      if (code === 0) ok++;
      const bad = check(code, v, start, end);
      if (bad !== null) expect.fail(`${bad} for ${msg.toString('hex')}`);
    }
    expect(ok).toBeGreaterThan(0); // some mutations keep the message valid
    expect(ok).toBeLessThan(N);
  });
});
