/**
 * Every named scenario and a 2,000-dialogue 'mix' capture of the generator:
 *  - tshark 4.0 decodes them with the SCTP CRC32c check on (-o sctp.checksum:crc-32c): every
 *    checksum Good, no expert item of severity warning/error (so no malformed packet);
 *  - the features each scenario is about are really on the wire (tshark fields);
 *  - tools/oracle (tshark's pairing) agrees with the truth file on protocol, req_frame, rsp_frame,
 *    opcode, status ('reject' = oracle 'error'), result_code, imsi, latency_us, except where
 *    tshark is known to see it differently (asserted precisely below).
 * tshark + oracle cost ~1 s per small capture, ~12 s for the mix; tests run concurrently.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, GenSummary, ScenarioName } from '../../src/gen';
import { TruthRecord } from '../../src/gen/map/truth';
import { Diff, diffTruthOracle, oracleRows, oracleTsv, readTruth, TsharkCheck, tsharkCheck } from './helpers';

const DIR = mkdtempSync(join(tmpdir(), 'sigprobe-gen-scen-'));

interface Ctx {
  summary: GenSummary;
  truth: TruthRecord[];
  tshark: TsharkCheck;
  file: string;
}

/** count of frames where a field has a value satisfying pred */
function frames(c: Ctx, field: string, pred: (v: string) => boolean = () => true): number {
  return c.tshark.values.filter((v) => v[field] !== '' && v[field] !== undefined && pred(v[field])).length;
}

/**
 * tshark 4.0 names the CAP error code field camel.error_code_local, the oracle reads camel.local
 * under camel.errcode: for a CAP returnError the oracle reports status 'error' with
 * result_code null. Compare those rows without result_code.
 */
function withoutCapErrorCodes(diffs: Diff[]): Diff[] {
  return diffs.filter((d) => {
    if (d.truth.length !== 1 || d.oracle.length !== 1) return true;
    const t = d.truth[0];
    const o = d.oracle[0];
    const capError = t.protocol === 'cap' && t.status === 'error' && t.result_code !== null && o.result_code === null;
    return !(capError && JSON.stringify({ ...t, result_code: null }) === JSON.stringify(o));
  });
}

interface Case {
  scenario: ScenarioName;
  dialogues: number;
  seed: number;
  features?: string[];
  /** scenario-specific assertions (features on the wire, truth contents) */
  check: (c: Ctx) => void | Promise<void>;
  /** default: no differences at all with the oracle */
  oracle?: (diffs: Diff[], c: Ctx) => void | Promise<void>;
}

const CASES: Case[] = [
  {
    scenario: 'mix',
    dialogues: 2000,
    seed: 2024,
    features: ['sctp.data_tsn', 'sctp.data_e_bit', 'sccp.segmentation.remaining', 'sccp.calling.digits', 'tcap.otid', 'ip.src'],
    check: (c) => {
      expect(c.summary.dialogues).toBe(2000);
      // E.164 calling GTs of GB DE ES NL MX BR US CO VE
      const gts = c.tshark.values.flatMap((v) => (v['sccp.calling.digits'] ? v['sccp.calling.digits'].split(',') : []));
      expect(gts.length).toBeGreaterThan(4000);
      for (const gt of gts) expect(gt).toMatch(/^(44|49|34|31|52|55|1|57|58)\d{8,12}$/);
      // transaction ids of 1, 2, 3 and 4 octets
      const otidLens = new Set(c.tshark.values.flatMap((v) => (v['tcap.otid'] ? v['tcap.otid'].split(',').map((x) => x.replace(/:/g, '').length / 2) : [])));
      expect([...otidLens].sort()).toEqual([1, 2, 3, 4]);
      // several associations (IP pairs) towards several STPs
      expect(new Set(c.tshark.values.map((v) => v['ip.src'])).size).toBeGreaterThan(10);
      expect(c.summary.orphans).toBeGreaterThan(0); // tails of dialogues begun before the capture
      expect(frames(c, 'sctp.data_tsn', (v) => v.includes(','))).toBeGreaterThan(0); // bundling
      expect(c.summary.stats.fragmentedMessages).toBeGreaterThan(0);
    },
    oracle: (diffs) => expect(withoutCapErrorCodes(diffs)).toEqual([]),
  },
  {
    scenario: 'bundling',
    dialogues: 40,
    seed: 1,
    features: ['sctp.data_tsn'],
    check: (c) => {
      // several DATA chunks in one packet, and several dialogues whose request is that packet
      expect(frames(c, 'sctp.data_tsn', (v) => v.split(',').length >= 2)).toBeGreaterThan(3);
      const reqFrames = c.truth.map((t) => t.req_frame);
      expect(new Set(reqFrames).size).toBeLessThan(reqFrames.length);
    },
  },
  {
    scenario: 'sctp-fragments',
    dialogues: 30,
    seed: 2,
    features: ['sctp.data_e_bit', 'sctp.data_b_bit'],
    check: (c) => {
      // a DATA chunk without the E bit = first/middle fragment of a user message
      expect(frames(c, 'sctp.data_e_bit', (v) => v.split(',').includes('0'))).toBeGreaterThan(5);
      // ... sometimes all fragments of the message in one packet (B..E chunks bundled)
      expect(frames(c, 'sctp.data_b_bit', (v) => v.split(',').length >= 2 && v.split(',').includes('0'))).toBeGreaterThan(0);
      expect(c.summary.stats.fragmentedMessages).toBeGreaterThan(5);
    },
  },
  {
    scenario: 'xudt-segments',
    dialogues: 30,
    seed: 3,
    features: ['sccp.segmentation.remaining', 'sccp.msg.reassembled.in'],
    check: (c) => {
      expect(frames(c, 'sccp.segmentation.remaining', (v) => Number(v) > 0)).toBeGreaterThan(3);
      expect(frames(c, 'sccp.segmentation.remaining', (v) => Number(v) === 0)).toBeGreaterThan(3);
    },
  },
  {
    scenario: 'tid-reuse-two-vlrs',
    dialogues: 30,
    seed: 4,
    check: (c) => expect(c.truth.length).toBe(30),
    oracle: async (diffs, c) => {
      // tshark keys a Begin by (OPC, otid). The second VLR's Begin comes from the same gateway
      // point code with the same otid within tcap.repetitiontimeout (10 s), so tshark flags it as
      // a repetition ('duplicate-begin': no JSONL row) and pairs the FIRST Begin with whichever
      // End/Abort carrying that dtid comes first. Everything else must agree.
      const tsv = await oracleTsv(c.file);
      const dups = tsv.filter((r) => r[9] === 'duplicate-begin').map((r) => Number(r[1]));
      expect(dups.length).toBeGreaterThan(0);
      const otidOf = (frame: number): string => {
        for (const r of tsv) {
          const m = new RegExp(`B@${frame}\\(o=([0-9a-f]+)`).exec(r[10]);
          if (m) return m[1];
        }
        throw new Error(`no Begin at ${frame}`);
      };
      const involved = new Set<number>();
      for (const dup of dups) {
        const otid = otidOf(dup);
        const first = tsv.find((r) => r[9] !== 'duplicate-begin' && new RegExp(`B@\\d+\\(o=${otid},`).test(r[10]) && Number(r[1]) < dup);
        expect(first).toBeDefined();
        involved.add(dup).add(Number(first![1]));
        // the truth has both dialogues, both answered
        expect(c.truth.find((t) => t.req_frame === dup)?.rsp_frame).not.toBeNull();
      }
      for (const d of diffs) expect(involved.has(d.reqFrame)).toBe(true);
      for (const dup of dups) expect(diffs.some((d) => d.reqFrame === dup && d.oracle.length === 0)).toBe(true);
    },
  },
  {
    scenario: 'abort',
    dialogues: 30,
    seed: 5,
    features: ['tcap.p_abortCause', 'tcap.reason'],
    check: (c) => {
      expect(c.truth.filter((t) => t.status === 'abort').length).toBeGreaterThan(5);
      // TC-P-ABORT: p-abortCause; TC-U-ABORT: reason u-abortCause (11) = a dialogue portion
      expect(frames(c, 'tcap.p_abortCause')).toBeGreaterThan(0);
      expect(frames(c, 'tcap.reason', (v) => v.split(',').includes('11'))).toBeGreaterThan(0);
    },
  },
  {
    scenario: 'timeout',
    dialogues: 30,
    seed: 6,
    check: (c) => {
      const to = c.truth.filter((t) => t.status === 'timeout');
      expect(to.length).toBeGreaterThan(5);
      expect(to.every((t) => t.rsp_frame === null && t.latency_us === null)).toBe(true);
    },
  },
  {
    scenario: 'orphan',
    dialogues: 30,
    seed: 7,
    check: async (c) => {
      expect(c.summary.orphans).toBeGreaterThan(3);
      expect(c.truth.length).toBe(30); // orphans are not dialogues of the truth
      const tsv = await oracleTsv(c.file);
      // each orphan fragment is an End, an Abort, or Continue+Continue+End without a Begin
      expect(tsv.filter((r) => r[9] === 'orphan').length).toBeGreaterThanOrEqual(c.summary.orphans);
    },
  },
  {
    scenario: 'retransmitted-begin',
    dialogues: 30,
    seed: 8,
    check: async (c) => {
      // the repeat comes 1 s after the original; latency counts from the first copy
      expect(c.truth.filter((t) => (t.latency_us ?? 0) >= 1_000_000).length).toBeGreaterThan(2);
      const tsv = await oracleTsv(c.file);
      expect(tsv.filter((r) => r[9] === 'duplicate-begin').length).toBeGreaterThan(2);
    },
    // tshark flags the repeat as a duplicate (no JSONL row) and pairs the original: no difference
  },
  {
    scenario: 'ac-fallback',
    dialogues: 30,
    seed: 9,
    features: ['tcap.dialogue_service_user'],
    check: (c) => {
      // AARE with result-source-diagnostic dialogue-service-user: application-context-name-not-supported (2)
      expect(frames(c, 'tcap.dialogue_service_user', (v) => v.split(',').includes('2'))).toBeGreaterThan(2);
      expect(c.truth.filter((t) => t.status === 'abort').length).toBeGreaterThan(2);
    },
  },
  {
    scenario: 'tid-reuse-after-end',
    dialogues: 30,
    seed: 10,
    check: async (c) => {
      // the same otid opens two Begins (the second after the first dialogue ended); tshark sees the
      // first context closed and starts a new one, so the oracle agrees
      const tsv = await oracleTsv(c.file);
      const otids = tsv.flatMap((r) => [...r[10].matchAll(/B@\d+\(o=([0-9a-f]+),/g)].map((m) => m[1]));
      expect(otids.length - new Set(otids).size).toBeGreaterThan(2);
    },
  },
  {
    scenario: 'vlan',
    dialogues: 30,
    seed: 11,
    features: ['vlan.id'],
    check: (c) => expect(frames(c, 'vlan.id')).toBe(c.tshark.frames),
  },
  {
    scenario: 'qinq',
    dialogues: 30,
    seed: 12,
    features: ['ieee8021ad.id', 'vlan.id'],
    check: (c) => {
      expect(frames(c, 'ieee8021ad.id')).toBe(c.tshark.frames); // outer S-tag 0x88a8
      expect(frames(c, 'vlan.id')).toBe(c.tshark.frames); // inner C-tag 0x8100
    },
  },
  {
    scenario: 'ipv6',
    dialogues: 40,
    seed: 13,
    features: ['ipv6.src', 'ipv6.hopopts', 'ipv6.dstopts', 'ipv6.fraghdr'],
    check: (c) => {
      expect(frames(c, 'ipv6.src')).toBe(c.tshark.frames);
      expect(frames(c, 'ipv6.hopopts')).toBeGreaterThan(0);
      expect(frames(c, 'ipv6.dstopts')).toBeGreaterThan(0);
      expect(frames(c, 'ipv6.fraghdr')).toBeGreaterThan(0);
    },
  },
  {
    scenario: 'sll',
    dialogues: 30,
    seed: 14,
    features: ['sll.pkttype'],
    check: (c) => {
      expect(frames(c, 'sll.pkttype', (v) => v === '0')).toBeGreaterThan(0);
      expect(frames(c, 'sll.pkttype', (v) => v === '4')).toBeGreaterThan(0);
    },
  },
  {
    scenario: 'sll2',
    dialogues: 30,
    seed: 15,
    features: ['sll.ifindex'],
    check: (c) => expect(frames(c, 'sll.ifindex')).toBe(c.tshark.frames),
  },
  {
    scenario: 'ip-fragments',
    dialogues: 30,
    seed: 16,
    features: ['ip.flags.mf', 'ip.frag_offset'],
    check: (c) => {
      expect(frames(c, 'ip.flags.mf', (v) => v === '1')).toBeGreaterThan(5);
      expect(frames(c, 'ip.frag_offset', (v) => Number(v) > 0)).toBeGreaterThan(5);
      expect(c.summary.stats.ipFragments).toBeGreaterThan(10);
    },
  },
  {
    scenario: 'cap',
    dialogues: 40,
    seed: 17,
    check: (c) => {
      const cap = c.truth.filter((t) => t.protocol === 'cap');
      expect(cap.length).toBeGreaterThan(20);
      expect(cap.every((t) => t.opcode === 0 && t.procedure === 'initialDP')).toBe(true);
    },
    oracle: (diffs) => expect(withoutCapErrorCodes(diffs)).toEqual([]),
  },
];

describe.concurrent('generated captures: tshark decode and oracle agreement', () => {
  for (const c of CASES) {
    it(`${c.scenario} (${c.dialogues} dialogues)`, async () => {
      const file = join(DIR, `${c.scenario}.${c.scenario === 'sll2' ? 'pcapng' : 'pcap'}`);
      const summary = generate({ out: file, seed: c.seed, dialogues: c.dialogues, scenario: c.scenario });
      const truth = readTruth(summary.truthPath);
      expect(truth.length).toBe(c.dialogues);
      const [tshark, oracle] = await Promise.all([tsharkCheck(file, c.features ?? []), oracleRows(file)]);
      expect(tshark.frames).toBe(summary.packets);
      expect(tshark.badChecksum).toEqual([]);
      expect(tshark.warnOrError).toEqual([]);
      const ctx: Ctx = { summary, truth, tshark, file };
      await c.check(ctx);
      const diffs = diffTruthOracle(truth, oracle);
      if (c.oracle) await c.oracle(diffs, ctx);
      else expect(diffs).toEqual([]);
    });
  }
});
