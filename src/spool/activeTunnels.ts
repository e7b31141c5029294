/**
 * GTP tunnels still active when the live probe stops, kept in the spool's `gtp_active_tunnels`
 * table (migration 2: id, state TEXT — one JSON TunnelState per row) and taken back at the next
 * start, so that a restart neither closes them (no `shutdown` rows) nor forgets them (their
 * Delete still finds them). Identities in the states are already protected like record columns.
 */
import type { Database } from 'better-sqlite3';
import type { TunnelState } from '../correlate/gtpTunnels';

/** Replaces the saved set with `states` (one transaction); returns how many were saved. */
export function saveActiveTunnels(db: Database, states: readonly TunnelState[]): number {
  const ins = db.prepare('INSERT INTO gtp_active_tunnels (state) VALUES (?)');
  db.transaction(() => {
    db.prepare('DELETE FROM gtp_active_tunnels').run();
    for (const s of states) ins.run(JSON.stringify(s));
  })();
  return states.length;
}

/**
 * Takes the saved set out of the spool (read and delete in one transaction: after a crash
 * following the load, the tunnels are not restored twice). Rows that are not valid JSON objects
 * are skipped and counted in `skipped`.
 */
export function loadActiveTunnels(db: Database): { states: TunnelState[]; skipped: number } {
  const states: TunnelState[] = [];
  let skipped = 0;
  db.transaction(() => {
    for (const r of db.prepare('SELECT state FROM gtp_active_tunnels ORDER BY id').all() as { state: string }[]) {
      try {
        const s = JSON.parse(r.state) as unknown;
        if (s !== null && typeof s === 'object' && !Array.isArray(s)) states.push(s as TunnelState);
        else skipped++;
      } catch {
        skipped++;
      }
    }
    db.prepare('DELETE FROM gtp_active_tunnels').run();
  })();
  return { states, skipped };
}
