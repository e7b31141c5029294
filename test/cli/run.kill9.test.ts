/**
 * GTP state across kill -9 of `sigprobe run`: the active tunnel table is checkpointed with every
 * spool flush (src/spool/activeTunnels.ts), so a daemon killed without warning and restarted
 * loses at most one flush interval of tunnel state. Here: a generated IPX capture (MAP, Diameter,
 * GTPv1/v2 with its tunnel truth) is replayed onto a veth in two parts; after the first part (and
 * more than one flush interval) the daemon is killed with SIGKILL, restarted on the same spool,
 * fed the second part and stopped. Every tunnel of the truth must then be in the spool as in one
 * uninterrupted run — deleted ones as rows, the rest in gtp_active_tunnels — and every GTP
 * dialogue must carry its tunnel's IMSI as in one replay of the file. The only exceptions are the
 * tunnels of the (at most 2) GTP exchanges in flight at the kill: a request whose answer comes
 * after the kill dies with the process (transaction state, not tunnel state).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cutCapture, liveSkipReason, MAIN, startDaemon, tcpreplay, vethPair, waitPackets } from '../helpers/liveProbe';

const skip = liveSkipReason();
if (skip) console.log(`kill -9 test skipped: ${skip}`);
/** The daemon under test (SIGPROBE_TEST_MAIN: another build, to measure the loss without the checkpoint). */
const DAEMON_MAIN = process.env.SIGPROBE_TEST_MAIN ?? MAIN;

interface TruthDialogue {
  protocol: string;
  procedure: string;
  req_frame: number;
  rsp_frame: number | null;
}
interface TruthTunnel {
  imsi: string;
  create_frame?: number;
  end_frame?: number | null;
  create_cause: number | null;
  delete_cause: number | null;
  end_reason: string;
}

const jsonl = <T>(f: string): T[] => readFileSync(f, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
const sorted = (xs: string[]) => [...xs].sort();

describe.skipIf(skip !== null)('sigprobe run: GTP tunnels across kill -9', () => {
  it('kill -9 between two parts of the traffic loses no tunnel and no IMSI once a flush has passed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-kill9-'));
    const cap = join(dir, 'x.pcap');
    const g = spawnSync(process.execPath, [MAIN, 'gen', '--out', cap, '--dialogues', '30000', '--seed', '7', '--scenario', 'ipx'], { encoding: 'utf8' });
    expect(g.status, g.stderr).toBe(0);
    const packets = Number(/(\d+) packets/.exec(g.stdout)?.[1]);
    const truth = jsonl<TruthTunnel>(join(dir, 'x.tunnels.jsonl'));
    // The kill comes after frame k, near the middle, where the fewest answered GTP exchanges are
    // in flight (request up to k, answer after) and each of them is a Create or a Delete of a
    // truth tunnel: those tunnels (by IMSI) are left out of the comparison.
    const spans = jsonl<TruthDialogue>(join(dir, 'x.truth.jsonl')).filter((d) => d.protocol.startsWith('gtp') && d.rsp_frame !== null);
    const inFlight = (k: number) => spans.filter((d) => d.req_frame <= k && (d.rsp_frame as number) > k);
    const tunnelsOf = (x: TruthDialogue[]) => truth.filter((t) => x.some((d) => t.create_frame === d.req_frame || t.end_frame === d.rsp_frame));
    const mid = Math.floor(packets / 2);
    let k = 0;
    for (let best = Infinity, c = mid - 3000; c <= mid + 3000; c++) {
      const f = inFlight(c);
      if (f.length < best && tunnelsOf(f).length >= f.filter((d) => d.procedure !== 'Echo').length) {
        best = f.length;
        k = c;
      }
    }
    expect(k).toBeGreaterThan(0);
    const flying = inFlight(k);
    expect(flying.length).toBeLessThanOrEqual(3);
    const excluded = new Set(tunnelsOf(flying).map((t) => t.imsi));
    const partA = cutCapture(cap, 0, k, 'a.pcap');
    const partB = cutCapture(cap, k, packets, 'b.pcap');
    // One uninterrupted replay of the file: the reference for the dialogues' IMSIs.
    const ref = join(dir, 'ref.db');
    const rr = spawnSync(process.execPath, [MAIN, 'replay', cap, '--spool', ref, '--identities', 'raw'], { encoding: 'utf8' });
    expect(rr.status, rr.stderr).toBe(0);

    const v = vethPair(`k9${process.pid % 1000}`);
    try {
      const spool = join(dir, 'spool.db');
      const cfg = join(dir, 'live.yaml');
      writeFileSync(cfg, `site: lab\nspool:\n  path: ${spool}\n  flushIntervalMs: 200\nprivacy:\n  identities: raw\ncapture:\n  interface: ${v.b}\n  bufferMiB: 64\nmetrics:\n  listen: 127.0.0.1:0\n`);

      const one = await startDaemon(cfg, DAEMON_MAIN);
      tcpreplay(v.a, partA, 20_000);
      expect(await waitPackets(one, k)).toBe(k);
      await new Promise((r) => setTimeout(r, 1000)); // > one flush interval (200 ms)
      one.child.kill('SIGKILL');
      expect((await one.exited).signal).toBe('SIGKILL');
      const atKill = new Database(spool, { readonly: true });
      const activeAtKill = (atKill.prepare('SELECT count(*) n FROM gtp_active_tunnels').get() as { n: number }).n;
      const lastIdRunOne = (atKill.prepare('SELECT coalesce(max(id), 0) m FROM dialogues').get() as { m: number }).m;
      atKill.close();

      const two = await startDaemon(cfg, DAEMON_MAIN);
      const restored = Number(/(\d+) GTP tunnels restored/.exec(two.out())?.[1] ?? 0);
      tcpreplay(v.a, partB, 20_000);
      expect(await waitPackets(two, packets - k)).toBe(packets - k);
      await new Promise((r) => setTimeout(r, 500));
      two.child.kill('SIGTERM');
      expect((await two.exited).code, two.err()).toBe(0);

      const db = new Database(spool, { readonly: true });
      // Tunnels: deleted and rejected ones are rows, the ones still open are kept active (saved).
      const rows = db.prepare('SELECT imsi, create_cause, delete_cause, end_reason FROM tunnels').all() as TruthTunnel[];
      const kept = (db.prepare('SELECT state FROM gtp_active_tunnels').all() as { state: string }[]).map((r) => JSON.parse(r.state) as { imsi: string; createCause: number });
      const key = (t: TruthTunnel) => `${t.imsi}/${t.create_cause}/${t.delete_cause}/${t.end_reason}`;
      const all = [...rows.map(key), ...kept.map((s) => key({ imsi: s.imsi, create_cause: s.createCause, delete_cause: null, end_reason: 'capture_end' }))];
      const got = sorted(all.filter((x) => !excluded.has(x.split('/')[0])));
      const want = sorted(truth.filter((t) => !excluded.has(t.imsi)).map(key));
      // Truth tunnels Deleted after the kill that were created before it, and their rows here.
      const acrossKill = truth.filter((t) => t.end_reason === 'delete' && (t.create_frame as number) <= k && (t.end_frame as number) > k && !excluded.has(t.imsi));
      const deletedRows = new Set(rows.filter((t) => t.end_reason === 'delete').map((t) => t.imsi));
      const acrossKillRows = acrossKill.filter((t) => deletedRows.has(t.imsi)).length;
      // GTP dialogues and their IMSI (a Delete / Update carries its tunnel's), by frame of the
      // whole capture (the restarted daemon numbers from 1 again), against one replay of the file.
      const gtpSql =
        "SELECT id, procedure, req_frame, imsi FROM dialogues WHERE protocol IN ('gtpv1', 'gtpv2') AND orphan = 0 AND status != 'timeout' AND end_reason NOT IN ('shutdown', 'capture_end')";
      type Row = { id: number; procedure: string; req_frame: number; imsi: string | null };
      const live = new Map((db.prepare(gtpSql).all() as Row[]).map((r) => [`${r.req_frame + (r.id > lastIdRunOne ? k : 0)}/${r.procedure}`, r.imsi]));
      db.close();
      const rdb = new Database(ref, { readonly: true });
      const replayed = rdb.prepare(gtpSql).all() as Row[];
      rdb.close();
      const flyingFrames = new Set(flying.map((d) => d.req_frame));
      const compared = replayed.filter((r) => !flyingFrames.has(r.req_frame) && !(r.imsi !== null && excluded.has(r.imsi)));
      const imsiLost = compared.filter((r) => r.imsi !== null && live.get(`${r.req_frame}/${r.procedure}`) === null).length;
      const differ = compared.filter((r) => live.get(`${r.req_frame}/${r.procedure}`) !== r.imsi);
      console.log(
        `kill -9 after frame ${k} of ${packets} (${flying.length} GTP exchanges in flight, ${excluded.size} IMSIs left out); ${activeAtKill} tunnels checkpointed at the kill, ${restored} restored; ` +
          `${acrossKillRows} of ${acrossKill.length} tunnels deleted after the kill became delete rows; ${imsiLost} of ${compared.length} GTP dialogues lost their IMSI`,
      );
      expect(restored).toBe(activeAtKill);
      expect(acrossKill.length).toBeGreaterThan(100);
      expect(acrossKillRows).toBe(acrossKill.length);
      expect(got).toEqual(want);
      expect(differ.slice(0, 5)).toEqual([]);
    } finally {
      v.del();
    }
  }, 120_000);
});
