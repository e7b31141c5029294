import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { IdentityProtector } from '../../src/correlate/identities';
import { Pipeline } from '../../src/dispatch/pipeline';
import type { DialogueRecord } from '../../src/correlate/record';
import { readPcapRecords } from '../helpers/pcapRecords';
import { mutate, Prng } from '../helpers/mutationFuzz';
import { CAPTURES } from '../helpers/oracle';

/**
 * Diameter through the whole pipeline under fuzz: genuine Diameter/TCP (freeDiameter) and
 * Diameter/SCTP (magma, open5gs) packets, mutated, replayed out of order and duplicated, plus
 * noise. Nothing may throw; TCP reassembly, framer and pending tables stay within their limits;
 * every Diameter record is well-formed.
 */
describe('Diameter pipeline fuzz', () => {
  const seeds = [
    join(CAPTURES, 'peers/diameter-freediameter-s6a.pcapng'),
    join(CAPTURES, 'public/magma/nsa_connection.pcap'),
    join(CAPTURES, 'public/nDPI/diameter.pcap'),
    join(CAPTURES, 'public/magma/gx_gy_combined_05_210505_133111-1.pcapng'),
    join(CAPTURES, 'public/arkime/diameter_synthetic.pcap'),
  ].flatMap((f) => readPcapRecords(f));

  it('survives 120000 mutated, reordered and duplicated packets with bounded state', () => {
    const rng = new Prng(0xd1f);
    const records: DialogueRecord[] = [];
    const maxPending = 300;
    const p = new Pipeline({ write: (r) => records.push(r) }, new IdentityProtector('raw', null), {
      site: 'fuzz',
      net: { tcp: { maxConnections: 16, maxBufferedBytesPerDirection: 8192, maxTotalBytes: 65536 } },
      diameter: { limits: { maxPending, idleTimeoutUs: 2_000_000 }, framer: { maxMessageBytes: 16384, maxPartialBytesTotal: 65536 } },
    });
    let ts = 1_700_000_000_000_000;
    let maxPendingSeen = 0;
    let maxHeld = 0;
    let maxPartial = 0;
    let maxConns = 0;
    let i = 0;
    for (; i < 120_000; i++) {
      ts += rng.int(5_000);
      const k = rng.int(10);
      let s = seeds[rng.int(seeds.length)];
      if (k < 3) s = seeds[(i * 7) % seeds.length]; // in order-ish: keeps streams and dialogues alive
      const data = k < 6 ? mutate(rng, s.data) : k < 9 ? s.data : rng.bytes(rng.int(200));
      const buf = Buffer.alloc(data.length + 8, 0xee);
      data.copy(buf, 3);
      p.onPacket(buf, 3, data.length, data.length, ts, s.linkType, i + 1);
      maxPendingSeen = Math.max(maxPendingSeen, p.diameter.transactions.pending);
      maxHeld = Math.max(maxHeld, p.tcp.counters.heldBytes);
      maxPartial = Math.max(maxPartial, p.diameter.framer.counters.partialBytes);
      maxConns = Math.max(maxConns, p.tcp.table.counters.active);
    }
    expect(maxHeld).toBeLessThanOrEqual(65536);
    expect(maxPartial).toBeLessThanOrEqual(65536);
    expect(maxConns).toBeLessThanOrEqual(32);
    p.finish('capture_end');
    expect(maxPendingSeen).toBeLessThanOrEqual(maxPending);
    expect(p.diameter.transactions.pending).toBe(0);
    expect(p.tcp.table.counters.active).toBe(0);
    expect(p.tcp.counters.heldBytes).toBe(0);
    expect(p.diameter.framer.counters.partialBytes).toBe(0);
    const dia = records.filter((r) => r.protocol === 'diameter');
    expect(dia.length).toBeGreaterThan(1000);
    for (const r of dia) {
      expect(['ok', 'error', 'timeout']).toContain(r.status);
      if (r.status === 'timeout') expect(r.rspFrame).toBeNull();
      if (r.orphan) expect(r.reqFrame).toBeNull();
      else expect(r.reqFrame).not.toBeNull();
      // (no sign check on latency: replaying the seeds over and over makes answers of one pass meet
      // requests of another, as a capture whose clock goes back would)
      if (r.latencyUs !== null) expect(r.rspFrame).not.toBeNull();
      expect(typeof r.opcode).toBe('number');
      expect(r.hopByHop).not.toBeNull();
    }
    const closed = p.diameter.transactions.closed;
    expect(Object.values(closed).reduce((a, b) => a + b, 0)).toBe(dia.length);
    const layers = new Set(p.counters.anomalyList().map((a) => a.layer));
    for (const l of ['tcp', 'diameter']) expect(layers.has(l), l).toBe(true);
  });
});
