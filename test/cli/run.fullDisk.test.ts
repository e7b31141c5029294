/**
 * SIGTERM while the spool's disk is full (a real 2 MiB tmpfs): `sigprobe run` keeps retrying for
 * the drain period (STOP_DRAIN_MS, 20 s), then says in one line how many records and active GTP
 * tunnel states could not be written, logs the same counts (pino, event spool_records_lost) and
 * puts them in the session's `runs` row, and exits 1 — no stack trace, and every record is
 * accounted for: written + reported lost = what one replay of the same traffic records.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { liveSkipReason, MAIN, startDaemon, tcpreplay, until, vethPair, waitPackets } from '../helpers/liveProbe';

const skip = liveSkipReason();
if (skip) console.log(`full-disk live test skipped: ${skip}`);

describe.skipIf(skip !== null)('sigprobe run: SIGTERM with the spool disk full', () => {
  it('retries for the drain period, then reports the unwritten records and tunnels (stderr, log, runs row) and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-run-full-'));
    const cap = join(dir, 'x.pcap');
    const g = spawnSync(process.execPath, [MAIN, 'gen', '--out', cap, '--dialogues', '10000', '--seed', '3', '--scenario', 'ipx'], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const packets = Number(/(\d+) packets/.exec(g.stdout)?.[1]);
    const ref = join(dir, 'ref.db');
    const rr = spawnSync(process.execPath, [MAIN, 'replay', cap, '--spool', ref, '--identities', 'raw'], { encoding: 'utf8' });
    expect(rr.status, rr.stderr).toBe(0);
    const rdb = new Database(ref, { readonly: true });
    const refDialogues = (rdb.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n;
    const refTunnelRows = (rdb.prepare("SELECT count(*) n FROM tunnels WHERE end_reason != 'capture_end'").get() as { n: number }).n;
    rdb.close();

    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]).status).toBe(0);
    const v = vethPair(`fd${process.pid % 1000}`);
    try {
      const spool = join(mnt, 'spool.db');
      const cfg = join(dir, 'live.yaml');
      writeFileSync(cfg, `site: lab\nspool:\n  path: ${spool}\n  flushIntervalMs: 200\nprivacy:\n  identities: raw\ncapture:\n  interface: ${v.b}\n  bufferMiB: 64\nmetrics:\n  listen: 127.0.0.1:0\n`);
      const d = await startDaemon(cfg);
      tcpreplay(v.a, cap, 20_000);
      expect(await waitPackets(d, packets)).toBe(packets);
      // The disk filled up: the spool worker holds the batches and retries.
      expect(await until(async () => (await d.metric(/^sigprobe_spool\{[^}]*kind="failing"/)) === 1, 10_000)).toBe(true);
      const t0 = Date.now();
      d.child.kill('SIGTERM');
      const { code } = await d.exited;
      const stopSeconds = (Date.now() - t0) / 1000;
      const err = d.err();
      expect(code, err).toBe(1);
      expect(stopSeconds).toBeGreaterThanOrEqual(19);
      expect(stopSeconds).toBeLessThan(30);
      expect(err).not.toMatch(/^\s+at /m); // no stack trace
      expect(err).not.toMatch(/internal error|Uncaught|SqliteError/);
      const m = /^sigprobe: SIGTERM: spool write failed: database or disk is full; after 20 s of retries (\d+) records \((\d+) dialogues, (\d+) tunnels\) and (\d+) active GTP tunnel states could not be written to \S+spool\.db$/m.exec(err);
      expect(m, err).not.toBeNull();
      const [records, dialogues, tunnelRows, states] = (m as RegExpExecArray).slice(1).map(Number);
      expect(records).toBe(dialogues + tunnelRows);
      expect(dialogues).toBeGreaterThan(0);
      const logs = err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs.find((l) => l.event === 'spool_records_lost')).toMatchObject({ level: 'error', records, dialogues, tunnelRows, tunnelStates: states });
      expect(logs.find((l) => l.event === 'capture_stopped')).toMatchObject({ recordsLost: records, tunnelStatesLost: states });

      const db = new Database(spool);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const inSpool = (db.prepare('SELECT count(*) n FROM dialogues').get() as { n: number }).n;
      const tunnelsInSpool = (db.prepare('SELECT count(*) n FROM tunnels').get() as { n: number }).n;
      const run = db.prepare("SELECT finished_at, summary FROM runs WHERE mode = 'live'").all() as { finished_at: string | null; summary: string | null }[];
      db.close();
      // Nothing dropped without a word: what is in the spool plus what was reported lost is
      // what one replay of the same traffic records.
      expect(inSpool + dialogues).toBe(refDialogues);
      expect(tunnelsInSpool + tunnelRows).toBe(refTunnelRows);
      console.log(`full disk at SIGTERM: ${inSpool} dialogues and ${tunnelsInSpool} tunnel rows in the spool; lost ${records} records (${dialogues} dialogues, ${tunnelRows} tunnels), ${states} tunnel states; stop took ${stopSeconds.toFixed(1)} s`);
      expect(run).toHaveLength(1);
      expect(run[0].finished_at).not.toBeNull();
      expect(JSON.parse(run[0].summary as string)).toMatchObject({ signal: 'SIGTERM', spoolUnwritten: { records, dialogues, tunnelRows, tunnelStates: states } });
    } finally {
      v.del();
      spawnSync('umount', ['-l', mnt]);
    }
  }, 120_000);
});
