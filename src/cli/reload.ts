import type { Config } from '../config/schema';
import type { Probe } from './probe';

/** Keys whose change needs a restart of the probe (capture handle, spool file, identity keys). */
const RESTART_KEYS: readonly (keyof Config)[] = ['site', 'capture', 'spool', 'privacy', 'metrics', 'debug', 'gtp', 'networks'];

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies a reloaded config (SIGHUP) to a running probe without touching the capture: the
 * dialogue limits (pending count, idle timeout) and the spool flush interval. Returns one line per
 * change applied, and one per change that needs a restart (not applied).
 */
export function applyReload(probe: Probe, next: Config, setFlushInterval: (ms: number) => void): string[] {
  const cur = probe.cfg;
  const out: string[] = [];
  const t = next.limits.tcap;
  if (!same(cur.limits.tcap, t)) {
    probe.pipeline.tcap.setLimits({ maxPending: t.maxPending, idleTimeoutUs: t.idleTimeoutSeconds * 1e6 });
    out.push(`applied limits.tcap: ${JSON.stringify(cur.limits.tcap)} -> ${JSON.stringify(t)}`);
    cur.limits.tcap = t;
  }
  if (cur.spool.flushIntervalMs !== next.spool.flushIntervalMs) {
    setFlushInterval(next.spool.flushIntervalMs);
    out.push(`applied spool.flushIntervalMs: ${cur.spool.flushIntervalMs} -> ${next.spool.flushIntervalMs}`);
    cur.spool.flushIntervalMs = next.spool.flushIntervalMs;
  }
  for (const k of RESTART_KEYS) {
    if (k === 'spool') {
      const { flushIntervalMs: _a, ...c } = cur.spool;
      const { flushIntervalMs: _b, ...n } = next.spool;
      if (!same(c, n)) out.push('not applied: spool (path, batchSize) changes need a restart');
    } else if (!same(cur[k], next[k])) {
      out.push(`not applied: ${k} changes need a restart`);
    }
  }
  const others = Object.keys(next.limits).filter((k) => k !== 'tcap') as (keyof Config['limits'])[];
  for (const k of others) if (!same(cur.limits[k], next.limits[k])) out.push(`not applied: limits.${k} changes need a restart`);
  return out;
}
