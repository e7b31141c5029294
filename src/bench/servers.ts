// Private Redis and PostgreSQL servers for the tests and the bench: each in its own temporary
// directory, on a free loopback port, so nothing ever touches (or depends on) servers already
// running on the machine. PostgreSQL refuses to run as root: as root, initdb / pg_ctl run as the
// `postgres` user (runuser) in a directory chowned to it.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bound then released: good enough for private test servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once a TCP connect to 127.0.0.1:port succeeds (or rejects after `ms`). */
async function waitForPort(port: number, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const c = createConnection({ host: '127.0.0.1', port });
      c.once('connect', () => {
        c.destroy();
        res(true);
      });
      c.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() - t0 > ms) throw new Error(`${what} did not listen on port ${port} within ${ms} ms`);
    await sleep(50);
  }
}

// Servers still running when the process exits are stopped (a test that throws mid-way).
const atExit = new Set<() => void>();
let exitHooked = false;
function onExit(fn: () => void): void {
  atExit.add(fn);
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const f of atExit) {
      try {
        f();
      } catch {
        /* best effort */
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Redis

export interface RedisServerOptions {
  password?: string;
  /** TLS only (the plain port is off): PEM files of the server certificate, its key and the CA */
  tls?: { certFile: string; keyFile: string; caFile: string };
  /** extra `--key value` arguments */
  args?: string[];
}

/** redis-server in a temp dir: AOF on (appendfsync everysec), no RDB snapshots, noeviction; TLS optional. */
export class RedisServer {
  readonly dir: string;
  private child: ChildProcess | null = null;
  private constructor(readonly port: number, private readonly opts: RedisServerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'sigprobe-redis-'));
    onExit(() => this.child?.kill('SIGKILL'));
  }

  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const r = new RedisServer(await freePort(), opts);
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** pid of the running server (null when stopped) */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** (Re)starts the server on the same port and directory: the AOF brings the data back. */
  async start(): Promise<void> {
    if (this.child) return;
    const args = [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
      '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--logfile', join(this.dir, 'redis.log'),
    ];
    if (this.opts.password) args.push('--requirepass', this.opts.password);
    const t = this.opts.tls;
    if (t) {
      args.push('--port', '0', '--tls-port', String(this.port), '--tls-cert-file', t.certFile, '--tls-key-file', t.keyFile);
      args.push('--tls-ca-cert-file', t.caFile, '--tls-auth-clients', 'no');
    }
    if (this.opts.args) args.push(...this.opts.args);
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    await waitForPort(this.port, 10_000, 'redis-server');
  }

  /** Stops the server: SIGTERM (Redis flushes the AOF and exits), SIGKILL with `kill: true`. */
  async stop(kill = false): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(kill ? 'SIGKILL' : 'SIGTERM');
    await exited;
    this.child = null;
  }

  async destroy(): Promise<void> {
    await this.stop(true);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** initdb / pg_ctl: on PATH, else the newest /usr/lib/postgresql/<ver>/bin (Debian). */
export function pgBinDir(): string {
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return join(which.stdout.trim(), '..');
  const base = '/usr/lib/postgresql';
  const vers = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))) : [];
  if (vers.length === 0) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  vers.sort((a, b) => Number(b) - Number(a));
  return join(base, vers[0], 'bin');
}

export interface PgServerOptions {
  /** extra `-c name=value` server settings */
  settings?: Record<string, string | number>;
  /** directory of initdb / pg_ctl / postgres (default pgBinDir()) */
  bin?: string;
}

/** A private PostgreSQL cluster (initdb + pg_ctl) in a temp dir, trust auth on 127.0.0.1 only. */
export class PgServer {
  readonly dir: string;
  readonly data: string;
  readonly bin: string;
  private readonly asUser: string | null;
  private up = false;

  private constructor(readonly port: number, private readonly opts: PgServerOptions) {
    this.bin = opts.bin ?? pgBinDir();
    this.asUser = process.getuid?.() === 0 ? 'postgres' : null;
    this.dir = mkdtempSync(join(tmpdir(), 'sigprobe-pg-'));
    this.data = join(this.dir, 'data');
    if (this.asUser) {
      const uid = Number(execFileSync('id', ['-u', this.asUser], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', this.asUser], { encoding: 'utf8' }).trim());
      chownSync(this.dir, uid, gid);
    }
    onExit(() => {
      if (this.up) this.ctl(['stop', '-m', 'immediate', '-w']);
    });
  }

  static async start(opts: PgServerOptions = {}): Promise<PgServer> {
    const s = new PgServer(await freePort(), opts);
    s.run('initdb', ['-D', s.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    mkdirSync(join(s.dir, 'sock'), { recursive: true });
    if (s.asUser) execFileSync('chown', [s.asUser, join(s.dir, 'sock')]);
    await s.start();
    return s;
  }

  /** pid of the postmaster (null when stopped) */
  get pid(): number | null {
    if (!this.up) return null;
    try {
      return Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return null;
    }
  }

  /** postgres://postgres@127.0.0.1:port/postgres */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private run(tool: string, args: string[]): string {
    const exe = join(this.bin, tool);
    const [cmd, argv] = this.asUser ? ['runuser', ['-u', this.asUser, '--', exe, ...args]] : [exe, args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: this.dir });
    if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  private ctl(args: string[]): string {
    return this.run('pg_ctl', ['-D', this.data, ...args]);
  }

  async start(): Promise<void> {
    if (this.up) return;
    const settings: Record<string, string | number> = {
      port: this.port,
      listen_addresses: '127.0.0.1',
      unix_socket_directories: join(this.dir, 'sock'),
      max_connections: 50,
      ...this.opts.settings,
    };
    const o = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
    this.ctl(['-l', join(this.dir, 'server.log'), '-o', o, '-w', '-t', '60', 'start']);
    this.up = true;
    await waitForPort(this.port, 10_000, 'postgres');
  }

  /** pg_ctl stop: `fast` rolls back open transactions and disconnects; `immediate` is a crash. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.up) return;
    this.ctl(['stop', '-m', mode, '-w', '-t', '60']);
    this.up = false;
  }

  async restart(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop('immediate');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// CPU time of processes (Linux /proc), for the bench's per-component cost

const CLK_TCK = 100;

/** user + system CPU seconds of a live process, with its reaped children's if `reaped` (0 if it is gone). */
export function cpuSecondsOf(pid: number, reaped = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14-17 of /proc/pid/stat (utime, stime, cutime, cstime); f[0] is field 3
    return (Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) / CLK_TCK;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a process, its live children and the children it has reaped, by process title
 * (PostgreSQL: "checkpointer", "autovacuum launcher"..., a backend's "postgres: postgres postgres
 * 127.0.0.1(...) idle" folded to "backend"; the postmaster with its reaped children — exited
 * backends, autovacuum workers — as "main + exited children"). Their sum is the tree's.
 */
export function cpuSecondsByProcess(pid: number): Record<string, number> {
  const out: Record<string, number> = { 'main + exited children': cpuSecondsOf(pid, true) };
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const title = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      const name = /^postgres: [^ ]+ [^ ]+ [\d.:]+\(\d+\)/.test(title) ? 'backend' : title.replace(/^postgres: /, '');
      out[name] = (out[name] ?? 0) + cpuSecondsOf(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}
