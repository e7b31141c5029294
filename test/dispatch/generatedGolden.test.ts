import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, SCENARIOS } from '../../src/gen/index';
import { IP_SCENARIOS } from '../../src/gen/scenarios';
import type { DialogueRecord, TunnelRecord } from '../../src/correlate/record';
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

/**
 * The IP protocols: every Diameter / GTP scenario and the all-protocol 'ipx' mix replay to their
 * dialogue truth, and the GTP tunnels to their tunnel truth.
 */
describe('generated IP captures replay to their ground truth (Diameter, GTP, ipx mix)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-golden-ip-'));
  for (const scenario of [...IP_SCENARIOS]) {
    it(scenario, () => {
      const out = join(dir, `${scenario}.pcap`);
      const s = generate({ out, seed: 11, dialogues: scenario === 'ipx' ? 3000 : 60, scenario });
      const tunnels: TunnelRecord[] = [];
      // The truth states identities as the oracle sees them (a GTP Update/Delete carries no IMSI):
      // compare with tunnel inheritance off; test/dispatch/gtpOracle.test.ts covers it on.
      const { records, pipeline } = replayRecords([out], {
        tunnelSink: { writeTunnel: (t) => tunnels.push(t) },
        gtp: { transactions: { inheritFromTunnel: false } },
      });
      expect(ourLines(records)).toEqual(truthLines(s.truthPath));
      if (s.tunnelsPath !== null) {
        const TK = ['protocol', 'imsi', 'apn', 'create_frame', 'end_frame', 'setup_delay_us', 'duration_us', 'create_cause', 'delete_cause', 'end_reason'] as const;
        const want = readFileSync(s.tunnelsPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => {
          const o = JSON.parse(l);
          return JSON.stringify(TK.map((k) => o[k]));
        }).sort();
        const got = tunnels.map((t) => JSON.stringify([t.protocol, t.imsi, t.apn, t.createFrame, t.endFrame, t.setupDelayUs, t.durationUs, t.createCause, t.deleteCause, t.endReason])).sort();
        expect(got).toEqual(want);
      }
      expect(pipeline.counters.anomalyList().filter((a) => !['correlate', 'diameter', 'gtpv1', 'gtpv2'].includes(a.layer) || a.reason.includes('truncated') || a.reason.includes('bad_'))).toEqual([]);
    });
  }
});
