/**
 * The chaos run (`npm run chaos`; a short variant runs in `npm test`): a generated IPX capture
 * with its truth (`sigprobe gen --scenario ipx`), cut by time into one stretch per fault and
 * tcpreplayed stretch after stretch onto a veth pair into `sigprobe run`, shipped (`sigprobe
 * ship`) and collected (`sigprobe collect`) into a private Redis and PostgreSQL, while one fault
 * is injected in each stretch: kill -9 of the probe (restarted), of the shipper, of the collector;
 * Redis restarted; PostgreSQL restarted (`pg_ctl -m fast`, `-m immediate`); the spool's disk full
 * for 20 s (the spool is on a small tmpfs, filled by a ballast file, then freed); SIGHUP with an
 * invalid config. The daemons are supervised like systemd's Restart=on-failure: an exit nobody
 * asked for is counted and the daemon restarted. At the end the central store is compared with
 * the truth (compare.ts) and one table printed: per fault, dialogues lost, duplicated, and the
 * loss window. Only the veth pair and loopback carry traffic; everything it set up (veth, tmpfs,
 * servers, processes) is undone even when it fails, and every wait is bounded.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { PcapReader } from '../../src/capture/pcapReader';
import { PcapWriter } from '../../src/capture/pcapWriter';
import { PgServer, RedisServer } from '../helpers/servers';
import {
  centralDialogues, centralTunnels, compare, emptyCounts, referenceMismatches, spoolDialogues, spoolTunnels,
  type Part, type Slice, type SliceCounts,
} from './compare';
import { cleanup, MAIN, onCleanup, run, sleep, Supervised, tmpfs, vethPair, waitFor, type UnexpectedExit } from './procs';

export const ALL_FAULTS = [
  'none',
  'probe-kill9',
  'shipper-kill9',
  'collector-kill9',
  'redis-restart',
  'pg-restart-fast',
  'pg-restart-immediate',
  'spool-disk-full',
  'sighup-bad-config',
] as const;
export type Fault = (typeof ALL_FAULTS)[number];

export const FAULT_LABEL: Record<Fault, string> = {
  none: 'none (baseline)',
  'probe-kill9': 'kill -9 probe, restart',
  'shipper-kill9': 'kill -9 shipper, restart',
  'collector-kill9': 'kill -9 collector, restart',
  'redis-restart': 'Redis restart (down 5 s)',
  'pg-restart-fast': 'PostgreSQL restart -m fast (down 3 s)',
  'pg-restart-immediate': 'PostgreSQL restart -m immediate (down 3 s)',
  'spool-disk-full': 'spool disk full',
  'sighup-bad-config': 'SIGHUP with a bad config',
};

export interface ChaosOptions {
  faults: readonly Fault[];
  /** capture seconds per fault (the disk-full slice is at least diskFullSeconds + 10) */
  segmentSeconds: number;
  /** dialogues per second of capture */
  rate: number;
  seed?: number;
  diskFullSeconds?: number;
  flushIntervalMs?: number;
  tmpfsMiB?: number;
  /** progress lines */
  log?: (s: string) => void;
}

export interface SliceResult extends SliceCounts {
  fault: Fault;
  label: string;
  /** capture seconds of the slice, from the capture start */
  fromS: number;
  toS: number;
  exits: UnexpectedExit[];
  notes: string[];
}

export interface ChaosResult {
  date: string;
  commit: string;
  dir: string;
  options: ChaosOptions;
  packets: number;
  truthLines: number;
  reference: { truth: number; ref: number; mismatched: number };
  spoolRows: number;
  /** spool file and WAL sizes at the end (the WAL is checkpointed only past 16384 pages) */
  spoolBytes: { db: number; wal: number };
  centralRows: number;
  drained: boolean;
  kernelDropped: number;
  probeStopCode: number | null;
  slices: SliceResult[];
  totals: SliceCounts;
  wallSeconds: number;
  /** seconds per phase (servers, gen, reference replay, set-up, faults, drain, compare) */
  phases: Record<string, number>;
}

const PROBE = 'chaos1';
const QUEUE = 'chaos';
const SCHEMA = 'chaos';
const PASSWORD = 'chaos-redis-secret';

interface PartFile extends Part {
  file: string;
  packets: number;
}

/** Cuts `pcap` at the given capture instants (µs, ascending): one file per stretch. */
function splitCapture(pcap: string, cutsUs: readonly number[], outDir: string): PartFile[] {
  const r = PcapReader.open(pcap);
  const parts: PartFile[] = [];
  let w: PcapWriter | null = null;
  let cur = -1;
  let first = 0;
  const open = (i: number, tsUs: number) => {
    w?.close();
    const file = join(outDir, `part-${String(i).padStart(2, '0')}.pcap`);
    w = PcapWriter.create(file, { linkType: r.linkTypes[0] });
    parts.push({ file, packets: 0, capFromUs: i === 0 ? tsUs : cutsUs[i - 1], capToUs: i < cutsUs.length ? cutsUs[i] : Number.MAX_SAFE_INTEGER, wallStartUs: 0 });
    cur = i;
  };
  for (;;) {
    const n = r.read((buf, start, capLen, _orig, tsUs) => {
      if (first === 0) first = tsUs;
      let i = cur < 0 ? 0 : cur;
      while (i < cutsUs.length && tsUs >= cutsUs[i]) i++;
      while (cur < i) open(cur + 1, tsUs);
      w!.write(tsUs, buf, start, start + capLen);
      parts[parts.length - 1].packets++;
    }, 65536);
    if (n === 0) break;
  }
  r.close();
  (w as PcapWriter | null)?.close();
  return parts;
}

function firstPacketUs(pcap: string): number {
  const r = PcapReader.open(pcap);
  let t = 0;
  r.read((_b, _s, _c, _o, tsUs) => (t = tsUs), 1);
  r.close();
  return t;
}

/** Writes a ballast file until the file system is full; returns its size in bytes. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  let bytes = 0;
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const b = Buffer.alloc(size, 0xa5);
      for (;;) {
        try {
          bytes += writeSync(fd, b);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/**
 * Waits (at most `ms`) until a collector backend is inside a transaction — a batch being stored
 * (COPY, progress update, COMMIT) — so that a fault strikes "while batches are being stored";
 * returns whether one was caught. Polls pg_stat_activity on a connection of its own.
 */
async function whenBatchInProgress(url: string, ms: number): Promise<boolean> {
  const c = new Client({ connectionString: url });
  c.on('error', () => {});
  try {
    await c.connect();
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      const r = await c.query(
        "SELECT 1 FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction') AND query NOT ILIKE '%pg_stat_activity%' LIMIT 1",
      );
      if (r.rows.length > 0) return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function probeConfig(o: { spool: string; keyFile: string; iface: string; flushMs: number; redisPort: number; pwFile: string }): string {
  return `# chaos run: the probe and its shipper (one site file, as deployed)
site: ${PROBE}
spool:
  path: ${o.spool}
  flushIntervalMs: ${o.flushMs}
privacy:
  identities: pseudonymize
  keyFile: ${o.keyFile}
capture:
  interface: ${o.iface}
  bufferMiB: 64
metrics:
  listen: 127.0.0.1:0
limits:
  # tcpreplay keeps the capture's pace only roughly on a loaded machine: a GTP answer 19 s after
  # its request (T3-RESPONSE x N3-REQUESTS retransmissions) must not fall on either side of the
  # 20 s default depending on the pace, so the reference and the live probe both wait 60 s
  gtp: { timeoutSeconds: 60 }
ship:
  redis: { port: ${o.redisPort}, passwordFile: ${o.pwFile}, connectTimeoutMs: 2000 }
  queue: ${QUEUE}
  retry: { baseMs: 200, maxMs: 2000 }
  retention: { maxAgeHours: 1000000 }
  statsIntervalSeconds: 1
`;
}

function collectorConfig(o: { redisPort: number; pwFile: string; pgUrl: string }): string {
  return `# chaos run: the central site
collector:
  redis: { port: ${o.redisPort}, passwordFile: ${o.pwFile}, connectTimeoutMs: 2000 }
  queue: ${QUEUE}
  postgres: { url: "${o.pgUrl}", schema: ${SCHEMA} }
  concurrency: 2
  lockDurationMs: 5000
  stalledIntervalMs: 2000
  retry: { baseMs: 200, maxMs: 2000 }
  statsIntervalSeconds: 1
`;
}

function commitOf(): string {
  const r = spawnSync('git', ['-C', join(__dirname, '../..'), 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const d = spawnSync('git', ['-C', join(__dirname, '../..'), 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
  return `${r.stdout.trim() || '?'}${d.stdout.trim() ? ' + uncommitted changes' : ''}`;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  const flushMs = o.flushIntervalMs ?? 1000;
  const diskFullS = o.diskFullSeconds ?? 20;
  const dir = mkdtempSync(join(tmpdir(), 'sp-chaos-'));
  const spoolDir = join(dir, 'spool');
  mkdirSync(spoolDir);
  const exits: UnexpectedExit[] = [];
  const phases: Record<string, number> = {};
  let phaseT = Date.now();
  const phase = (name: string) => {
    phases[name] = (Date.now() - phaseT) / 1000;
    phaseT = Date.now();
    log(`${name}: ${phases[name].toFixed(1)} s`);
  };
  const daemons: Supervised[] = [];
  let redis: RedisServer | null = null;
  let pgs: PgServer | null = null;
  let pool: Pool | null = null;
  try {
    // ---- servers, capture, reference (in parallel) -------------------------------------------
    const lens = o.faults.map((f) => (f === 'spool-disk-full' ? Math.max(o.segmentSeconds, diskFullS + 10) : o.segmentSeconds));
    const span = lens.reduce((a, b) => a + b, 0);
    const pcap = join(dir, 'ipx.pcap');
    const gen = run(process.execPath, [MAIN, 'gen', '--scenario', 'ipx', '--out', pcap, '--dialogues', String(Math.round(o.rate * span)), '--seed', String(o.seed ?? 17), '--span-seconds', String(span)], 300_000);
    const pwFile = join(dir, 'redis.pw');
    writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
    // the site's pseudonymization key, provisioned before anything uses it (probe and reference share it)
    const keyFile = join(dir, 'pseudonym.key');
    writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    [redis, pgs] = await Promise.all([RedisServer.start({ password: PASSWORD }), PgServer.start()]);
    pool = new Pool({ connectionString: pgs.url, max: 2 });
    pool.on('error', () => {});
    phase('servers');
    const g = await gen;
    if (g.status !== 0) throw new Error(`chaos: sigprobe gen failed (${g.status}): ${g.stderr}`);
    log(g.stdout.trim());
    phase('gen');
    const truth = join(dir, 'ipx.truth.jsonl');
    const vA = `chx${process.pid % 100000}a`;
    const vB = `chx${process.pid % 100000}b`;
    const spool = join(spoolDir, 'spool.db');
    const probeCfgText = probeConfig({ spool, keyFile, iface: vB, flushMs, redisPort: redis.port, pwFile });
    const probeCfg = join(dir, `${PROBE}.yaml`);
    writeFileSync(probeCfg, probeCfgText);
    const collCfg = join(dir, 'central.yaml');
    writeFileSync(collCfg, collectorConfig({ redisPort: redis.port, pwFile, pgUrl: pgs.url }));
    // the reference: the same file replayed offline with the same key (pseudonyms are equal),
    // while the live side is set up
    const refSpool = join(dir, 'reference.db');
    const refRun = run(process.execPath, [MAIN, 'replay', pcap, '--spool', refSpool, '--config', probeCfg], 300_000);

    // ---- the slices and the stretches to replay ---------------------------------------------
    const T0 = firstPacketUs(pcap);
    const slices: Slice[] = [];
    const cuts: number[] = [];
    let at = T0;
    o.faults.forEach((f, i) => {
      const from = at;
      const to = i === o.faults.length - 1 ? Number.MAX_SAFE_INTEGER : at + lens[i] * 1e6;
      const s: Slice = { fault: f, capFromUs: from, capToUs: to, atWallUs: null };
      if (f === 'probe-kill9') {
        s.cutCapUs = from + (lens[i] * 1e6) / 2;
        cuts.push(s.cutCapUs);
      }
      if (i > 0) cuts.push(from);
      slices.push(s);
      at += lens[i] * 1e6;
    });
    // the capture runs on past the last slice's span (late answers, deletes, the generator's
    // Diameter/MAP tails): that tail is its own part, replayed without the long pauses
    cuts.push(T0 + span * 1e6);
    cuts.sort((a, b) => a - b);
    const parts = splitCapture(pcap, cuts, dir);
    const packets = parts.reduce((a, p) => a + p.packets, 0);

    // ---- host set-up and daemons -------------------------------------------------------------
    vethPair(vA, vB);
    tmpfs(spoolDir, o.tmpfsMiB ?? 512);
    const probe = new Supervised('run', probeCfg, exits, t0);
    const ship = new Supervised('ship', probeCfg, exits, t0);
    const coll = new Supervised('collect', collCfg, exits, t0);
    daemons.push(probe, ship, coll);
    onCleanup(() => daemons.forEach((d) => d.destroy()));
    let probeOutFrom = 0;
    let metricsUrl = '';
    let sentSinceProbeStart = 0;
    let kernelDropped = 0;
    const startProbe = async () => {
      probeOutFrom = probe.stdout.length;
      sentSinceProbeStart = 0;
      lastPackets = 0;
      lastDropped = 0;
      probe.start();
      await waitFor('the probe to capture', () => probe.stdout.slice(probeOutFrom).some((l) => /capturing on/.test(l)) && probe.stdout.slice(probeOutFrom).some((l) => /metrics on/.test(l)), 30_000);
      metricsUrl = /metrics on (http:\S+)/.exec(probe.stdout.slice(probeOutFrom).find((l) => /metrics on/.test(l))!)![1];
    };
    const metric = async (re: RegExp): Promise<number | null> => {
      try {
        const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) })).text();
        const m = re.exec(text);
        return m ? Number(m[1]) : null;
      } catch {
        return null;
      }
    };
    const packetsSeen = () => metric(/^sigprobe_packets_total\{[^}]*\} (\d+)/m);
    const droppedNow = () => metric(/^sigprobe_kernel_packets\{[^}]*kind="dropped"[^}]*\} (\d+)/m);
    // the running probe's counters, scraped every 0.5 s (a probe killed -9 says nothing more)
    let lastPackets = 0;
    let lastDropped = 0;
    const scrape = setInterval(() => {
      const url = metricsUrl;
      void Promise.all([packetsSeen(), droppedNow()]).then(([p, d]) => {
        if (url !== metricsUrl) return;
        if (p !== null) lastPackets = p;
        if (d !== null) lastDropped = d;
      });
    }, 500);
    onCleanup(() => clearInterval(scrape));
    const restartsWall: number[] = [];
    coll.start();
    ship.start();
    await startProbe();
    await waitFor('the collector to start', () => coll.events('start').length > 0, 30_000);
    await waitFor('the shipper to start', () => ship.events('start').length > 0, 30_000);
    const rr = await refRun;
    if (rr.status !== 0) throw new Error(`chaos: reference replay failed (${rr.status}): ${rr.stderr}`);
    const reference = referenceMismatches(truth, refSpool);
    log(`reference: ${reference.ref} rows for ${reference.truth} truth lines, ${reference.mismatched} mismatched`);
    phase('split, veth, tmpfs, daemons, reference replay');

    // ---- the faults, one per slice ---------------------------------------------------------
    let partIx = 0;
    const replayPart = async (): Promise<void> => {
      const p = parts[partIx++];
      if (!p || p.packets === 0) return;
      p.wallStartUs = Date.now() * 1000;
      const durS = (p.capToUs === Number.MAX_SAFE_INTEGER ? 600 : (p.capToUs - p.capFromUs) / 1e6) + 60;
      // nanosleep timing (the default busy loop falls behind on a loaded machine); the tail: ≤ 50 ms gaps
      const tail = partIx === parts.length;
      const r = await run('tcpreplay', ['-q', '--timer=nano', '-i', vA, ...(tail ? ['--maxsleep=50'] : []), p.file], durS * 1000);
      if (r.status !== 0) throw new Error(`chaos: tcpreplay ${p.file}: ${r.stderr}`);
      sentSinceProbeStart += p.packets;
    };
    const sliceWall: number[] = [];
    const notes: string[][] = slices.map(() => []);
    for (let i = 0; i < slices.length; i++) {
      const f = slices[i].fault as Fault;
      const s = slices[i];
      sliceWall.push(Date.now() - t0);
      log(`slice ${i + 1}/${slices.length}: ${FAULT_LABEL[f]} (${lens[i]} s of capture)`);
      const faultAfterMs = (f === 'spool-disk-full' ? 3 : lens[i] * 0.3) * 1000;
      const markFault = () => (s.atWallUs = Date.now() * 1000);
      if (f === 'probe-kill9') {
        // kill -9 the moment the first half has been sent: the probe is still working through
        // the last packets, with up to one flush interval of records not yet written
        await replayPart();
        kernelDropped += lastDropped;
        notes[i].push(`at its last scrape (≤ 0.5 s before the kill) the probe had counted ${lastPackets} of the ${sentSinceProbeStart} packets sent to it`);
        const killed = Date.now();
        await probe.kill9();
        restartsWall.push(Date.now() * 1000);
        await sleep(1000);
        await startProbe();
        const restored = /(\d+) GTP tunnels restored/.exec(probe.stdout.slice(probeOutFrom).find((l) => /capturing on/.test(l)) ?? '')?.[1] ?? '0';
        notes[i].push(`capturing again ${((Date.now() - killed) / 1000).toFixed(1)} s after the kill (1 s restart delay), ${restored} GTP tunnels restored; the traffic paused meanwhile`);
        await replayPart();
        continue;
      }
      const replaying = replayPart();
      await sleep(faultAfterMs);
      switch (f) {
        case 'none':
          break;
        case 'shipper-kill9':
          markFault();
          await ship.kill9();
          await sleep(1000);
          ship.start();
          break;
        case 'collector-kill9': {
          const caught = await whenBatchInProgress(pgs.url, 10_000);
          markFault();
          await coll.kill9();
          notes[i].push(caught ? 'killed while a batch was being stored' : 'no batch in progress within 10 s: killed between batches');
          await sleep(1000);
          coll.start();
          break;
        }
        case 'redis-restart':
          markFault();
          await redis.stop();
          await sleep(5000);
          await redis.start();
          break;
        case 'pg-restart-fast':
        case 'pg-restart-immediate': {
          // pg_ctl stop -m fast | immediate is SIGINT | SIGQUIT to the postmaster: sent the moment a
          // batch is being stored, then pg_ctl waits for the shutdown
          const caught = await whenBatchInProgress(pgs.url, 10_000);
          const mode = f === 'pg-restart-fast' ? 'fast' : 'immediate';
          markFault();
          if (caught && pgs.pid) process.kill(pgs.pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
          try {
            await pgs.stop(mode);
          } catch {
            (pgs as unknown as { up: boolean }).up = false; // already gone before pg_ctl looked
          }
          notes[i].push(caught ? 'stopped while a batch was being stored' : 'no batch in progress within 10 s: stopped between batches');
          await sleep(3000);
          await pgs.start();
          break;
        }
        case 'spool-disk-full': {
          markFault();
          const failingBefore = probe.events('spool_write_failing').length;
          const ballast = join(spoolDir, 'ballast');
          const bytes = fillDisk(ballast);
          const full = Date.now();
          notes[i].push(`ballast ${(bytes / 2 ** 20).toFixed(0)} MiB`);
          let failingSeen = false;
          while (Date.now() - full < diskFullS * 1000) {
            if (((await metric(/^sigprobe_spool\{[^}]*kind="failing"[^}]*\} (\d+)/m)) ?? 0) > 0) failingSeen = true;
            await sleep(500);
          }
          unlinkSync(ballast);
          const failing = probe.events('spool_write_failing').length - failingBefore;
          notes[i].push(`disk full ${((Date.now() - full) / 1000).toFixed(1)} s; probe spool writes failing: ${failingSeen || failing > 0 ? `yes (${failing} spool_write_failing lines)` : 'never seen'}`);
          break;
        }
        case 'sighup-bad-config': {
          markFault();
          writeFileSync(probeCfg, `${probeCfgText}spool_flush: 5\n`);
          const errFrom = probe.stderrRaw.length;
          probe.signal('SIGHUP');
          await waitFor('the reload refusal', () => probe.stderrRaw.slice(errFrom).some((l) => /SIGHUP: config not reloaded/.test(l)), 10_000).then(
            () => notes[i].push(`refused: ${probe.stderrRaw.slice(errFrom).find((l) => /SIGHUP/.test(l))!.slice(0, 140)}`),
            () => notes[i].push('no refusal line within 10 s'),
          );
          writeFileSync(probeCfg, probeCfgText);
          const outFrom = probe.stdout.length;
          probe.signal('SIGHUP');
          await waitFor('the good reload', () => probe.stdout.slice(outFrom).some((l) => /SIGHUP: no change/.test(l)), 10_000).catch(() =>
            notes[i].push('the valid file was not reloaded as "no change" within 10 s'),
          );
          break;
        }
      }
      await replaying;
      log(`  slice ${i + 1} done after ${((Date.now() - t0) / 1000 - sliceWall[i] / 1000).toFixed(1)} s`);
    }

    while (partIx < parts.length) await replayPart(); // the tail
    phase('faults');
    // ---- drain: probe stopped (pending dialogues closed), everything shipped and stored --------
    await sleep(2000);
    const droppedAtEnd = (await droppedNow()) ?? 0;
    const probeStopCode = await probe.stop(60_000);
    const stopLine = probe.stdout.filter((l) => /stopped; packets/.test(l)).pop() ?? '';
    log(`probe: ${stopLine}`);
    const spoolCount = () => {
      const r = spawnSync('sqlite3', ['-readonly', spool, 'SELECT (SELECT count(*) FROM dialogues) + (SELECT count(*) FROM tunnels)'], { encoding: 'utf8' });
      return Number(r.stdout.trim());
    };
    const centralCount = async () => {
      try {
        const r = await pool!.query(`SELECT (SELECT count(*) FROM ${SCHEMA}.dialogues WHERE probe_id = $1) + (SELECT count(*) FROM ${SCHEMA}.tunnels WHERE probe_id = $1) AS n`, [PROBE]);
        return Number(r.rows[0].n);
      } catch {
        return -1;
      }
    };
    const want = spoolCount();
    const fsize = (f: string) => {
      try {
        return statSync(f).size;
      } catch {
        return 0;
      }
    };
    const spoolBytes = { db: fsize(spool), wal: fsize(`${spool}-wal`) };
    let drained = true;
    await waitFor('the central store to hold the spool', async () => (await centralCount()) >= want, 180_000, 500).catch(() => (drained = false));
    await sleep(1500);
    await Promise.all([ship.stop(), coll.stop()]);

    phase('drain');
    if (process.env.SIGPROBE_CHAOS_KEEP) for (const x of ['', '-wal']) if (statSync(`${spool}${x}`, { throwIfNoEntry: false })) copyFileSync(`${spool}${x}`, join(dir, `live-spool.db${x}`));
    // ---- compare ----------------------------------------------------------------------------
    const ref = { dialogues: spoolDialogues(refSpool), tunnels: spoolTunnels(refSpool) };
    const live = { dialogues: spoolDialogues(spool), tunnels: spoolTunnels(spool) };
    const central = { dialogues: await centralDialogues(pool, SCHEMA, PROBE), tunnels: await centralTunnels(pool, SCHEMA, PROBE) };
    clearInterval(scrape);
    const probeRestarts = [...restartsWall, ...exits.filter((e) => e.daemon === 'run').map((e) => (t0 + e.atMs) * 1000)];
    const counts = compare(slices, parts, ref, live, central, probeRestarts);
    phase('compare');
    sliceWall.push(Date.now() - t0);
    const results: SliceResult[] = slices.map((s, i) => ({
      ...counts[i],
      fault: s.fault as Fault,
      label: FAULT_LABEL[s.fault as Fault],
      fromS: (s.capFromUs - T0) / 1e6,
      toS: s.capToUs === Number.MAX_SAFE_INTEGER ? Math.max(...ref.dialogues.map((r) => r.t1)) / 1e6 - T0 / 1e6 : (s.capToUs - T0) / 1e6,
      exits: exits.filter((e) => e.atMs >= sliceWall[i] && (i === slices.length - 1 || e.atMs < sliceWall[i + 1])),
      notes: [...notes[i], ...eventSummary(daemons, sliceWall[i], i === slices.length - 1 ? Infinity : sliceWall[i + 1])],
    }));
    const totals = counts.reduce((a, c) => {
      for (const k of Object.keys(a) as (keyof SliceCounts)[]) if (typeof c[k] === 'number' && k !== 'lossFromS' && k !== 'lossToS') (a[k] as number) = (a[k] as number) + (c[k] as number);
      return a;
    }, emptyCounts());
    totals.lossWindowS = Math.max(0, ...counts.map((c) => c.lossWindowS));
    return {
      date: new Date().toISOString(),
      commit: commitOf(),
      dir,
      options: { ...o, log: undefined },
      packets,
      truthLines: reference.truth,
      reference,
      spoolRows: live.dialogues.length,
      spoolBytes,
      centralRows: central.dialogues.length,
      drained,
      kernelDropped: kernelDropped + Number(/dropped (\d+)/.exec(stopLine)?.[1] ?? droppedAtEnd),
      probeStopCode,
      slices: results,
      totals,
      wallSeconds: (Date.now() - t0) / 1000,
      phases,
    };
  } finally {
    for (const d of daemons) d.destroy();
    await pool?.end().catch(() => {});
    await redis?.destroy().catch(() => {});
    await pgs?.destroy().catch(() => {});
    cleanup();
    if (!process.env.SIGPROBE_CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

/** warn / error log lines (and non-JSON stderr lines) of the daemons in [fromMs, toMs), by event. */
function eventSummary(daemons: readonly Supervised[], fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (const d of daemons) {
    const n = new Map<string, number>();
    let text = '';
    for (const l of d.lines) {
      const at = l._at as number;
      if (at < fromMs || at >= toMs || (l.level !== 'warn' && l.level !== 'error' && l.level !== 'raw')) continue;
      if (l.event === 'decode_anomalies') continue; // the per-minute summary: the capture has orphans on purpose
      const k = l.level === 'raw' ? 'stderr text' : String(l.event);
      if (l.level === 'raw' && text === '' && String(l.event).trim() !== '') text = String(l.event).trim().slice(0, 200);
      n.set(k, (n.get(k) ?? 0) + 1);
    }
    if (n.size > 0) out.push(`${d.kind === 'run' ? 'probe' : d.kind === 'ship' ? 'shipper' : 'collector'} logged ${[...n].map(([k, v]) => `${k} ×${v}`).join(', ')}${text ? ` (first text line: "${text}")` : ''}`);
  }
  return out;
}

/** The error line of a dead daemon's last stderr lines (a stack trace's first line), else its tail. */
function exitWhy(e: UnexpectedExit): string {
  const i = e.tail.findIndex((l) => /\b\w*Error\b|error/.test(l));
  return i >= 0 ? e.tail.slice(i, i + 2).map((l) => l.trim()).join(' ') : e.tail.join(' | ');
}

const f2 = (x: number | null) => (x === null ? '' : x.toFixed(2));

/** The table (markdown), one row per fault, then the totals and the notes. */
export function formatTable(r: ChaosResult): string {
  const head =
    '| fault | capture s | truth dialogues | lost | duplicated | loss window s | lost at probe / in ship+collect | other rows | subscriber lost | tunnels lost / dup (of) | daemon exits |\n' +
    '|---|---|---:|---:|---:|---:|---|---:|---:|---|---|';
  const row = (s: SliceResult) => {
    const win = s.lost === 0 ? '0' : `${s.lossWindowS.toFixed(2)}${s.lossFromS !== null ? ` (${f2(s.lossFromS)} … ${f2(s.lossToS)})` : ''}`;
    const ex = s.exits.length === 0 ? '0' : s.exits.map((e) => `${e.daemon} ${e.signal ?? `exit ${e.code}`}`).join(', ');
    return `| ${s.label} | ${s.fromS.toFixed(0)}–${s.toS.toFixed(0)} | ${s.truth} | ${s.lost}${s.lostInFlight ? ` (${s.lostInFlight} in flight)` : ''} | ${s.duplicated} | ${win} | ${s.lostAtProbe} / ${s.lostInTransport} | ${s.extra} | ${s.identityLost} | ${s.tunnelsLost} / ${s.tunnelsDuplicated} (${s.tunnelsRef}) | ${ex} |`;
  };
  const t = r.totals;
  const total = `| **all** | | ${t.truth} | ${t.lost} | ${t.duplicated} | | ${t.lostAtProbe} / ${t.lostInTransport} | ${t.extra} | ${t.identityLost} | ${t.tunnelsLost} / ${t.tunnelsDuplicated} (${t.tunnelsRef}) | ${r.slices.reduce((a, s) => a + s.exits.length, 0)} |`;
  const notes = r.slices.flatMap((s) => [
    ...s.notes.map((n) => `- ${s.label}: ${n}`),
    ...s.exits.map((e) => `- ${s.label}: ${e.daemon} exited unasked (${e.signal ?? `code ${e.code}`}) at ${(e.atMs / 1000).toFixed(1)} s: ${exitWhy(e).slice(0, 300)}`),
  ]);
  return [
    `Chaos run ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${r.commit}: ${r.packets} packets, ${r.truthLines} truth dialogues ` +
      `(reference replay: ${r.reference.mismatched} mismatched), spool ${r.spoolRows} rows (${((r.spoolBytes.db + r.spoolBytes.wal) / 2 ** 20).toFixed(0)} MiB with its WAL), central ${r.centralRows} rows` +
      `${r.drained ? '' : ' (NOT drained: the central store never caught up within 180 s)'}, kernel drops ${r.kernelDropped}, probe stop exit ${r.probeStopCode}, ${r.wallSeconds.toFixed(0)} s ` +
      `(${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')})`,
    '',
    head,
    ...r.slices.map(row),
    total,
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
