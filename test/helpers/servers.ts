/**
 * Private Redis and PostgreSQL servers for tests (implementation in src/bench/servers.ts, shared
 * with `npm run bench`): temp dirs, free loopback ports; servers already running on the machine are
 * never used nor disturbed. scripts/test installs redis-server and postgresql when missing.
 */
import { spawnSync } from 'node:child_process';
import { pgBinDir } from '../../src/bench/servers';

export { freePort, PgServer, RedisServer } from '../../src/bench/servers';

/** Why the servers cannot run here (null: they can). */
export function serversMissing(): string | null {
  if (spawnSync('redis-server', ['--version']).status !== 0) return 'redis-server not installed (apt-get install redis-server)';
  try {
    pgBinDir();
  } catch (e) {
    return (e as Error).message;
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root without a postgres user';
  return null;
}
