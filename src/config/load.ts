import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { ZodIssue } from 'zod';
import { ConfigSchema, type Config } from './schema';
import { SigprobeError } from './errors';

function describe(issue: ZodIssue): string {
  const key = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return `${key === '(top level)' ? '' : key + ': '}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  }
  return `${key}: ${issue.message}`;
}

/** Parses and validates a config text; errors name the file, the key and what is expected. */
export function parseConfig(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new SigprobeError('E_CONFIG', `${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (raw === null || typeof raw !== 'object') throw new SigprobeError('E_CONFIG', `${file}: expected a YAML mapping at the top level`);
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) {
    throw new SigprobeError('E_CONFIG', `${file}: ${r.error.issues.map(describe).join('; ')}`);
  }
  const cfg = r.data;
  // Relative paths in a config file are relative to the file.
  const base = dirname(resolve(file));
  cfg.spool.path = resolve(base, cfg.spool.path);
  if (cfg.privacy.keyFile) cfg.privacy.keyFile = resolve(base, cfg.privacy.keyFile);
  if (cfg.debug.anomalyPcap) cfg.debug.anomalyPcap = resolve(base, cfg.debug.anomalyPcap);
  if (cfg.networks) cfg.networks.file = resolve(base, cfg.networks.file);
  const ring = cfg.capture?.packetRing;
  if (ring) ring.dir = ring.dir !== undefined ? resolve(base, ring.dir) : resolve(dirname(cfg.spool.path), 'packet-ring');
  if (cfg.serve?.auth) cfg.serve.auth.passwordFile = resolve(base, cfg.serve.auth.passwordFile);
  if (cfg.serve?.tls) cfg.serve.tls = { certFile: resolve(base, cfg.serve.tls.certFile), keyFile: resolve(base, cfg.serve.tls.keyFile) };
  return cfg;
}

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SigprobeError('E_CONFIG', `cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseConfig(text, file);
}

/** Defaults used by `replay` without --config (lab use). */
export function defaultConfig(spoolPath: string): Config {
  return ConfigSchema.parse({ site: 'lab', spool: { path: resolve(spoolPath) } });
}
