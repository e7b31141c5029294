import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { allSharedCaptures, CAPTURES, oracleJsonl, oracleTsv, type OracleRow } from '../helpers/oracle';
import { asOracleRows, replayRecords } from '../helpers/replay';

const key = (r: OracleRow) => `${r.req_frame}/${r.rsp_frame}`;

/**
 * On every capture of ../shared (and the oracle's synthetic MAP capture), the MAP/CAP dialogues
 * sigprobe records agree with tshark's pairing (../shared/tools/oracle --jsonl): same request
 * and answer frames, opcode, status, error code, IMSI and latency. Captures without TCAP must
 * yield no MAP/CAP dialogue at all (no false positives from SCTP, Diameter, GTP or noise).
 *
 * The one documented disagreement: tshark flags a Begin as a "duplicate" when its otid was seen
 * recently, whatever the content, and drops it from its pairing. sigprobe only merges a Begin
 * that is byte-identical (a retransmission); a different Begin on the same (address, otid) is a
 * new transaction. Every extra row must be such a Begin — proven below from tshark's own decode.
 */
describe('TCAP dialogues agree with the tshark oracle', () => {
  const files = allSharedCaptures();
  it('finds the shared captures', () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
  });
  for (const f of files) {
    it(basename(f), () => {
      const expected = oracleJsonl(f).filter((r) => r.protocol === 'map' || r.protocol === 'cap');
      const { records } = replayRecords([f]);
      const ours = asOracleRows(records, ['map', 'cap']);
      const theirs = new Set(expected.map(key));
      const extra = ours.filter((r) => !theirs.has(key(r)));
      const dupBegins = new Set(oracleTsv(f).filter((r) => r.match === 'duplicate-begin').map((r) => Number(r.req_frame)));
      for (const r of extra) expect(dupBegins.has(r.req_frame), `extra dialogue at frame ${r.req_frame}`).toBe(true);
      expect(ours.filter((r) => theirs.has(key(r)))).toEqual(expected);
    });
  }
});

describe('where Wireshark is wrong: "duplicate" Begins that are distinct transactions', () => {
  const f = join(CAPTURES, 'public/arkime/m3ua_synthetic.pcap');
  it('m3ua_synthetic.pcap: tshark drops 6 Begins whose initialDP differs from the one it keeps', () => {
    // tshark's own decode: otid and the initialDP callingPartyNumber of every Begin.
    const rows = execFileSync('tshark', ['-n', '-r', f, '-Y', 'tcap.begin_element', '-T', 'fields', '-e', 'frame.number', '-e', 'tcap.otid', '-e', 'camel.callingPartyNumber'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const content = new Map(rows.map(([n, otid, cpn]) => [Number(n), `${otid}/${cpn}`]));
    const dup = oracleTsv(f).filter((r) => r.match === 'duplicate-begin').map((r) => Number(r.req_frame));
    expect(dup).toEqual([21, 22, 51, 52, 66, 67, 68, 73, 74, 75]);
    const { records } = replayRecords([f]);
    const ourBegins = records.filter((r) => r.reqFrame !== null).map((r) => r.reqFrame as number).sort((a, b) => a - b);
    // Frames 21/22 and 51/52 are byte-identical copies (SCTP retransmissions / the same message on
    // a second link): one dialogue each, as tshark says. 66..75 carry other calling numbers.
    expect(ourBegins).toEqual([5, 20, 66, 67, 68, 73, 74, 75, 78, 86, 90]);
    for (const n of [66, 67, 68, 73, 74, 75]) {
      const earlier = [...content.entries()].filter(([m]) => m < n).map(([, c]) => c);
      expect(earlier.includes(content.get(n) as string), `frame ${n} repeats an earlier Begin`).toBe(false);
    }
    for (const n of [21, 22]) expect(content.get(n)).toBe(content.get(5));
    for (const n of [51, 52]) expect(content.get(n)).toBe(content.get(20));
    const r20 = records.find((r) => r.reqFrame === 20);
    expect(r20?.retransmissions).toBe(1); // frame 51 (52 is dropped as a duplicate TSN by SCTP)
    const r5 = records.find((r) => r.reqFrame === 5);
    expect(r5?.retransmissions).toBe(1);
  });
});
