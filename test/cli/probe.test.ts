import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load';
// Built module: the spool worker thread runs dist/spool/spoolWorker.js (scripts/test builds first).
import { buildProbe } from '../../dist/cli/probe';
import type { Config } from '../../src/config/schema';

describe('buildProbe wires the config into the pipeline', () => {
  it('Diameter TCP ports, GTP ports and limits come from the config', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-probe-'));
    const cfg = parseConfig(
      'site: fra1\nspool:\n  path: s.db\nprivacy:\n  identities: raw\ndiameter:\n  tcpPorts: [3869, 13868]\n  maxPending: 1000\ngtp:\n  controlPorts: [12123]\nlimits:\n  tcap:\n    maxPending: 77\n',
      join(d, 'fra1.yaml'),
    );
    const p = buildProbe(cfg as Config);
    try {
      expect([...p.pipeline.tcpPorts.keys()].sort((a, b) => a - b)).toEqual([3868, 3869, 13868]);
      expect(p.pipeline.udpDispatch.captureFilters().join(' ')).toMatch(/12123/);
      expect(p.pipeline.ctx.site).toBe('fra1');
    } finally {
      p.writer.close(5000);
      p.db.close();
    }
  });
});
