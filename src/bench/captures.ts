// Seeded captures for the bench, generated once and cached in the work directory. A capture is
// reused when its sidecar (<name>.meta.json) records the same parameters and the same build of the
// generator (a hash of dist/gen) and the file still has the recorded size.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, truthPathFor } from '../gen/index';
import type { AnyScenario, Profile } from '../gen/index';
import { DIST_GEN } from './paths';
import { log } from './log';

export interface CaptureSpec {
  /** file stem in the work directory */
  name: string;
  seed: number;
  dialogues: number;
  spanSeconds?: number;
  profile?: Partial<Profile>;
  /** generator scenario (default 'mix': MAP/CAP only; 'ipx': MAP, Diameter, GTPv1/v2) */
  scenario?: AnyScenario;
}

export interface Capture {
  path: string;
  packets: number;
  /** dialogues in the ground truth */
  dialogues: number;
  bytes: number;
  /** seconds the generation took (when it ran, or when it ran for the cached file) */
  genSeconds: number;
  reused: boolean;
}

interface Meta {
  spec: CaptureSpec;
  generator: string;
  capture: Omit<Capture, 'path' | 'reused'>;
}

export function ensureCapture(workDir: string, spec: CaptureSpec): Capture {
  mkdirSync(workDir, { recursive: true });
  const path = join(workDir, `${spec.name}.pcap`);
  const metaPath = join(workDir, `${spec.name}.meta.json`);
  const generator = generatorFingerprint();
  const cached = readMeta(metaPath);
  if (
    cached !== null &&
    cached.generator === generator &&
    JSON.stringify(cached.spec) === JSON.stringify(spec) &&
    existsSync(path) &&
    statSync(path).size === cached.capture.bytes
  ) {
    log(`capture ${spec.name}: reusing ${path}`);
    return { path, ...cached.capture, reused: true };
  }
  log(`capture ${spec.name}: generating ${spec.dialogues} dialogues (seed ${spec.seed})...`);
  rmSync(metaPath, { force: true });
  const tmp = join(workDir, `${spec.name}.tmp.pcap`);
  const t0 = process.hrtime.bigint();
  const s = generate({
    out: tmp,
    seed: spec.seed,
    dialogues: spec.dialogues,
    spanSeconds: spec.spanSeconds,
    profile: spec.profile,
    scenario: spec.scenario,
    progressEvery: 200_000,
    onProgress: (p) => log(`  ${p.dialogues} dialogues, ${p.packets} packets`),
  });
  const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  renameSync(tmp, path);
  renameSync(s.truthPath, truthPathFor(path));
  const capture = { packets: s.packets, dialogues: s.dialogues, bytes: statSync(path).size, genSeconds };
  const meta: Meta = { spec, generator, capture };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
  log(`capture ${spec.name}: ${s.packets} packets, ${(capture.bytes / 1e6).toFixed(0)} MB in ${genSeconds.toFixed(1)} s`);
  return { path, ...capture, reused: false };
}

function readMeta(metaPath: string): Meta | null {
  try {
    return JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
  } catch {
    return null;
  }
}

/** sha256 over the built generator's files (a changed generator invalidates the cache) */
function generatorFingerprint(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(e.name).update(readFileSync(p));
    }
  };
  walk(DIST_GEN);
  return h.digest('hex').slice(0, 16);
}
