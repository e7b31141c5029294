/**
 * Active GTP tunnels survive a restart — and a crash — of the live probe: checkpointed
 * incrementally into the spool's gtp_active_tunnels table with every flush (only the changed
 * tunnels, in the records' transaction), kept at stop (instead of shutdown rows), restored at
 * start. Exercised through a real spool file, the probe's restore / keep helpers
 * (src/cli/probe.ts, used by `sigprobe run`) and the real osmo-ggsn capture cut around a restart.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSpool, SpoolWriter, type CheckpointDelta } from '../../src/spool/spool';
import { loadActiveTunnels } from '../../src/spool/activeTunnels';
import { keepGtpTunnels, restoreGtpTunnels } from '../../src/cli/probe';
import { IdentityProtector } from '../../src/correlate/identities';
import { Pipeline } from '../../src/dispatch/pipeline';
import { PcapReader } from '../../src/capture/pcapReader';
import { CAPTURES } from '../helpers/oracle';
import { readPcapRecords } from '../helpers/pcapRecords';
import { cutCapture } from '../helpers/liveProbe';
import { replayRecords } from '../helpers/replay';
import type { TunnelRecord } from '../../src/correlate/record';

const OSMO = join(CAPTURES, 'peers/gtpv1-osmo-ggsn.pcapng');

/**
 * A pipeline writing into the spool db (records and tunnels), pseudonymizing identities, with
 * the live probe's tunnel checkpoint (restoreGtpTunnels); `deltas` records what each flush took.
 */
function spoolProbe(path: string) {
  const db = openSpool(path);
  const writer = new SpoolWriter(db, { batchSize: 100 });
  const ids = new IdentityProtector('pseudonymize', Buffer.alloc(32, 7));
  const pipeline = new Pipeline(writer, ids, { site: 'lab1', tunnelSink: writer });
  const probe = { db, pipeline, writer };
  const restored = restoreGtpTunnels(probe);
  const deltas: CheckpointDelta[] = [];
  const take = writer.checkpointSource as () => CheckpointDelta | null;
  writer.checkpointSource = () => {
    const c = take();
    if (c !== null) deltas.push(c);
    return c;
  };
  return { probe, writer, restored, deltas };
}

const activeRows = (db: ReturnType<typeof openSpool>) => (db.prepare('SELECT count(*) n FROM gtp_active_tunnels').get() as { n: number }).n;

function feed(p: Pipeline, file: string, source: string): void {
  const r = PcapReader.open(file);
  p.setSource(source);
  while (r.read(p.onPacket.bind(p), 65536) > 0) {
    /* stream */
  }
  r.close();
}


describe('gtp_active_tunnels', () => {
  it('load keeps the rows (they are the checkpoint), keys = row ids; rows that are not JSON objects are deleted', () => {
    const db = openSpool(join(mkdtempSync(join(tmpdir(), 'sigprobe-at-')), 's.db'));
    db.prepare('INSERT INTO gtp_active_tunnels (id, state) VALUES (3, ?), (5, ?), (9, ?)').run('{"protocol":"gtpv1"}', 'not json', '[1]');
    expect(loadActiveTunnels(db)).toEqual({ states: [{ protocol: 'gtpv1', ckptKey: 3 }], skipped: 2, lastKey: 9 });
    expect(db.prepare('SELECT id, state FROM gtp_active_tunnels').all()).toEqual([{ id: 3, state: '{"protocol":"gtpv1"}' }]);
    expect(loadActiveTunnels(db)).toEqual({ states: [{ protocol: 'gtpv1', ckptKey: 3 }], skipped: 0, lastKey: 3 });
  });

  it('osmo-ggsn capture cut at a restart (before the deletes): the tunnels rows equal those of one uninterrupted replay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigprobe-restart-'));
    const path = join(dir, 'spool.db');
    const all = readPcapRecords(OSMO).length;
    const firstHalf = cutCapture(OSMO, 0, 704, 'a.pcap'); // up to the last Create / Echo; deletes start at frame 705
    const secondHalf = cutCapture(OSMO, 704, all, 'b.pcap');

    // Run 1: replays the first part, then stops like `sigprobe run` on SIGTERM.
    const one = spoolProbe(path);
    expect(one.restored).toBe(0);
    feed(one.probe.pipeline, firstHalf, 'eth1');
    expect(keepGtpTunnels(one.probe)).toBe(253); // A's 200 and B's 53 accepted contexts
    one.probe.pipeline.finish('shutdown');
    one.writer.flush();
    expect(one.probe.db.prepare("SELECT count(*) n FROM tunnels WHERE end_reason = 'shutdown'").get()).toEqual({ n: 0 });
    one.probe.db.close();

    // Run 2: a new process on the same spool.
    const two = spoolProbe(path);
    const saved = (two.probe.db.prepare('SELECT state FROM gtp_active_tunnels').all() as { state: string }[]).map((r) => r.state);
    expect(saved).toHaveLength(253);
    // Identities are saved protected, as in the record columns: no raw IMSI (sgsnemu's are 10101...) on disk.
    expect(saved.filter((x) => /"imsi":"1010/.test(x))).toEqual([]);
    expect(saved.every((x) => /"imsi":"[0-9a-f]{24}"/.test(x))).toBe(true);
    expect(two.restored).toBe(253);
    feed(two.probe.pipeline, secondHalf, 'eth1');
    two.probe.pipeline.finish('capture_end');
    two.writer.flush();
    // The Deletes ended them all (checkpoint rows deleted with the tunnel rows' transaction).
    expect(activeRows(two.probe.db)).toBe(0);
    const rows = two.probe.db
      .prepare('SELECT end_reason, create_cause, delete_cause, count(*) n, sum(duration_us > 0) positive FROM tunnels GROUP BY 1, 2, 3 ORDER BY 1, 2, 3')
      .all();
    expect(rows).toEqual([
      { end_reason: 'create_rejected', create_cause: 211, delete_cause: null, n: 97, positive: null },
      { end_reason: 'delete', create_cause: 128, delete_cause: null, n: 53, positive: 53 },
      { end_reason: 'delete', create_cause: 128, delete_cause: 128, n: 250, positive: 250 },
    ]);

    // The same as one replay of the whole capture (identities pseudonymized alike).
    const whole: TunnelRecord[] = [];
    replayRecords([OSMO], { tunnelSink: { writeTunnel: (t) => whole.push(t) } });
    const ids = new IdentityProtector('pseudonymize', Buffer.alloc(32, 7));
    const key = (t: { imsi: string | null; end_reason?: string; delete_cause?: number | null; create_time_us?: number; duration_us?: number | null }) =>
      `${t.imsi}/${t.end_reason}/${t.delete_cause}/${t.create_time_us}/${t.duration_us}`;
    const expected = whole.map((t) => key({ imsi: ids.protect('imsi', t.imsi), end_reason: t.endReason, delete_cause: t.deleteCause, create_time_us: t.createTimeUs, duration_us: t.durationUs })).sort();
    const got = (two.probe.db.prepare('SELECT imsi, end_reason, delete_cause, create_time_us, duration_us FROM tunnels').all() as Parameters<typeof key>[0][]).map(key).sort();
    expect(got).toEqual(expected);
    two.probe.db.close();
  });

  it('crash (no stop) after a flush: the checkpoint restores every tunnel; each flush writes only what changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigprobe-crash-'));
    const path = join(dir, 'spool.db');
    const all = readPcapRecords(OSMO).length;
    const a = cutCapture(OSMO, 0, 704, 'a.pcap');
    // The crash comes into the deletes, where no exchange is in flight (a request whose answer
    // comes after the crash is lost with the process: not tunnel state).
    const spans = replayRecords([OSMO]).records.filter((r) => r.reqFrame !== null && r.rspFrame !== null);
    let k = 720;
    while (spans.some((r) => (r.reqFrame as number) <= k && (r.rspFrame as number) > k)) k++;
    expect(k).toBeLessThan(all - 50);
    const b = cutCapture(OSMO, 704, 720, 'b.pcap'); // 16 frames of Delete requests and answers
    const b2 = cutCapture(OSMO, 720, k, 'b2.pcap');
    const c = cutCapture(OSMO, k, all, 'c.pcap');

    const one = spoolProbe(path);
    feed(one.probe.pipeline, a, 'eth1');
    one.writer.flush(); // the flush timer's flush
    // (SpoolWriter also flushes every 100 records: several deltas, 253 distinct tunnels in all.)
    expect(new Set(one.deltas.flatMap((d) => d.keys)).size).toBe(253);
    expect(one.deltas.flatMap((d) => d.deleted)).toEqual([]);
    expect(activeRows(one.probe.db)).toBe(253);
    const n0 = one.deltas.length;
    one.writer.flush(); // nothing changed: no checkpoint work at all
    expect(one.deltas).toHaveLength(n0);
    feed(one.probe.pipeline, b, 'eth1');
    one.writer.flush();
    // 16 frames: at most 16 tunnel changes, not the 253-row table again.
    const later = one.deltas.slice(n0);
    const d = { keys: later.flatMap((x) => x.keys), deleted: later.flatMap((x) => x.deleted) };
    expect(d.keys.length + d.deleted.length).toBeGreaterThan(0);
    expect(d.keys.length + d.deleted.length).toBeLessThanOrEqual(16);
    feed(one.probe.pipeline, b2, 'eth1');
    one.writer.flush();
    const ended = (one.probe.db.prepare('SELECT count(*) n FROM tunnels WHERE end_reason = ?').get('delete') as { n: number }).n;
    expect(ended).toBeGreaterThan(0);
    expect(one.deltas.slice(n0).flatMap((x) => x.deleted)).toHaveLength(ended); // each ended tunnel's checkpoint row went with its row
    expect(activeRows(one.probe.db)).toBe(253 - ended);
    // kill -9: no keepGtpTunnels, no finish, nothing more flushed.
    one.probe.db.close();

    const two = spoolProbe(path);
    expect(two.restored).toBe(253 - ended);
    feed(two.probe.pipeline, c, 'eth1');
    two.probe.pipeline.finish('capture_end');
    two.writer.flush();
    expect(activeRows(two.probe.db)).toBe(0);
    const whole: TunnelRecord[] = [];
    replayRecords([OSMO], { tunnelSink: { writeTunnel: (t) => whole.push(t) } });
    const ids = new IdentityProtector('pseudonymize', Buffer.alloc(32, 7));
    const key = (t: { imsi: string | null; end_reason: string; delete_cause: number | null; create_time_us: number; duration_us: number | null }) =>
      `${t.imsi}/${t.end_reason}/${t.delete_cause}/${t.create_time_us}/${t.duration_us}`;
    const expected = whole.map((t) => key({ imsi: ids.protect('imsi', t.imsi), end_reason: t.endReason, delete_cause: t.deleteCause, create_time_us: t.createTimeUs, duration_us: t.durationUs })).sort();
    const got = (two.probe.db.prepare('SELECT imsi, end_reason, delete_cause, create_time_us, duration_us FROM tunnels').all() as Parameters<typeof key>[0][]).map(key).sort();
    expect(got).toEqual(expected);
    // The Deletes after the crash still carry the tunnels' IMSI, as in one replay.
    const { records } = replayRecords([OSMO]);
    const dels = records.filter((r) => r.procedure === 'DeletePDPContext');
    expect(dels.length).toBeGreaterThan(250);
    expect(two.probe.db.prepare("SELECT count(*) n, count(imsi) withImsi FROM dialogues WHERE procedure = 'DeletePDPContext'").get()).toEqual({
      n: dels.length,
      withImsi: dels.filter((r) => r.imsi !== null).length,
    });
    two.probe.db.close();
  });
});
