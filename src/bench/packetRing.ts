/**
 * Packet ring cost (README "Packet ring"): `node dist/bench/packetRing.js [packets]` writes N
 * packets of 250 octets through src/capture/packetRing.ts (64 MiB files, 1 GiB bound) and prints
 * packets/s of write() (the per-packet cost on the capture callback) and the time of 100 index
 * look-ups (trace --pcap of live records). Not a test; run on a quiet machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { PacketRing, ringDirOf, ringPackets } from '../capture/packetRing';

export function benchPacketRing(n = 1_000_000): { packets: number; writePps: number; mbPerS: number; lookupMs: number; load: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sigprobe-ring-bench-'));
  try {
    const t0us = Date.now() * 1000;
    const ring = new PacketRing({ dir, site: 'bench', source: 'eth0', maxBytes: 1024 ** 3, maxAgeSeconds: 3600, fileBytes: 64 * 1024 ** 2, timer: false, now: () => t0us / 1000 });
    const pkt = Buffer.alloc(250, 7);
    const t = process.hrtime.bigint();
    for (let f = 1; f <= n; f++) ring.write(pkt, 0, 250, 250, t0us + f * 10, 1, f);
    ring.flush();
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    ring.close();
    const rd = ringDirOf(dir, 'bench', 'eth0');
    const want = Array.from({ length: 100 }, (_, i) => {
      const f = 1 + Math.floor(((i * 7919) % 100) * (n / 100));
      return { frame: f, tsUs: t0us + f * 10 };
    });
    const l0 = process.hrtime.bigint();
    const got = ringPackets(rd, want);
    const lookupMs = Number(process.hrtime.bigint() - l0) / 1e6;
    if (got.packets.length !== 100) throw new Error(`ring bench: ${got.missing.length} frames not found`);
    return { packets: n, writePps: Math.round(n / s), mbPerS: Math.round((n * 250) / s / 1e6), lookupMs: Math.round(lookupMs), load: loadavg().map((x) => x.toFixed(2)).join(' ') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 1_000_000);
  process.stdout.write(JSON.stringify(benchPacketRing(n)) + '\n');
}
