/**
 * Every IP scenario of the generator and a small all-protocol 'ipx' capture:
 *  - tshark 4.0 decodes them with TCP / UDP checksum validation and the SCTP CRC32c check on:
 *    every checksum Good, no expert item of severity warning / error (so no malformed packet);
 *  - the feature each scenario is about is on the wire (tshark fields);
 *  - tools/oracle agrees with the truth file on every key, except where tshark is known to see it
 *    differently: retransmitted GTP requests (tshark lists every copy and pairs the last one),
 *    CAP error codes in 'ipx' (see scenarios.test.ts). tshark 4.0 does not pair GTPv2 Echo nor
 *    Release Access Bearers itself: the oracle's sequence-number fallback does (asserted in
 *    gtpv2-lifecycle);
 *  - the tunnels file agrees with the truth (create / delete frames, causes, durations).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, GenSummary, IpScenarioName, LinkKind } from '../../src/gen';
import { TruthRecord } from '../../src/gen/map/truth';
import { TunnelLine } from '../../src/gen/gtp/tunnels';
import { PcapRecord, readPcapRecords } from '../helpers/pcapRecords';
import { Diff, diffTruthOracle, oracleRows, oracleTsv, readTruth, TsharkCheck } from './helpers';
import { asTsharkPairs, gtpCopies, readTunnels, tsharkIpCheck, withoutCapErrorCodes } from './ipHelpers';

const DIR = mkdtempSync(join(tmpdir(), 'sigprobe-gen-ip-'));

interface Ctx {
  summary: GenSummary;
  truth: TruthRecord[];
  tunnels: TunnelLine[];
  tshark: TsharkCheck;
  recs: PcapRecord[];
  file: string;
}

/** frames where a field has a value satisfying pred */
function frames(c: Ctx, field: string, pred: (v: string[]) => boolean = () => true): number {
  return c.tshark.values.filter((v) => v[field] !== '' && v[field] !== undefined && pred(v[field].split(','))).length;
}

/** every distinct value of a field over the capture */
function valuesOf(c: Ctx, field: string): Set<string> {
  const s = new Set<string>();
  for (const v of c.tshark.values) if (v[field]) for (const x of v[field].split(',')) s.add(x);
  return s;
}

/** tunnels vs truth: Create / Delete dialogues, causes, setup delays, durations */
function checkTunnels(c: Ctx, createOps: number[], deleteOps: number[]): void {
  const byReq = new Map(c.truth.map((t) => [t.req_frame, t]));
  const byRsp = new Map(c.truth.filter((t) => t.rsp_frame !== null).map((t) => [t.rsp_frame!, t]));
  // Every answered Create is one tunnel line (accepted or rejected); an unanswered one is none.
  const creates = c.truth.filter((t) => createOps.includes(t.opcode) && t.status !== 'timeout');
  expect(c.tunnels.length).toBe(creates.length);
  for (const tu of c.tunnels) {
    const cr = byReq.get(tu.create_frame)!;
    expect(createOps).toContain(cr.opcode);
    expect(cr.imsi).toBe(tu.imsi);
    expect(cr.protocol).toBe(tu.protocol);
    expect(tu.setup_delay_us).toBe(cr.latency_us);
    expect(tu.create_cause).toBe(cr.result_code);
    if (tu.end_reason === 'create_rejected') {
      expect(cr.status).toBe('error');
      expect(tu.end_frame).toBe(cr.rsp_frame);
    } else {
      expect(cr.status).toBe('ok');
    }
    if (tu.end_reason === 'delete') {
      const del = byRsp.get(tu.end_frame!) ?? byReq.get(tu.end_frame!)!;
      expect(deleteOps).toContain(del.opcode);
      expect(tu.delete_cause).toBe(del.result_code);
      expect(tu.duration_us).toBe(c.recs[tu.end_frame! - 1].tsUs - c.recs[tu.create_frame - 1].tsUs);
      expect(tu.end_frame!).toBeGreaterThan(cr.rsp_frame!);
    }
    if (tu.end_reason === 'capture_end') expect([tu.end_frame, tu.duration_us, tu.delete_cause]).toEqual([null, null, null]);
  }
  // every Delete closes exactly one tunnel
  const deletes = c.truth.filter((t) => deleteOps.includes(t.opcode));
  expect(c.tunnels.filter((t) => t.end_reason === 'delete').length).toBe(deletes.length);
}

interface Case {
  scenario: IpScenarioName;
  link?: LinkKind;
  dialogues: number;
  seed: number;
  features?: string[];
  check: (c: Ctx) => void | Promise<void>;
  /** default: no difference at all with the oracle */
  oracle?: (diffs: Diff[], c: Ctx) => void | Promise<void>;
}

const CASES: Case[] = [
  {
    scenario: 'ipx',
    dialogues: 600,
    seed: 2025,
    features: ['diameter.cmd.code', 'gtp.message', 'gtpv2.message_type', 'tcap.otid', 'sctp.data_payload_proto_id', 'tcp.dstport', 'tcp.srcport'],
    check: (c) => {
      const by = c.summary.byProtocol;
      expect(by.map).toBeGreaterThan(by.diameter);
      expect(by.diameter).toBe(150);
      expect(by.gtpv1).toBe(48);
      expect(by.gtpv2).toBe(72);
      expect(frames(c, 'tcap.otid')).toBeGreaterThan(300);
      expect(frames(c, 'gtp.message')).toBeGreaterThan(48);
      expect(frames(c, 'gtpv2.message_type')).toBeGreaterThan(72);
      // Diameter over SCTP (PPID 46) and over TCP (port 3868); M3UA (PPID 3) for MAP
      expect(valuesOf(c, 'sctp.data_payload_proto_id')).toEqual(new Set(['3', '46']));
      expect(frames(c, 'diameter.cmd.code', (v) => v.length > 0) - frames(c, 'sctp.data_payload_proto_id', (v) => v.includes('46'))).toBeGreaterThan(0);
      expect(frames(c, 'tcp.dstport', (v) => v.includes('3868')) + frames(c, 'tcp.srcport', (v) => v.includes('3868'))).toBe(frames(c, 'tcp.dstport'));
      checkTunnels(c, [16, 32], [20, 36]);
    },
    oracle: (diffs) => expect(withoutCapErrorCodes(diffs)).toEqual([]),
  },
  {
    // IPv6 transport: TCP / UDP checksums over the IPv6 pseudo-header, SCTP over IPv6
    scenario: 'ipx',
    link: 'ipv6',
    dialogues: 200,
    seed: 77,
    features: ['ipv6.src', 'udp.srcport', 'tcp.srcport', 'diameter.cmd.code'],
    check: (c) => {
      expect(frames(c, 'ipv6.src')).toBe(c.tshark.frames);
      expect(frames(c, 'udp.srcport')).toBeGreaterThan(40);
      expect(frames(c, 'diameter.cmd.code')).toBeGreaterThan(20);
    },
    oracle: (diffs) => expect(withoutCapErrorCodes(diffs)).toEqual([]),
  },
  {
    scenario: 'diameter-tcp-split',
    dialogues: 80,
    seed: 1,
    features: ['diameter.cmd.code', 'tcp.segment', 'tcp.segment_data', 'tcp.flags.syn', 'tcp.len'],
    check: (c) => {
      // several Diameter messages completed by one segment, segments that are a piece of a message
      expect(frames(c, 'diameter.cmd.code', (v) => v.length >= 2)).toBeGreaterThan(5);
      expect(frames(c, 'tcp.segment')).toBeGreaterThan(10); // messages tshark reassembled from several segments
      expect(c.tshark.values.filter((v) => v['tcp.segment_data'] !== '' && v['diameter.cmd.code'] === '').length).toBeGreaterThan(3); // a piece only
      expect(c.summary.stats.tcpSplitMessages).toBeGreaterThan(10);
      expect(c.summary.stats.tcpMultiMessageSegments).toBeGreaterThan(5);
      // every connection starts with SYN, SYN-ACK, ACK, then CER / CEA (RFC 6733 §5.3)
      const syns = frames(c, 'tcp.flags.syn', (v) => v[0] === '1');
      expect(syns).toBeGreaterThan(1);
      expect(c.truth.filter((t) => t.opcode === 257).length).toBe(syns / 2);
      // pure ACKs from an idle receiver (delayed ACK)
      expect(c.tshark.values.filter((v) => v['tcp.len'] === '0' && v['tcp.flags.syn'] === '0').length).toBeGreaterThan(3);
      expect(c.summary.stats.diameterSctpPackets).toBe(0);
    },
  },
  {
    scenario: 'diameter-sctp',
    dialogues: 80,
    seed: 2,
    features: ['sctp.data_payload_proto_id', 'sctp.data_e_bit', 'sctp.data_tsn', 'sctp.sack_cumulative_tsn_ack', 'diameter.cmd.code'],
    check: (c) => {
      expect(valuesOf(c, 'sctp.data_payload_proto_id')).toEqual(new Set(['46']));
      expect(frames(c, 'sctp.data_e_bit', (v) => v.includes('0'))).toBeGreaterThan(3); // fragments of a message
      expect(frames(c, 'sctp.data_tsn', (v) => v.length >= 2)).toBeGreaterThan(3); // bundling
      expect(frames(c, 'sctp.sack_cumulative_tsn_ack')).toBeGreaterThan(3);
      expect(c.summary.stats.diameterSctpFragmented).toBeGreaterThan(3);
      expect(frames(c, 'diameter.cmd.code', (v) => v.length >= 2)).toBeGreaterThan(2);
    },
  },
  {
    scenario: 'diameter-relay',
    dialogues: 80,
    seed: 3,
    features: ['diameter.flags.request', 'diameter.hopbyhopid', 'diameter.endtoendid', 'diameter.cmd.code', 'diameter.Route-Record'],
    check: (c) => {
      // each relayed request: two legs, same end-to-end id, different hop-by-hop ids
      const legs = new Map<string, Set<string>>();
      for (const v of c.tshark.values) {
        if (!v['diameter.flags.request']) continue;
        const req = v['diameter.flags.request'].split(',');
        const hbh = v['diameter.hopbyhopid'].split(',');
        const e2e = v['diameter.endtoendid'].split(',');
        const cmd = v['diameter.cmd.code'].split(',');
        req.forEach((r, i) => {
          if ((r === '1' || r === 'True') && cmd[i] !== '257' && cmd[i] !== '280') (legs.get(e2e[i]) ?? legs.set(e2e[i], new Set()).get(e2e[i])!).add(hbh[i]);
        });
      }
      const twoLegs = [...legs.values()].filter((s) => s.size === 2).length;
      expect(twoLegs).toBeGreaterThan(20);
      expect(frames(c, 'diameter.Route-Record')).toBeGreaterThan(20);
      // the DRA answers 3002 by itself now and then, some requests are never answered
      expect(c.truth.some((t) => t.status === 'timeout')).toBe(true);
    },
  },
  {
    scenario: 'gtpv1-lifecycle',
    dialogues: 150,
    seed: 4,
    features: ['gtp.message', 'ip.src'],
    check: (c) => {
      expect(valuesOf(c, 'gtp.message')).toEqual(new Set(['0x01', '0x02', '0x10', '0x11', '0x12', '0x13', '0x14', '0x15']));
      expect(c.tunnels.filter((t) => t.end_reason === 'delete').length).toBeGreaterThan(10);
      // GGSN-initiated deletes come from the home side (198.19.x.x)
      expect(c.tshark.values.filter((v) => v['gtp.message'] === '0x14' && v['ip.src'].startsWith('198.19.')).length).toBeGreaterThan(0);
      // the IMSI only where the message carries it
      for (const t of c.truth) if (t.opcode === 20 || t.opcode === 1) expect(t.imsi).toBeNull();
      for (const t of c.truth) if (t.opcode === 16) expect(t.imsi).toMatch(/^\d{15}$/);
      checkTunnels(c, [16], [20]);
    },
  },
  {
    scenario: 'gtpv2-lifecycle',
    dialogues: 150,
    seed: 5,
    features: ['gtpv2.message_type'],
    check: async (c) => {
      expect(valuesOf(c, 'gtpv2.message_type')).toEqual(new Set(['1', '2', '32', '33', '34', '35', '36', '37', '95', '96', '170', '171']));
      for (const t of c.truth) if (t.opcode !== 32) expect(t.imsi).toBeNull();
      checkTunnels(c, [32], [36]);
      // tshark pairs neither Release Access Bearers nor Echo: the oracle's sequence-number fallback does
      const tsv = await oracleTsv(c.file);
      for (const op of ['Release Access Bearers', 'Echo']) {
        const rows = tsv.filter((r) => r[0] === 'gtpv2' && r[6].startsWith(op));
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.every((r) => r[9] === 'fallback-seq')).toBe(true);
      }
      expect(tsv.filter((r) => r[0] === 'gtpv2' && r[9] !== 'fallback-seq').every((r) => r[9] === 'tshark')).toBe(true);
    },
  },
  {
    scenario: 'gtp-retransmission',
    dialogues: 120,
    seed: 6,
    check: () => undefined,
    oracle: async (diffs, c) => {
      // tshark lists every copy of a retransmitted request (the response pairs with the last copy, or
      // with the first when the oracle's fallback pairs it)
      const copies = await gtpCopies(c.file);
      expect(copies.size).toBeGreaterThan(10);
      for (const frames of copies.values()) {
        for (let i = 1; i < frames.length; i++) expect(c.recs[frames[i] - 1].tsUs - c.recs[frames[i - 1] - 1].tsUs).toBe(3_000_000); // T3
        expect(c.recs[frames[0] - 1].data.equals(c.recs[frames[1] - 1].data)).toBe(false); // IP identification differs...
        expect(c.recs[frames[0] - 1].data.subarray(42).equals(c.recs[frames[1] - 1].data.subarray(42))).toBe(true); // ...the GTP message does not
      }
      expect(diffs.length).toBeGreaterThanOrEqual(copies.size);
      const oracle = await oracleRows(c.file);
      expect(diffTruthOracle(asTsharkPairs(c.truth, copies, c.recs), oracle)).toEqual([]);
    },
  },
  {
    scenario: 'gtp-timeout',
    dialogues: 120,
    seed: 7,
    check: (c) => {
      const to = c.truth.filter((t) => t.status === 'timeout');
      expect(to.length).toBeGreaterThan(20);
      expect(to.every((t) => t.rsp_frame === null && t.latency_us === null && t.result_code === null)).toBe(true);
      checkTunnels(c, [16, 32], [20, 36]);
    },
  },
  {
    scenario: 'gtp-iot-burst',
    dialogues: 400,
    seed: 8,
    check: (c) => {
      const midnight = 1_700_006_400_000_000; // 2023-11-15T00:00:00Z, 20 s after the capture start
      expect(c.recs[0].tsUs).toBeGreaterThanOrEqual(midnight - 20_000_000);
      const creates = c.truth.filter((t) => t.opcode === 16 || t.opcode === 32);
      const inBurst = creates.filter((t) => c.recs[t.req_frame - 1].tsUs >= midnight && c.recs[t.req_frame - 1].tsUs < midnight + 1_000_000);
      const outside = creates.filter((t) => !inBurst.includes(t));
      const ok = (a: TruthRecord[]): number => a.filter((t) => t.status === 'ok').length / a.length;
      expect(inBurst.length).toBeGreaterThan(150); // many creates within one second
      expect(ok(inBurst)).toBeLessThan(0.9);
      expect(ok(outside)).toBeGreaterThan(0.9);
      // the rejects of the burst mostly say "no resources" (GTPv1 199, GTPv2 73)
      const rejected = inBurst.filter((t) => t.status === 'error');
      expect(rejected.filter((t) => t.result_code === 199 || t.result_code === 73).length / rejected.length).toBeGreaterThan(0.8);
      // IoT permanent roamers: each burst device once
      expect(new Set(inBurst.map((t) => t.imsi)).size).toBe(inBurst.length);
      checkTunnels(c, [16, 32], [20, 36]);
    },
  },
];

describe.concurrent('generated IP captures: tshark decode and oracle agreement', () => {
  for (const c of CASES) {
    it(`${c.scenario}${c.link ? ' over ' + c.link : ''} (${c.dialogues} dialogues)`, async () => {
      const file = join(DIR, `${c.scenario}${c.link ? '-' + c.link : ''}.pcap`);
      const summary = generate({ out: file, seed: c.seed, dialogues: c.dialogues, scenario: c.scenario, link: c.link });
      const truth = readTruth(summary.truthPath);
      expect(truth.length).toBe(c.dialogues);
      const [tshark, oracle] = await Promise.all([tsharkIpCheck(file, c.features ?? []), oracleRows(file)]);
      expect(tshark.frames).toBe(summary.packets);
      expect(tshark.badChecksum).toEqual([]);
      expect(tshark.warnOrError).toEqual([]);
      const tunnels = summary.tunnelsPath ? readTunnels(summary.tunnelsPath) : [];
      const ctx: Ctx = { summary, truth, tunnels, tshark, recs: readPcapRecords(file), file };
      await c.check(ctx);
      const diffs = diffTruthOracle(truth, oracle);
      if (c.oracle) await c.oracle(diffs, ctx);
      else expect(diffs).toEqual([]);
    });
  }
});
