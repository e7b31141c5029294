/**
 * Fuzz: decodeGtpv2 over 100k random and 100k mutated inputs (seeded, deterministic). Checks: no
 * exception, a valid anomaly code, every recorded offset inside [start, end].
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGtpv2 } from '../../../src/protocols/gtpv2c/decode';
import { createGtpv2View } from '../../../src/protocols/gtpv2c/types';
import { GTPV2_ANOMALY_NAMES } from '../../../src/protocols/gtpv2c/constants';
import { embed, mutate, Prng } from '../../helpers/mutationFuzz';
import { CAPTURES } from '../../helpers/oracle';
import { captureUdp } from '../../helpers/udpLocate';
import { gtpv2, v2ie } from '../../helpers/gtpBuild';
import { offsetsInside } from './check';

const N = 100_000;
const v = createGtpv2View();

function seeds(): Buffer[] {
  const out: Buffer[] = [
    gtpv2(32, 0, 1, [v2ie.imsi('001010123456789'), v2ie.msisdn('33612345678'), v2ie.mei('3548750312345601'), v2ie.uli('001', '01'),
      v2ie.servingNetwork('001', '01'), v2ie.rat(6), v2ie.fteid(10, 1, '10.0.0.1'), v2ie.fteid(7, 0, '2001:db8::2', 1), v2ie.apn('internet'),
      v2ie.pdnType(3), v2ie.bearerContext([v2ie.ebi(5), v2ie.fteid(1, 9, '10.0.0.9'), v2ie.chargingId(4)])]),
    Buffer.concat([gtpv2(33, 1, 2, [v2ie.cause(16)], { piggyback: true }), gtpv2(95, 1, 3, [v2ie.ebi(5)])]),
  ];
  const seen = new Set<number>();
  for (const f of ['public/nDPI/gtp_c.pcap', 'public/open5gs/testattach.pcapng', 'public/magma/nsa_connection.pcap']) {
    for (const m of captureUdp(join(CAPTURES, f))) {
      if (m.sport !== 2123 && m.dport !== 2123) continue;
      const type = m.buf[m.start + 1];
      if (seen.has(type)) continue;
      seen.add(type);
      out.push(Buffer.from(m.buf.subarray(m.start, m.end)));
    }
    seen.clear();
  }
  return out;
}

describe('GTPv2-C decoder fuzz', () => {
  const corpus = seeds();
  it('has seeds from the captures', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10);
  });
  it(`${N} random and ${N} mutated inputs: no exception, valid code, offsets inside [start, end]`, () => {
    const rng = new Prng(0x67747032);
    let headerOk = 0;
    for (let i = 0; i < 2 * N; i++) {
      let msg: Buffer;
      if (i < N) {
        msg = rng.bytes(rng.int(80));
        if (msg.length > 0) msg[0] = (msg[0] & 0x1f) | 0x40; // version 2, so the IE walk is reached
      } else {
        msg = mutate(rng, rng.pick(corpus));
      }
      const { buf, start, end } = embed(rng, msg);
      const code = decodeGtpv2(buf, start, end, v);
      if (!(Number.isInteger(code) && code >= 0 && code < GTPV2_ANOMALY_NAMES.length)) throw new Error(`bad code ${code} at ${i}`);
      if (!offsetsInside(v, start, end)) throw new Error(`offset outside the input at ${i}: ${msg.toString('hex')}`);
      if (v.headerOk) headerOk++;
    }
    expect(headerOk).toBeGreaterThan(N / 2);
  });
});
