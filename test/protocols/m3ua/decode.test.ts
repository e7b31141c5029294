import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { M3UA_ANOMALY_NAMES, M3uaAnomaly } from '../../../src/protocols/m3ua/constants';
import { decodeM3ua } from '../../../src/protocols/m3ua/decode';
import { createM3uaView } from '../../../src/protocols/m3ua/types';
import type { M3uaView } from '../../../src/protocols/m3ua/types';
import { hex } from '../../helpers/hex';
import { Prng, embed, mutate } from '../../helpers/mutationFuzz';
import { CAPTURES, SHARED } from '../../helpers/oracle';
import { captureDataChunks } from '../../helpers/sctpDataChunks';

const M3UA_SYNTHETIC = join(CAPTURES, 'public/arkime/m3ua_synthetic.pcap');
const ISUP = join(CAPTURES, 'public/tcpdump/isup.pcap');
const MAP_SYNTHETIC = join(SHARED, 'tools/selftest/map-synthetic.pcap');

// M3UA DATA + routing context carrying an SCCP UDT (hand-built; tshark -V agrees field by field).
const DATA_RC = hex(
  '01', '00', '01', '01', // version 1, reserved, class 1 Transfer, type 1 DATA
  '00000048', // message length 72
  '0006 0008', '00000007', // Routing Context, length 8: RC 7
  '0210 0036', // Protocol Data, length 54 (4 + 12 + 38 SS7 octets)
  '00001234', // OPC 4660
  '00000567', // DPC 1383
  '03', '02', '00', '05', // SI 3 SCCP, NI 2 national, MP 0, SLS 5
  '09 81 03 0e 19', // SCCP UDT, class 1 + return on error, pointers 3 14 25
  '0b 12 06 00 11 04 1989674523f1', // called: GTI 4, SSN 6, GT 91987654321
  '0b 12 07 00 12 04 198967452301', // calling: GTI 4, SSN 7, GT 919876543210
  '08 6206480401020304', // data: TCAP Begin, otid 01020304
  '0000', // padding to 4 octets
);

// DATA with Network Appearance, two Routing Contexts, Correlation Id after the Protocol Data.
const DATA_NA = hex(
  '01 00 01 01', '00000038', // v1, Transfer DATA, length 56
  '0200 0008', '000004d2', // Network Appearance 1234
  '0006 000c', '00000003 00000004', // Routing Context: 3, 4
  '0210 0014', // Protocol Data, length 20
  '00003fff', '00000001', // OPC 16383, DPC 1
  '05 00 01 0f', // SI 5 ISUP, NI 0, MP 1, SLS 15
  '0100 0102', // 4 octets of user part
  '0013 0008', '00000063', // Correlation Id 99 (skipped)
);

// ASPUP (arkime m3ua_synthetic frame 84).
const ASPUP = hex('01 00', '03', '01', '00000008'); // v1, reserved, class 3 ASPSM, type 1 ASPUP, length 8

// ASPAC with Traffic Mode Type and Routing Context.
const ASPAC = hex(
  '01 00 04 01', '00000018', // v1, class 4 ASPTM, type 1 ASPAC, length 24
  '000b 0008', '00000002', // Traffic Mode Type: loadshare
  '0006 0008', '0000000a', // Routing Context 10
);

function decode(buf: Buffer, draft = false, v: M3uaView = createM3uaView()): { code: number; v: M3uaView } {
  return { code: decodeM3ua(buf, 0, buf.length, v, draft), v };
}

describe('decodeM3ua: hand-built vectors', () => {
  it('DATA with routing context', () => {
    const { code, v } = decode(DATA_RC);
    expect(code).toBe(M3uaAnomaly.Ok);
    // tshark: m3ua.routing_context == 7, opc 4660, dpc 1383, si 3, ni 2, mp 0, sls 5
    expect(v).toMatchObject({ msgClass: 1, msgType: 1, hasData: true, routingContext: 7, networkAppearance: -1,
      opc: 4660, dpc: 1383, si: 3, ni: 2, mp: 0, sls: 5, draftProtocolData: false });
    expect([v.dataStart, v.dataEnd]).toEqual([32, 70]); // SS7 message of 38 octets, before the padding
    expect(DATA_RC[v.dataStart]).toBe(0x09); // SCCP UDT
  });

  it('DATA with network appearance, two routing contexts and a correlation id', () => {
    const { code, v } = decode(DATA_NA);
    expect(code).toBe(M3uaAnomaly.Ok);
    // tshark: network_appearance 1234, routing contexts 3 and 4 (first kept), OPC 16383 DPC 1 SI 5 NI 0 MP 1 SLS 15
    expect(v).toMatchObject({ hasData: true, networkAppearance: 1234, routingContext: 3,
      opc: 16383, dpc: 1, si: 5, ni: 0, mp: 1, sls: 15 });
    expect(DATA_NA.subarray(v.dataStart, v.dataEnd)).toEqual(hex('0100 0102'));
  });

  it('management messages are Ok without data', () => {
    let r = decode(ASPUP);
    expect(r.code).toBe(M3uaAnomaly.Ok);
    expect(r.v).toMatchObject({ msgClass: 3, msgType: 1, hasData: false, routingContext: -1 });
    expect([r.v.dataStart, r.v.dataEnd]).toEqual([0, 0]);
    r = decode(ASPAC);
    expect(r.code).toBe(M3uaAnomaly.Ok);
    expect(r.v).toMatchObject({ msgClass: 4, msgType: 1, hasData: false, routingContext: 10 });
    for (const [cls, type] of [[0, 0], [0, 1], [2, 1], [2, 6], [3, 6], [4, 4], [9, 1], [9, 4]]) {
      r = decode(hex('01 00', cls.toString(16).padStart(2, '0'), type.toString(16).padStart(2, '0'), '00000008'));
      expect(r.code, `class ${cls} type ${type}`).toBe(M3uaAnomaly.Ok);
      expect(r.v).toMatchObject({ msgClass: cls, msgType: type, hasData: false });
    }
  });

  it('reports each anomaly', () => {
    const cases: [string, Buffer, M3uaAnomaly][] = [
      ['empty', hex(''), M3uaAnomaly.Truncated],
      ['7 octets', hex('01 00 03 01 000000'), M3uaAnomaly.Truncated],
      ['version 2', hex('02 00 03 01 00000008'), M3uaAnomaly.BadVersion],
      ['length 4', hex('01 00 03 01 00000004'), M3uaAnomaly.BadLength],
      ['length beyond end', hex('01 00 03 01 0000000c 0006'), M3uaAnomaly.Truncated],
      ['parameter length 3', hex('01 00 04 01 00000010', '0006 0003 00000000'), M3uaAnomaly.BadParamLength],
      ['parameter past the message', hex('01 00 04 01 00000010', '0006 000c 00000000'), M3uaAnomaly.BadParamLength],
      ['2 trailing octets', hex('01 00 04 01 0000000a', '0006'), M3uaAnomaly.BadParamLength],
      ['class 5 (other UA)', hex('01 00 05 01 00000008'), M3uaAnomaly.UnknownClass],
      ['class 6 (M2UA MAUP)', hex('01 00 06 01 00000008'), M3uaAnomaly.UnknownClass],
      ['ASPSM type 7', hex('01 00 03 07 00000008'), M3uaAnomaly.UnknownType],
      ['Transfer type 0', hex('01 00 01 00 00000008'), M3uaAnomaly.UnknownType],
      ['routing context of 6 octets', hex('01 00 04 01 00000014', '0006 000a 000000010000 0000'), M3uaAnomaly.BadParamValue],
      ['empty routing context', hex('01 00 04 01 0000000c', '0006 0004'), M3uaAnomaly.BadParamValue],
      ['network appearance of 2 octets', hex('01 00 01 01 00000010', '0200 0006 0001 0000'), M3uaAnomaly.BadParamValue],
      ['DATA without protocol data', hex('01 00 01 01 00000010', '0006 0008 00000001'), M3uaAnomaly.NoProtocolData],
      ['protocol data of 11 octets', hex('01 00 01 01 00000018', '0210 000f', '00000001 00000002 030200', '00'), M3uaAnomaly.BadProtocolData],
      ['draft protocol data, draft off', hex('01 00 01 01 00000014', '0002 0009', '83 14006400 09', '000000'), M3uaAnomaly.DraftProtocolData],
    ];
    for (const [name, buf, expected] of cases) {
      const { code, v } = decode(buf);
      expect(code, name).toBe(expected);
      expect(v.hasData, name).toBe(false);
      expect(M3UA_ANOMALY_NAMES[code]).toBeTypeOf('string');
    }
    // a cap on the parameter walk: 33 empty Info String parameters
    const many = Buffer.concat([hex('01 00 03 01'), Buffer.alloc(4), ...Array.from({ length: 33 }, () => hex('0004 0004'))]);
    many.writeUInt32BE(many.length, 4);
    expect(decode(many).code).toBe(M3uaAnomaly.TooManyParams);
    // 32 are fine
    const ok = many.subarray(0, many.length - 4);
    ok.writeUInt32BE(ok.length, 4);
    expect(decode(Buffer.from(ok)).code).toBe(M3uaAnomaly.Ok);
  });

  it('draft Protocol Data 1 (MTP3 MSU) when enabled, too short → bad_protocol_data', () => {
    const draft = hex('01 00 01 01 00000018', '0002 000d', '83 14006400', '09000307', '000000');
    const { code, v } = decode(draft, true);
    expect(code).toBe(M3uaAnomaly.Ok);
    expect(v).toMatchObject({ hasData: true, draftProtocolData: true, si: 3, ni: 2, mp: 0, dpc: 20, opc: 400, sls: 0,
      dataStart: 17, dataEnd: 21 });
    expect(decode(hex('01 00 01 01 00000010', '0002 0008', '83140064'), true).code).toBe(M3uaAnomaly.BadProtocolData);
  });

  it('uses only [start, end) of a larger buffer and never reads past end', () => {
    const big = Buffer.concat([hex('ffff'), DATA_RC, hex('deadbeef')]);
    const v = createM3uaView();
    expect(decodeM3ua(big, 2, 2 + DATA_RC.length, v)).toBe(M3uaAnomaly.Ok);
    expect([v.dataStart, v.dataEnd]).toEqual([34, 72]);
    // end past buf.length is clamped, not trusted
    expect(decodeM3ua(DATA_RC, 0, DATA_RC.length + 100, v)).toBe(M3uaAnomaly.Ok);
  });
});

describe('decodeM3ua: real captures (expected values from tshark -V)', () => {
  const frames = captureDataChunks(M3UA_SYNTHETIC);
  const m3uaFrame = (n: number): Buffer => {
    const chunks = frames[n - 1];
    expect(chunks).toHaveLength(1);
    expect(chunks[0].ppid).toBe(3);
    return chunks[0].payload;
  };

  it('arkime m3ua_synthetic: every single-chunk M3UA DATA frame', () => {
    // tshark: frame → m3ua.protocol_data_{opc,dpc,si}, m3ua.message_length; ni = mp = sls = 0 in all
    const expected: [number, number, number, number, number][] = [
      [10, 200, 400, 5, 36], [15, 300, 600, 4, 28], [20, 600, 500, 3, 120], [31, 200, 400, 5, 36],
      [32, 200, 400, 5, 36], [41, 300, 600, 4, 28], [42, 300, 600, 4, 28], [51, 600, 500, 3, 120],
      [52, 600, 500, 3, 120], [67, 600, 500, 3, 120], [68, 600, 500, 3, 120], [73, 600, 500, 3, 120],
      [74, 600, 500, 3, 120], [75, 600, 500, 3, 120], [86, 600, 500, 3, 120], [89, 600, 500, 5, 32],
      [90, 600, 500, 3, 120],
    ];
    const v = createM3uaView();
    for (const [n, opc, dpc, si, len] of expected) {
      const p = m3uaFrame(n);
      expect(p.readUInt32BE(4), `frame ${n}`).toBe(len);
      expect(decodeM3ua(p, 0, p.length, v), `frame ${n}`).toBe(M3uaAnomaly.Ok);
      expect(v, `frame ${n}`).toMatchObject({ msgClass: 1, msgType: 1, hasData: true, opc, dpc, si, ni: 0, mp: 0, sls: 0,
        routingContext: -1 });
    }
  });

  it('frame 15: TUP user part of 4 octets; frame 20: SCCP UDT of 94 octets', () => {
    const v = createM3uaView();
    let p = m3uaFrame(15);
    decodeM3ua(p, 0, p.length, v);
    // tshark: "Protocol data (SS7 message of 4 bytes)", Data: 01020304
    expect(p.subarray(v.dataStart, v.dataEnd)).toEqual(hex('01020304'));
    p = m3uaFrame(20);
    decodeM3ua(p, 0, p.length, v);
    // tshark: "SS7 message of 94 bytes", padding 0000, SCCP message type 0x09
    expect(v.dataEnd - v.dataStart).toBe(94);
    expect(v.dataEnd).toBe(p.length - 2);
    expect(p[v.dataStart]).toBe(0x09);
  });

  it('frames 65 + 66: one M3UA message in two SCTP DATA fragments', () => {
    const [a] = frames[64];
    const [b] = frames[65];
    expect([a.flags & 3, b.flags & 3]).toEqual([2, 1]); // tshark: B, then E
    const msg = Buffer.concat([a.payload, b.payload]);
    const v = createM3uaView();
    // the first fragment alone is truncated
    expect(decodeM3ua(a.payload, 0, a.payload.length, v)).toBe(M3uaAnomaly.Truncated);
    expect(v).toMatchObject({ msgClass: 1, msgType: 1, hasData: false });
    // tshark (frame 66, reassembled): length 120, OPC 600, DPC 500, SI 3
    expect(decodeM3ua(msg, 0, msg.length, v)).toBe(M3uaAnomaly.Ok);
    expect(v).toMatchObject({ opc: 600, dpc: 500, si: 3, ni: 0, sls: 0, hasData: true });
  });

  it('frame 81: a draft "Protocol Data 1" (tag 2) that tshark\'s RFC mode shows as unknown', () => {
    const p = m3uaFrame(81);
    const v = createM3uaView();
    // tshark: "Unknown parameter (tag 2 and 99 bytes value)", no MTP3 decoded
    expect(decodeM3ua(p, 0, p.length, v)).toBe(M3uaAnomaly.DraftProtocolData);
    expect(v.hasData).toBe(false);
    // with draft support: the MSU of the M2UA frames (SIO 0x83, DPC 20, OPC 400)
    expect(decodeM3ua(p, 0, p.length, v, true)).toBe(M3uaAnomaly.Ok);
    expect(v).toMatchObject({ draftProtocolData: true, si: 3, ni: 2, dpc: 20, opc: 400, sls: 0 });
    expect(v.dataEnd - v.dataStart).toBe(99 - 5);
  });

  it('frames 84, 85: ASPUP and ASPUP_ACK', () => {
    const v = createM3uaView();
    for (const [n, type] of [[84, 1], [85, 4]]) {
      const p = m3uaFrame(n);
      expect(decodeM3ua(p, 0, p.length, v)).toBe(M3uaAnomaly.Ok);
      // tshark: m3ua.message_class == 3, message_type == 1 / 4, length 8
      expect(v).toMatchObject({ msgClass: 3, msgType: type, hasData: false });
    }
  });

  it('tcpdump isup.pcap: draft-6 Protocol Data 1 carrying ISUP', () => {
    const isup = captureDataChunks(ISUP);
    // tshark -o 'm3ua.version:Internet Draft version 6': frame → dpc, opc, sls, ISUP message type; NI 3, SI 5, CIC 213
    const expected: [number, number, number, number][] = [
      [12163, 11522, 5, 1], [11522, 12163, 5, 47], [11522, 12163, 5, 6], [11522, 12163, 5, 9],
      [12163, 11522, 5, 12], [11522, 12163, 5, 16],
    ];
    const v = createM3uaView();
    expected.forEach(([dpc, opc, sls, isupType], i) => {
      expect(isup[i]).toHaveLength(1);
      const p = isup[i][0].payload;
      expect(decodeM3ua(p, 0, p.length, v), `frame ${i + 1}`).toBe(M3uaAnomaly.DraftProtocolData);
      expect(decodeM3ua(p, 0, p.length, v, true), `frame ${i + 1}`).toBe(M3uaAnomaly.Ok);
      expect(v).toMatchObject({ ni: 3, si: 5, dpc, opc, sls, hasData: true });
      expect(p.readUInt16LE(v.dataStart)).toBe(213); // ISUP CIC
      expect(p[v.dataStart + 2]).toBe(isupType);
    });
  });

  it('map-synthetic.pcap: 17 DATA messages', () => {
    const f = captureDataChunks(MAP_SYNTHETIC);
    // tshark: m3ua.protocol_data_opc / _dpc per frame; SI 3, NI 2, SLS 0 in all
    const pcs = [[20, 100], [100, 20], [20, 100], [100, 20], [20, 100], [100, 20], [20, 100], [100, 20], [20, 100],
      [20, 100], [100, 20], [30, 40], [40, 30], [20, 100], [100, 20], [20, 100], [100, 20]];
    expect(f).toHaveLength(17);
    const v = createM3uaView();
    pcs.forEach(([opc, dpc], i) => {
      expect(f[i]).toHaveLength(1);
      const p = f[i][0].payload;
      expect(decodeM3ua(p, 0, p.length, v)).toBe(M3uaAnomaly.Ok);
      expect(v).toMatchObject({ opc, dpc, si: 3, ni: 2, mp: 0, sls: 0, hasData: true });
      expect(p[v.dataStart]).toBe(0x09); // SCCP UDT
    });
  });
});

/** Fields of a view that must lie within [start, end]. */
function offsetsWithin(v: M3uaView, start: number, end: number): boolean {
  return v.dataStart >= start && v.dataEnd >= v.dataStart && v.dataEnd <= end;
}

describe('decodeM3ua: robustness', () => {
  const seeds = [DATA_RC, DATA_NA, ASPUP, ASPAC];

  it('truncation at every byte boundary', () => {
    const v = createM3uaView();
    for (const msg of [...seeds, hex('01 00 01 01 00000018', '0002 000d', '83 14006400', '09000307', '000000')]) {
      for (let n = 0; n < msg.length; n++) {
        const code = decodeM3ua(msg, 0, n, v, true);
        // the header length always claims more than n octets
        expect(code).toBe(M3uaAnomaly.Truncated);
        expect(v.hasData).toBe(false);
        expect(offsetsWithin(v, 0, n)).toBe(true);
      }
    }
  });

  it('fuzz: 100k random and mutated inputs; results independent of bytes past end', () => {
    const rng = new Prng(0x3ea);
    const a = createM3uaView();
    const b = createM3uaView();
    const failures: string[] = [];
    let ok = 0;
    for (let i = 0; i < 100_000; i++) {
      let msg: Buffer;
      if (i % 4 === 0) msg = rng.bytes(rng.int(48));
      else {
        msg = mutate(rng, rng.pick(seeds));
        // keep the header length consistent half of the time to reach the parameter walk
        if (msg.length >= 8 && rng.int(2) === 0) msg.writeUInt32BE(msg.length, 4);
      }
      const draft = rng.int(2) === 0;
      const e = embed(rng, msg);
      const code = decodeM3ua(e.buf, e.start, e.end, a, draft);
      const exact = decodeM3ua(msg, 0, msg.length, b, draft);
      if (!(code >= 0 && code < M3UA_ANOMALY_NAMES.length)) failures.push(`${i}: code ${code}`);
      if (!offsetsWithin(a, e.start, e.end)) failures.push(`${i}: offsets ${a.dataStart}..${a.dataEnd}`);
      if (a.hasData && code !== 0) failures.push(`${i}: hasData with code ${code}`);
      if (code !== exact || a.hasData !== b.hasData || a.opc !== b.opc || a.routingContext !== b.routingContext ||
        a.dataEnd - a.dataStart !== b.dataEnd - b.dataStart || a.msgClass !== b.msgClass) {
        failures.push(`${i}: depends on bytes outside [start, end): ${msg.toString('hex')}`);
      }
      if (code === 0) ok++;
      if (failures.length > 5) break;
    }
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(1000); // the mutations do reach the successful paths
  });
});
