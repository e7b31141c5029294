import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, SCENARIOS } from '../../src/gen/index';
import type { DialogueRecord } from '../../src/correlate/record';
import { replayRecords } from '../helpers/replay';

/**
 * Capture → golden records: every capture the generator writes (one per fault scenario, and the
 * realistic mix) replays to exactly its ground truth — the same dialogues with the same request
 * and answer frames, procedure, status, error code, IMSI and latency. The generator's encoders
 * are written independently of the decoders (src/gen), so this checks both.
 */
const KEYS = ['protocol', 'req_frame', 'rsp_frame', 'opcode', 'procedure', 'status', 'result_code', 'imsi', 'latency_us'] as const;

function truthLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const o = JSON.parse(l);
      return JSON.stringify(KEYS.map((k) => o[k]));
    })
    .sort();
}

function ourLines(records: DialogueRecord[]): string[] {
  return records
    .filter((r) => !r.orphan && r.endReason !== 'unidirectional')
    .map((r) => JSON.stringify([r.protocol, r.reqFrame, r.rspFrame, r.opcode, r.procedure, r.status, r.resultCode, r.imsi, r.latencyUs]))
    .sort();
}

describe('generated captures replay to their ground truth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-golden-'));
  for (const scenario of SCENARIOS) {
    it(scenario, () => {
      const out = join(dir, `${scenario}.pcap`);
      const s = generate({ out, seed: 11, dialogues: scenario === 'mix' ? 3000 : 40, scenario });
      const { records, pipeline } = replayRecords([out]);
      expect(ourLines(records)).toEqual(truthLines(s.truthPath));
      expect(records.filter((r) => r.orphan).length).toBe(s.orphans);
      expect(pipeline.counters.anomalyList().filter((a) => a.layer !== 'correlate')).toEqual([]);
    });
  }
});
