/**
 * The live probe's active GTP tunnels, checkpointed in the spool's `gtp_active_tunnels` table
 * (migration 2: id, state TEXT — one JSON TunnelState per row) so that neither a restart nor a
 * crash (kill -9, power loss) closes them or forgets them: their Delete, after the restart, still
 * finds them and the Delete's dialogue still gets the tunnel's IMSI.
 *
 * Incremental: TunnelCheckpoint is the tunnel table's change hook (gtpTunnels.ts); every batch
 * the probe hands to the spool carries the delta since the previous one — the tunnels that
 * opened or changed (upserted by their stable key, the row id) and those that ended (deleted) —
 * written in the same transaction as the records (spool.ts writeBatch), so the table on disk
 * always matches the tunnel rows committed with it and a crash loses at most the last flush
 * interval of tunnel state, like the records. The cost per flush is the changed tunnels, never
 * the whole table. Identities in the states are already protected like record columns.
 */
import type { Database } from 'better-sqlite3';
import { tunnelState, type Tunnel, type TunnelChangeHook, type TunnelState } from '../correlate/gtpTunnels';
import type { CheckpointDelta } from './spool';

/** Collects the active-tunnel changes between two spool batches. */
export class TunnelCheckpoint implements TunnelChangeHook {
  private dirty = new Set<Tunnel>();
  private deleted: number[] = [];
  private nextKey: number;
  /** Tunnel states upserted and rows deleted in all (deltas taken). */
  upserts = 0;
  deletes = 0;

  /** `lastKey`: the highest row id already in gtp_active_tunnels (keys continue after it). */
  constructor(lastKey: number) {
    this.nextKey = lastKey + 1;
  }

  changed(t: Tunnel): void {
    this.dirty.add(t);
  }

  ended(t: Tunnel): void {
    this.dirty.delete(t);
    if (t.ckptKey !== 0) {
      this.deleted.push(t.ckptKey);
      t.ckptKey = 0;
    }
  }

  /** Changes not yet taken. */
  get pending(): number {
    return this.dirty.size + this.deleted.length;
  }

  /** The delta since the previous take() (null when nothing changed); keys are assigned here. */
  take(): CheckpointDelta | null {
    if (this.dirty.size === 0 && this.deleted.length === 0) return null;
    const keys: number[] = [];
    const states: string[] = [];
    for (const t of this.dirty) {
      if (t.ckptKey === 0) t.ckptKey = this.nextKey++;
      keys.push(t.ckptKey);
      states.push(JSON.stringify(tunnelState(t)));
    }
    this.dirty.clear();
    const deleted = this.deleted;
    this.deleted = [];
    this.upserts += keys.length;
    this.deletes += deleted.length;
    return { keys, states, deleted };
  }
}

/**
 * Reads the checkpointed set (rows stay: they are the checkpoint, kept up to date from now on).
 * Each state gets its row id as `ckptKey`. Rows that are not valid JSON objects are deleted and
 * counted in `skipped`; `lastKey` is the highest row id.
 */
export function loadActiveTunnels(db: Database): { states: TunnelState[]; skipped: number; lastKey: number } {
  const states: TunnelState[] = [];
  const bad: number[] = [];
  let lastKey = 0;
  for (const r of db.prepare('SELECT id, state FROM gtp_active_tunnels ORDER BY id').all() as { id: number; state: string }[]) {
    if (r.id > lastKey) lastKey = r.id;
    try {
      const s = JSON.parse(r.state) as unknown;
      if (s !== null && typeof s === 'object' && !Array.isArray(s)) states.push({ ...(s as TunnelState), ckptKey: r.id });
      else bad.push(r.id);
    } catch {
      bad.push(r.id);
    }
  }
  if (bad.length > 0) {
    const del = db.prepare('DELETE FROM gtp_active_tunnels WHERE id = ?');
    try {
      db.transaction(() => {
        for (const id of bad) del.run(id);
      })();
    } catch {
      // A spool that cannot be written now (disk full): the rows are skipped again next time.
    }
  }
  return { states, skipped: bad.length, lastKey };
}
