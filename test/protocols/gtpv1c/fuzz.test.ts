/**
 * Fuzz: decodeGtpv1 over 100k random and 100k mutated inputs (seeded, deterministic). Checks: no
 * exception, a valid anomaly code, every recorded offset inside [start, end].
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGtpv1 } from '../../../src/protocols/gtpv1c/decode';
import { createGtpv1View } from '../../../src/protocols/gtpv1c/types';
import { GTPV1_ANOMALY_NAMES } from '../../../src/protocols/gtpv1c/constants';
import { embed, mutate, Prng } from '../../helpers/mutationFuzz';
import { CAPTURES } from '../../helpers/oracle';
import { captureUdp } from '../../helpers/udpLocate';
import { gtpv1, v1ie } from '../../helpers/gtpBuild';
import { offsetsInside } from './check';

const N = 100_000;
const v = createGtpv1View();

function seeds(): Buffer[] {
  const out: Buffer[] = [
    gtpv1(16, 0, 1, [v1ie.imsi('001010123456789'), v1ie.rai('001', '01'), v1ie.teidData(5), v1ie.teidControl(6), v1ie.nsapi(5),
      v1ie.apn('internet.mnc001.mcc001.gprs'), v1ie.gsn('10.0.0.1'), v1ie.gsn('2001:db8::1'), v1ie.msisdn('33612345678'),
      v1ie.rat(1), v1ie.uliCgi('001', '01'), v1ie.imeisv('3548750312345601')]),
    gtpv1(1, 0, 7, [v1ie.recovery(1)], { flags: 0x07, npdu: 3, ext: [{ type: 0xc0, content: Buffer.from([1, 2]) }] }),
  ];
  const seen = new Set<number>();
  for (const f of ['peers/gtpv1-osmo-ggsn.pcapng', 'public/zeek/gtp_create_pdp_ctx.pcap', 'public/zeek/gtp10_not_0xff.pcap']) {
    for (const m of captureUdp(join(CAPTURES, f))) {
      const type = m.buf[m.start + 1];
      if (seen.has(type)) continue; // one message of each type per file is variety enough
      seen.add(type);
      out.push(Buffer.from(m.buf.subarray(m.start, m.end)));
    }
    seen.clear();
  }
  return out;
}

describe('GTPv1 decoder fuzz', () => {
  const corpus = seeds();
  it('has seeds from the captures', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(8);
  });
  it(`${N} random and ${N} mutated inputs: no exception, valid code, offsets inside [start, end]`, () => {
    const rng = new Prng(0x67747031);
    let headerOk = 0;
    for (let i = 0; i < 2 * N; i++) {
      let msg: Buffer;
      if (i < N) {
        msg = rng.bytes(rng.int(64));
        msg[0] = (msg[0] & 0x0f) | 0x30; // mostly version 1 / PT 1, so the IE walk is reached
      } else {
        msg = mutate(rng, rng.pick(corpus));
      }
      const { buf, start, end } = embed(rng, msg);
      const code = decodeGtpv1(buf, start, end, v);
      if (!(Number.isInteger(code) && code >= 0 && code < GTPV1_ANOMALY_NAMES.length)) throw new Error(`bad code ${code} at ${i}`);
      if (!offsetsInside(v, start, end)) throw new Error(`offset outside the input at ${i}: ${msg.toString('hex')}`);
      if (v.headerOk) headerOk++;
    }
    expect(headerOk).toBeGreaterThan(N / 2);
  });
});
