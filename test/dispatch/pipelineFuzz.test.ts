import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { IdentityProtector } from '../../src/correlate/identities';
import { Pipeline } from '../../src/dispatch/pipeline';
import type { DialogueRecord } from '../../src/correlate/record';
import { readPcapRecords } from '../helpers/pcapRecords';
import { mutate, Prng } from '../helpers/mutationFuzz';
import { CAPTURES, SHARED } from '../helpers/oracle';

/**
 * Whole-pipeline fuzz: real signaling packets (MAP/CAP over M3UA/M2UA, SCTP bundling and
 * fragments, Diameter, GTP) mutated at random, plus pure noise, through link → IP → SCTP →
 * M3UA → SCCP → TCAP → correlation. Nothing may throw; state stays within its limits; every
 * record is well-formed.
 */
describe('pipeline fuzz', () => {
  const seeds = [
    join(SHARED, 'tools/selftest/map-synthetic.pcap'),
    join(CAPTURES, 'public/arkime/m3ua_synthetic.pcap'),
    join(CAPTURES, 'public/zeek/sctp.pcap'),
    join(CAPTURES, 'public/arkime/sctp-www.pcap'),
    join(CAPTURES, 'public/tcpdump/sctp-i-data.pcap'),
    join(CAPTURES, 'public/magma/gx_gy_combined_06_210505_133132-1.pcapng'),
  ].flatMap((f) => readPcapRecords(f));

  // `npm run fuzz` runs this with SIGPROBE_FUZZ_PACKETS=5000000 (and a seed from SIGPROBE_FUZZ_SEED).
  const N = Number(process.env.SIGPROBE_FUZZ_PACKETS ?? 150_000);
  const SEED = Number(process.env.SIGPROBE_FUZZ_SEED ?? 0x5151);
  it(`survives ${N} mutated and random packets with bounded state`, () => {
    const rng = new Prng(SEED);
    const records: DialogueRecord[] = [];
    const maxPending = 2000;
    const p = new Pipeline({ write: (r) => records.push(r) }, new IdentityProtector('raw', null), {
      site: 'fuzz',
      tcap: { maxPending, idleTimeoutUs: 5_000_000 },
      net: { sctp: { maxAssociations: 512, maxTotalPendingBytes: 4 << 20 }, ip: { maxDatagrams: 256, maxTotalBytes: 4 << 20 } },
    });
    const linkTypes = [1, 113, 276, 101, 228, 229, 0, 108, 147];
    let ts = 1_700_000_000_000_000;
    let maxSeen = 0;
    for (let i = 0; i < N; i++) {
      ts += rng.int(20_000);
      let data: Buffer;
      let lt: number;
      const k = rng.int(10);
      if (k < 7) {
        const s = rng.pick(seeds);
        data = mutate(rng, s.data);
        lt = s.linkType;
      } else if (k < 9) {
        const s = rng.pick(seeds);
        data = s.data; // unmodified: keeps dialogues and associations alive next to the noise
        lt = s.linkType;
      } else {
        data = rng.bytes(rng.int(300));
        lt = rng.pick(linkTypes);
      }
      // Random offset inside a larger buffer: decoders must honour start/end, not buf.length.
      const pad = rng.int(8);
      const buf = Buffer.alloc(data.length + pad + 16, 0xee);
      data.copy(buf, pad);
      p.onPacket(buf, pad, data.length, data.length, ts, lt, i + 1);
      if (p.tcap.pending > maxSeen) maxSeen = p.tcap.pending;
    }
    p.finish('capture_end');
    expect(maxSeen).toBeLessThanOrEqual(maxPending);
    expect(p.tcap.pending).toBe(0);
    expect(p.sctp.reassembler.counters).toBeDefined();
    expect(p.stats.packets).toBe(N);
    expect(records.length).toBeGreaterThan(1000);
    for (const r of records) {
      expect(['map', 'cap', 'tcap', 'diameter', 'gtpv1', 'gtpv2']).toContain(r.protocol);
      expect(['ok', 'error', 'reject', 'abort', 'timeout']).toContain(r.status);
      if (r.status === 'timeout') expect(r.rspFrame).toBeNull();
      if (r.latencyUs !== null) expect(r.rspFrame).not.toBeNull();
      expect(r.messages).toBeGreaterThanOrEqual(0);
    }
    // Anomalies were seen and named at several layers.
    const layers = new Set(p.counters.anomalyList().map((a) => a.layer));
    for (const l of ['link', 'ipv4', 'sctp', 'm3ua', 'sccp', 'tcap']) expect(layers.has(l), l).toBe(true);
    expect(p.counters.anomalyList().every((a) => !a.reason.startsWith('code_'))).toBe(true);
  });
});
