/**
 * The packet ring in a real live capture: `sigprobe run` on one end of a veth pair with
 * capture.packetRing on (dir omitted: packet-ring next to the spool), a generated IPX capture
 * (MAP, Diameter, GTP) sent with tcpreplay on the other end; then `sigprobe trace --imsi X
 * --pcap` on the live spool writes exactly the request / answer packets of the subscriber's
 * dialogues from the ring (tshark reads them; replayed again they give the same dialogues); once
 * the ring's files are gone, each dialogue says its packets aged out. Needs root, iproute2,
 * tcpreplay (skipped otherwise).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generate } from '../../src/gen';
import { liveSkipReason, MAIN, startDaemon, tcpreplay, until, vethPair } from '../helpers/liveProbe';
import { replayRecords } from '../helpers/replay';

const skip = liveSkipReason();
if (skip) console.log(`packet ring live test skipped: ${skip}`);

describe.skipIf(skip !== null)('packet ring: live capture on a veth pair → trace --pcap', () => {
  it('trace --pcap of a live spool writes the dialogues\' packets from the ring; aged out: said per dialogue', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-ring-live-'));
    const cap = join(d, 'ipx.pcap');
    const g = generate({ out: cap, seed: 9, dialogues: 300, scenario: 'ipx' });
    const truth = spawnSync('wc', ['-l', g.truthPath], { encoding: 'utf8' });
    expect(truth.status).toBe(0);
    const v = vethPair(`spr${process.pid % 1000}`);
    try {
      const cfg = join(d, 'live.yaml');
      writeFileSync(
        cfg,
        `site: lab1\nspool:\n  path: spool.db\n  flushIntervalMs: 200\ncapture:\n  interface: ${v.b}\n  bufferMiB: 8\n  packetRing:\n    maxBytes: 10000000\n    fileBytes: 65536\n    maxAgeSeconds: 3600\nmetrics:\n  listen: 127.0.0.1:0\n`,
      );
      const daemon = await startDaemon(cfg);
      tcpreplay(v.a, cap, 1500);
      const rows = () => {
        try {
          const db = new Database(join(d, 'spool.db'), { readonly: true, fileMustExist: true });
          const n = (db.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n;
          db.close();
          return n;
        } catch {
          return 0;
        }
      };
      await until(() => rows() >= 250, 20_000, 200);
      daemon.child.kill('SIGTERM');
      expect((await daemon.exited).code, daemon.err()).toBe(0);
      const ringDir = join(d, 'packet-ring', 'lab1', v.b);
      expect(existsSync(ringDir)).toBe(true);
      expect(readdirSync(ringDir).filter((n) => n.endsWith('.pcapng')).length).toBeGreaterThan(1);
      // the subscriber with the most dialogues (raw IMSIs from the generator's truth)
      const db = new Database(join(d, 'spool.db'), { readonly: true });
      const live = db.prepare("SELECT source, site, count(*) n FROM dialogues GROUP BY source, site").all() as { source: string; site: string; n: number }[];
      db.close();
      expect(live).toEqual([{ source: v.b, site: 'lab1', n: rows() }]);
      const lines = spawnSync('cat', [g.truthPath], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => JSON.parse(l) as { imsi: string | null });
      const count = new Map<string, number>();
      for (const l of lines) if (l.imsi) count.set(l.imsi, (count.get(l.imsi) ?? 0) + 1);
      const imsi = [...count.entries()].sort((a, b) => b[1] - a[1])[0][0];
      const out = join(d, 'trace.pcapng');
      const json = join(d, 'trace.json');
      const t = spawnSync(process.execPath, [MAIN, 'trace', '--imsi', imsi, '--spool', join(d, 'spool.db'), '--format', 'json', '--out', json, '--pcap', out], { encoding: 'utf8', timeout: 60_000 });
      expect(t.status, t.stderr).toBe(0);
      const recs = JSON.parse(spawnSync('cat', [json], { encoding: 'utf8' }).stdout) as { protocol: string; procedure: string; status: string; req_frame: number | null; rsp_frame: number | null; messages: number }[];
      expect(recs.length).toBeGreaterThan(1);
      expect(t.stderr).not.toMatch(/warning/);
      const frames = new Set<number>();
      for (const r of recs) for (const f of [r.req_frame, r.rsp_frame]) if (typeof f === 'number') frames.add(f);
      expect(t.stderr).toContain(`${frames.size} packets → ${out}`);
      const ts = spawnSync('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
      expect(ts.status, ts.stderr).toBe(0);
      expect(ts.stdout.trim().split('\n')).toHaveLength(frames.size);
      // replayed again: the same dialogues (those whose messages are all request + answer)
      const again = replayRecords([out]).records.map((r) => `${r.protocol}|${r.procedure}|${r.status}`).sort();
      const two = recs.filter((r) => r.messages <= 2 && r.req_frame !== null && r.rsp_frame !== null).map((r) => `${r.protocol}|${r.procedure}|${r.status}`);
      for (const k of two) expect(again, k).toContain(k);
      // the ring's files gone (age / size bound): each dialogue says so
      for (const n of readdirSync(ringDir)) rmSync(join(ringDir, n));
      const t2 = spawnSync(process.execPath, [MAIN, 'trace', '--imsi', imsi, '--spool', join(d, 'spool.db'), '--pcap', join(d, 'gone.pcapng')], { encoding: 'utf8', timeout: 60_000 });
      expect(t2.status, t2.stderr).toBe(0);
      const warns = t2.stderr.split('\n').filter((l) => /aged out of the packet ring/.test(l));
      expect(warns).toHaveLength(recs.length);
      expect(t2.stderr).toContain('0 packets →');
      expect(t2.stderr).not.toContain(imsi);
    } finally {
      v.del();
    }
  }, 90_000);
});
