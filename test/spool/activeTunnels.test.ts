/**
 * Active GTP tunnels survive a restart of the live probe: saved to the spool's
 * gtp_active_tunnels table at stop (instead of shutdown rows), taken back at start. Exercised
 * through a real spool file, the probe's save / restore helpers (src/cli/probe.ts, used by
 * `sigprobe run`) and the real osmo-ggsn capture cut in two around a restart.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSpool, SpoolWriter } from '../../src/spool/spool';
import { loadActiveTunnels, saveActiveTunnels } from '../../src/spool/activeTunnels';
import { restoreGtpTunnels, saveGtpTunnels, type Probe } from '../../src/cli/probe';
import { IdentityProtector } from '../../src/correlate/identities';
import { Pipeline } from '../../src/dispatch/pipeline';
import { LINKTYPE_ETHERNET, PcapWriter } from '../../src/capture/pcapWriter';
import { PcapReader } from '../../src/capture/pcapReader';
import { CAPTURES } from '../helpers/oracle';
import { readPcapRecords } from '../helpers/pcapRecords';
import { replayRecords } from '../helpers/replay';
import type { TunnelRecord } from '../../src/correlate/record';

const OSMO = join(CAPTURES, 'peers/gtpv1-osmo-ggsn.pcapng');

/** A pipeline writing into the spool db (records and tunnels), pseudonymizing identities. */
function spoolProbe(path: string): { probe: Probe; writer: SpoolWriter } {
  const db = openSpool(path);
  const writer = new SpoolWriter(db, { batchSize: 100 });
  const ids = new IdentityProtector('pseudonymize', Buffer.alloc(32, 7));
  const pipeline = new Pipeline(writer, ids, { site: 'lab1', tunnelSink: writer });
  // Only what saveGtpTunnels / restoreGtpTunnels use of a Probe.
  return { probe: { db, pipeline } as unknown as Probe, writer };
}

function feed(p: Pipeline, file: string, source: string): void {
  const r = PcapReader.open(file);
  p.setSource(source);
  while (r.read(p.onPacket.bind(p), 65536) > 0) {
    /* stream */
  }
  r.close();
}

/** Frames [from, to) (0-based) of a capture, written to a new pcap with the reader's µs times. */
function cut(file: string, from: number, to: number, name: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'sigprobe-cut-')), name);
  const w = PcapWriter.create(out, { linkType: LINKTYPE_ETHERNET });
  const r = PcapReader.open(file);
  let i = 0;
  const each = (buf: Buffer, start: number, capLen: number, _orig: number, tsUs: number): void => {
    if (i >= from && i < to) w.write(tsUs, buf, start, start + capLen);
    i++;
  };
  while (r.read(each, 65536) > 0) {
    /* stream */
  }
  r.close();
  w.close();
  return out;
}

describe('gtp_active_tunnels', () => {
  it('save replaces the saved set; load takes it out (read + delete), skipping rows that are not JSON objects', () => {
    const db = openSpool(join(mkdtempSync(join(tmpdir(), 'sigprobe-at-')), 's.db'));
    const a = { protocol: 'gtpv1' } as never;
    expect(saveActiveTunnels(db, [a, a])).toBe(2);
    expect(saveActiveTunnels(db, [a])).toBe(1);
    db.prepare('INSERT INTO gtp_active_tunnels (state) VALUES (?), (?)').run('not json', '[1]');
    expect(loadActiveTunnels(db)).toEqual({ states: [{ protocol: 'gtpv1' }], skipped: 2 });
    expect(db.prepare('SELECT count(*) n FROM gtp_active_tunnels').get()).toEqual({ n: 0 });
    expect(loadActiveTunnels(db)).toEqual({ states: [], skipped: 0 });
  });

  it('osmo-ggsn capture cut at a restart (before the deletes): the tunnels rows equal those of one uninterrupted replay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigprobe-restart-'));
    const path = join(dir, 'spool.db');
    const all = readPcapRecords(OSMO).length;
    const firstHalf = cut(OSMO, 0, 704, 'a.pcap'); // up to the last Create / Echo; deletes start at frame 705
    const secondHalf = cut(OSMO, 704, all, 'b.pcap');

    // Run 1: replays the first part, then stops like `sigprobe run` on SIGTERM.
    const one = spoolProbe(path);
    feed(one.probe.pipeline, firstHalf, 'eth1');
    expect(saveGtpTunnels(one.probe)).toBe(253); // A's 200 and B's 53 accepted contexts
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
    expect(restoreGtpTunnels(two.probe)).toBe(253);
    expect(two.probe.db.prepare('SELECT count(*) n FROM gtp_active_tunnels').get()).toEqual({ n: 0 });
    feed(two.probe.pipeline, secondHalf, 'eth1');
    two.probe.pipeline.finish('capture_end');
    two.writer.flush();
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
});
