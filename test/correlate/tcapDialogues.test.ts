import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../src/gen/index';
import { replayRecords } from '../helpers/replay';

const dir = mkdtempSync(join(tmpdir(), 'sp-corr-'));
const cap = join(dir, 'mix.pcap');
const summary = generate({ out: cap, seed: 21, dialogues: 4000 });
const truth = readFileSync(summary.truthPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('TCAP correlation limits', () => {
  it('pending table bounded by count: evictions become timeout records, nothing is lost', () => {
    const { records, pipeline } = replayRecords([cap], { tcap: { maxPending: 2 } });
    const begun = records.filter((r) => !r.orphan);
    const evicted = records.filter((r) => r.endReason === 'evicted');
    expect(evicted.length).toBeGreaterThan(100);
    for (const r of evicted) {
      expect(r.status).toBe('timeout');
      expect(r.rspFrame).toBeNull();
    }
    // Every Begin is in exactly one record (an evicted dialogue's later answer becomes an orphan).
    expect(begun.length).toBe(truth.length);
    expect(pipeline.tcap.closed.evicted).toBe(evicted.length);
    const c = pipeline.counters.anomalyList().find((a) => a.layer === 'correlate' && a.reason === 'evicted');
    expect(c?.count).toBe(evicted.length);
    expect(pipeline.tcap.pending).toBe(0);
  });

  it('idle timeout in packet time: a short timeout closes slow dialogues as timeout', () => {
    const { records } = replayRecords([cap], { tcap: { idleTimeoutUs: 40_000 } });
    const idle = records.filter((r) => r.endReason === 'idle_timeout');
    expect(idle.length).toBeGreaterThan(100);
    for (const r of idle) expect(r.status).toBe('timeout');
    expect(records.filter((r) => !r.orphan).length).toBe(truth.length);
    // Deterministic: packet time, not the wall clock, drives expiry.
    const again = replayRecords([cap], { tcap: { idleTimeoutUs: 40_000 } }).records;
    expect(again.map((r) => `${r.reqFrame}/${r.rspFrame}/${r.status}/${r.endReason}`)).toEqual(records.map((r) => `${r.reqFrame}/${r.rspFrame}/${r.status}/${r.endReason}`));
  });

  it('records carry what the IPX analyses need', () => {
    const { records } = replayRecords([cap]);
    const ul = records.filter((r) => r.procedure === 'updateLocation' && r.status === 'ok');
    expect(ul.length).toBeGreaterThan(100);
    for (const r of ul.slice(0, 50)) {
      expect(r.imsi).toMatch(/^\d{14,15}$/);
      expect(r.homeMcc).toMatch(/^\d{3}$/);
      expect(r.homeMnc).toMatch(/^\d{2,3}$/);
      expect(r.vlrNumber).toMatch(/^\d{6,15}$/);
      expect(r.callingGt).toMatch(/^\d{6,15}$/);
      expect(r.appContext).toMatch(/^0\.4\.0\.0\.1\.0\.1\.\d$/);
      expect(r.nestedOps).toBeGreaterThanOrEqual(1); // insertSubscriberData inside updateLocation
      expect(r.msisdn).toMatch(/^\d{6,15}$/); // from the nested insertSubscriberData
      expect(r.latencyUs).toBeGreaterThan(0);
    }
    const sor = records.filter((r) => r.procedure === 'updateLocation' && r.resultName === 'roamingNotAllowed');
    expect(sor.length).toBeGreaterThan(10);
    expect(sor.every((r) => r.resultCode === 8 && r.status === 'error')).toBe(true);
  });
});
