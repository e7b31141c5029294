/**
 * The chaos run, short (part of `npm test`, ~1 min): a 24 s IPX capture tcpreplayed on a veth
 * pair into `sigprobe run` → `sigprobe ship` → Redis → `sigprobe collect` → PostgreSQL, with one
 * fault per 8 s of capture: kill -9 of the shipper (restarted), PostgreSQL restarted with
 * `pg_ctl -m fast`, SIGHUP with an invalid config. None of them may lose or duplicate a dialogue,
 * or make a daemon exit. The full run with every fault is `npm run chaos` (chaos.full.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { formatTable, runChaos } from './chaos';
import { chaosMissing } from './procs';
import { serversMissing } from '../helpers/servers';

const missing = chaosMissing() ?? serversMissing();
if (missing) console.log(`chaos (short) skipped: ${missing}`);

describe.skipIf(missing !== null)('chaos run, short: kill -9 shipper, PostgreSQL fast restart, SIGHUP with a bad config', () => {
  it('central store = truth: 0 lost, 0 duplicated, no daemon exit', async () => {
    const r = await runChaos({ faults: ['shipper-kill9', 'pg-restart-fast', 'sighup-bad-config'], segmentSeconds: 8, rate: 100, seed: 23, tmpfsMiB: 128,
      log: process.env.SIGPROBE_CHAOS_VERBOSE ? (l) => process.stdout.write(`chaos: ${l}\n`) : undefined,
    });
    const table = formatTable(r);
    console.log(table);
    expect(r.reference.mismatched, table).toBe(0);
    expect(r.drained, table).toBe(true);
    for (const s of r.slices) {
      expect({ fault: s.fault, lost: s.lost, duplicated: s.duplicated, extra: s.extra, identityLost: s.identityLost, exits: s.exits.length }, table).toEqual({
        fault: s.fault, lost: 0, duplicated: 0, extra: 0, identityLost: 0, exits: 0,
      });
      expect(s.truth).toBeGreaterThan(500);
    }
    expect(r.slices.find((s) => s.fault === 'sighup-bad-config')!.notes.join(' '), table).toMatch(/refused: sigprobe: SIGHUP: config not reloaded/);
    expect(r.probeStopCode).toBe(0);
    expect(r.kernelDropped).toBe(0);
  }, 150_000);
});
