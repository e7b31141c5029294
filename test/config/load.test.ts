import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, parseConfig } from '../../src/config/load';

describe('config', () => {
  it('applies defaults and resolves paths relative to the file', () => {
    const c = parseConfig('site: mad1\nspool:\n  path: spool.db\n', '/etc/sigprobe/mad1.yaml');
    expect(c.site).toBe('mad1');
    expect(c.spool.path).toBe('/etc/sigprobe/spool.db');
    expect(c.privacy.identities).toBe('pseudonymize');
    expect(c.limits.tcap.idleTimeoutSeconds).toBe(60);
    expect(c.limits.tcap.maxPending).toBe(500000);
  });
  it('names the file, the key and what is expected', () => {
    expect(() => parseConfig('site: mad1\nspool: {path: x}\nprivacy: {identities: clear}\n', 'a.yaml')).toThrow(
      /a\.yaml: privacy\.identities: Invalid enum value. Expected 'raw' \| 'pseudonymize' \| 'drop'/,
    );
    expect(() => parseConfig('site: mad1\nspool: {path: x, batchsize: 3}\n', 'b.yaml')).toThrow(/b\.yaml: spool: unknown key 'batchsize'/);
    expect(() => parseConfig('spool: {path: x}\n', 'c.yaml')).toThrow(/c\.yaml: site: Required/);
    expect(() => parseConfig('site: [x\n', 'd.yaml')).toThrow(/d\.yaml: not valid YAML/);
    expect(() => parseConfig('42\n', 'e.yaml')).toThrow(/e\.yaml: expected a YAML mapping/);
    expect(() => parseConfig('site: a b\nspool: {path: x}\n', 'f.yaml')).toThrow(/f\.yaml: site: letters, digits/);
  });
  it('loads every shipped config file', () => {
    const dir = resolve(__dirname, '../../config');
    // networks.yaml is the operators file, not a site config (test/correlate/networks.test.ts)
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'networks.yaml');
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const c = loadConfig(join(dir, f));
      expect(c.site.length).toBeGreaterThan(0);
    }
  });
  it('reports an unreadable file', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-cfg-'));
    expect(() => loadConfig(join(d, 'missing.yaml'))).toThrow(/cannot read config .*missing\.yaml: ENOENT/);
    writeFileSync(join(d, 'ok.yaml'), 'site: fra1\nspool:\n  path: /var/lib/sigprobe/spool.db\n');
    expect(loadConfig(join(d, 'ok.yaml')).site).toBe('fra1');
  });
});
