/**
 * Real bytes: TCAP messages of the shared captures, decoded and compared with what `tshark -V`
 * (4.0) shows for each frame (values hard-coded below, read from tshark).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acnToString, decodeTcap } from '../../../src/protocols/tcap/decode';
import { createTcapView } from '../../../src/protocols/tcap/types';
import { TcapAnomaly } from '../../../src/protocols/tcap/constants';
import { CAPTURES, SHARED } from '../../helpers/oracle';
import { captureTcap } from '../../helpers/tcapLocate';

const v = createTcapView();

interface Expect {
  frame: number;
  type: number;
  otid?: number;
  dtid?: number;
  acn?: string;
  dialogue?: number;
  /** [kind, invokeId, opcode, errorCode] per component */
  comps: [number, number, number, number][];
  pAbortCause?: number;
}

// tshark -r map-synthetic.pcap -V: per frame, the TCAP message type, tids, dialogue PDU,
// application-context-name and components (opCode localValue / errorCode localValue).
const MAP_SYNTHETIC: Expect[] = [
  { frame: 1, type: 0x62, otid: 0x0a000001, dialogue: 0x60, acn: '0.4.0.0.1.0.1.3', comps: [[1, 1, 2, -1]] },
  { frame: 2, type: 0x65, otid: 0x0b000001, dtid: 0x0a000001, dialogue: 0x61, acn: '0.4.0.0.1.0.1.3', comps: [[1, 1, 7, -1]] },
  { frame: 3, type: 0x65, otid: 0x0a000001, dtid: 0x0b000001, comps: [[2, 1, -1, -1]] },
  { frame: 4, type: 0x64, dtid: 0x0a000001, comps: [[2, 1, 2, -1]] },
  { frame: 5, type: 0x62, otid: 0x0a000002, dialogue: 0x60, acn: '0.4.0.0.1.0.14.3', comps: [[1, 1, 56, -1]] },
  { frame: 6, type: 0x64, dtid: 0x0a000002, dialogue: 0x61, acn: '0.4.0.0.1.0.14.3', comps: [[3, 1, -1, 1]] },
  { frame: 7, type: 0x62, otid: 0x0a000003, dialogue: 0x60, acn: '0.4.0.0.1.0.14.3', comps: [[1, 1, 56, -1]] },
  { frame: 8, type: 0x67, dtid: 0x0a000003, comps: [], pAbortCause: 4 }, // p-abortCause: resourceLimitation (4)
  { frame: 9, type: 0x62, otid: 0x0a000004, dialogue: 0x60, acn: '0.4.0.0.1.0.1.3', comps: [[1, 1, 2, -1]] },
  { frame: 10, type: 0x62, otid: 0x0a000005, dialogue: 0x60, acn: '0.4.0.0.1.0.14.3', comps: [[1, 1, 56, -1]] },
  { frame: 11, type: 0x64, dtid: 0x0a000005, dialogue: 0x61, acn: '0.4.0.0.1.0.14.3', comps: [[4, 1, -1, -1]] },
  { frame: 12, type: 0x62, otid: 0x0a000006, dialogue: 0x60, acn: '0.4.0.0.1.0.50.1', comps: [[1, 1, 0, -1]] },
  { frame: 13, type: 0x64, dtid: 0x0a000006, dialogue: 0x61, acn: '0.4.0.0.1.0.50.1', comps: [[1, 1, 31, -1]] },
  { frame: 14, type: 0x62, otid: 0x0a000007, dialogue: 0x60, acn: '0.4.0.0.1.0.1.3', comps: [[1, 1, 2, -1]] },
  { frame: 15, type: 0x65, otid: 0x0b000007, dtid: 0x0a000007, dialogue: 0x61, acn: '0.4.0.0.1.0.1.3', comps: [[1, 1, 7, -1]] },
  { frame: 16, type: 0x65, otid: 0x0a000007, dtid: 0x0b000007, comps: [[3, 1, -1, 35]] },
  { frame: 17, type: 0x64, dtid: 0x0a000007, comps: [[2, 1, 2, -1]] },
];

describe('map-synthetic.pcap: every TCAP message vs tshark', () => {
  const msgs = captureTcap(join(SHARED, 'tools/selftest/map-synthetic.pcap'));

  it('finds the 17 TCAP messages', () => {
    expect(msgs.map((m) => m.frame)).toEqual(MAP_SYNTHETIC.map((e) => e.frame));
  });

  for (const e of MAP_SYNTHETIC) {
    it(`frame ${e.frame}`, () => {
      const m = msgs.find((x) => x.frame === e.frame)!;
      expect(decodeTcap(m.buf, m.start, m.end, v)).toBe(TcapAnomaly.Ok);
      expect(v.msgType).toBe(e.type);
      expect(v.otidLen).toBe(e.otid === undefined ? 0 : 4);
      if (e.otid !== undefined) expect(v.otid).toBe(e.otid);
      expect(v.dtidLen).toBe(e.dtid === undefined ? 0 : 4);
      if (e.dtid !== undefined) expect(v.dtid).toBe(e.dtid);
      expect(v.dialogue).toBe(e.dialogue ?? 0);
      expect(v.acnStart >= 0 ? acnToString(m.buf, v.acnStart, v.acnEnd) : undefined).toBe(e.acn);
      if (e.dialogue === 0x61) expect([v.aareResult, v.aareDiagSource, v.aareDiag]).toEqual([0, 1, 0]); // accepted, user null
      expect(v.componentCount).toBe(e.comps.length);
      e.comps.forEach(([kind, invokeId, opcode, errorCode], i) => {
        expect(v.components[i]).toMatchObject({ kind, invokeId, opcode, errorCode });
      });
      if (e.type === 0x67) expect([v.abortKind, v.pAbortCause]).toEqual([1, e.pAbortCause]);
      if (e.frame === 11) expect([v.components[0].problemType, v.components[0].problemCode]).toEqual([1, 2]);
    });
  }
});

// tshark -r m3ua_synthetic.pcap -Y tcap -T fields -e frame.number -e tcap.otid -e camel.present:
// 15 Begins, dialogueRequest with application-context-name 0.4.0.0.1.0.50.1 (CAP-v2-gsmSSF-to-gsmSCF-AC),
// one invoke initialDP (opcode local 0), invokeId 16 with otid 12345678 / 17 with otid abcdef12.
const M3UA_FRAMES = [5, 20, 21, 22, 51, 52, 66, 67, 68, 73, 74, 75, 78, 86, 90];
const OTID_12345678 = new Set([5, 21, 22, 78, 86, 90]);

describe('arkime m3ua_synthetic.pcap: CAP initialDP Begins vs tshark', () => {
  const msgs = captureTcap(join(CAPTURES, 'public/arkime/m3ua_synthetic.pcap'));

  it('finds the 15 Begins (M3UA and M2UA, one SCTP-fragmented)', () => {
    expect(msgs.map((m) => m.frame)).toEqual(M3UA_FRAMES);
  });

  it('decodes each Begin as tshark does', () => {
    for (const m of msgs) {
      // The generator wrote Begin length 0x50 (82 octets with tag and length) while the SCCP data
      // parameter holds 78 and the Begin's elements add up to 76: reported as truncated, every
      // element still decoded (tshark decodes them too, without an expert warning).
      expect(m.end - m.start).toBe(78);
      expect(m.buf[m.start + 1]).toBe(0x50);
      expect(decodeTcap(m.buf, m.start, m.end, v)).toBe(TcapAnomaly.Truncated);
      const first = OTID_12345678.has(m.frame);
      expect(v).toMatchObject({
        msgType: 0x62, otidLen: 4, otid: first ? 0x12345678 : 0xabcdef12, dtidLen: 0, dialogue: 0x60,
        acnFamily: 2, acnValue: 50, acnVersion: 1, componentCount: 1,
      });
      expect(acnToString(m.buf, v.acnStart, v.acnEnd)).toBe('0.4.0.0.1.0.50.1');
      expect(v.components[0]).toMatchObject({ kind: 1, invokeId: first ? 16 : 17, opcode: 0, linkedId: -1 });
      expect(m.buf[v.components[0].paramStart]).toBe(0x30); // InitialDPArg SEQUENCE
      expect(v.components[0].paramEnd).toBe(m.end);
    }
  });
});
