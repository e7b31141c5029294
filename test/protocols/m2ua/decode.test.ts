import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { M2UA_ANOMALY_NAMES, M2uaAnomaly } from '../../../src/protocols/m2ua/constants';
import { decodeM2ua } from '../../../src/protocols/m2ua/decode';
import { createM2uaView } from '../../../src/protocols/m2ua/types';
import type { M3uaView } from '../../../src/protocols/m3ua/types';
import { hex } from '../../helpers/hex';
import { Prng, embed, mutate } from '../../helpers/mutationFuzz';
import { CAPTURES } from '../../helpers/oracle';
import { captureDataChunks } from '../../helpers/sctpDataChunks';

const M3UA_SYNTHETIC = join(CAPTURES, 'public/arkime/m3ua_synthetic.pcap');

// MAUP DATA with an integer Interface Identifier (hand-built; tshark -V agrees field by field).
const DATA_IID = hex(
  '01', '00', '06', '01', // version 1, spare, class 6 MAUP, type 1 DATA
  '0000002c', // message length 44
  '0001 0008', '0000002a', // Interface Identifier (integer) 42
  '0300 001b', // Protocol Data 1, length 27 (23-octet MSU)
  '83', // SIO: NI 2, SI 3 SCCP
  '14 00 64 50', // routing label: DPC 20, OPC 400, SLS 5
  '09 00 03 07 0b', // SCCP UDT class 0, pointers 3 7 11
  '04 43 6400 0a', // called: RI SSN, PC 100, SSN 10
  '04 43 1400 0a', // calling: RI SSN, PC 20, SSN 10
  '02 6200', // data (2 octets)
  '00', // padding
);

const ASPUP = hex('01 00 03 01 00000008'); // ASPSM ASPUP
const ESTABLISH_REQ = hex('01 00 06 02 00000010', '0001 0008 00000001'); // MAUP Establish Request, IID 1

function decode(buf: Buffer, v: M3uaView = createM2uaView()): { code: number; v: M3uaView } {
  return { code: decodeM2ua(buf, 0, buf.length, v), v };
}

describe('decodeM2ua: hand-built vectors', () => {
  it('MAUP DATA with interface identifier', () => {
    const { code, v } = decode(DATA_IID);
    expect(code).toBe(M2uaAnomaly.Ok);
    // tshark: m2ua interface identifier 42; mtp3 NI 2, SI 3, DPC 20, OPC 400, SLS 5
    expect(v).toMatchObject({ msgClass: 6, msgType: 1, hasData: true, interfaceId: 42, routingContext: -1,
      ni: 2, si: 3, mp: 0, dpc: 20, opc: 400, sls: 5, draftProtocolData: false });
    expect([v.dataStart, v.dataEnd]).toEqual([25, 43]); // 27 - 4 - 5 octets of SCCP, before the padding
  });

  it('other M2UA messages are Ok without data', () => {
    let r = decode(ASPUP);
    expect(r.code).toBe(M2uaAnomaly.Ok);
    expect(r.v).toMatchObject({ msgClass: 3, msgType: 1, hasData: false });
    r = decode(ESTABLISH_REQ);
    expect(r.code).toBe(M2uaAnomaly.Ok);
    expect(r.v).toMatchObject({ msgClass: 6, msgType: 2, hasData: false, interfaceId: 1 });
    for (const [cls, type] of [[0, 0], [0, 1], [3, 6], [4, 4], [6, 15], [10, 1], [10, 4]]) {
      r = decode(hex('01 00', cls.toString(16).padStart(2, '0'), type.toString(16).padStart(2, '0'), '00000008'));
      expect(r.code, `class ${cls} type ${type}`).toBe(M2uaAnomaly.Ok);
    }
  });

  it('reports each anomaly', () => {
    const cases: [string, Buffer, M2uaAnomaly][] = [
      ['empty', hex(''), M2uaAnomaly.Truncated],
      ['version 0', hex('00 00 06 01 00000008'), M2uaAnomaly.BadVersion],
      ['length 0', hex('01 00 06 01 00000000'), M2uaAnomaly.BadLength],
      ['length beyond end', hex('01 00 06 01 00000010 0300 0008'), M2uaAnomaly.Truncated],
      ['parameter length 2', hex('01 00 06 01 0000000c 0300 0002'), M2uaAnomaly.BadParamLength],
      ['class 1 (M3UA transfer)', hex('01 00 01 01 00000008'), M2uaAnomaly.UnknownClass],
      ['MAUP type 16', hex('01 00 06 10 00000008'), M2uaAnomaly.UnknownType],
      ['interface id of 2 octets', hex('01 00 06 01 00000010 0001 0006 0001 0000'), M2uaAnomaly.BadParamValue],
      ['DATA without protocol data', hex('01 00 06 01 00000010 0001 0008 00000001'), M2uaAnomaly.NoProtocolData],
      ['MSU of 4 octets', hex('01 00 06 01 00000010 0300 0008 83140064'), M2uaAnomaly.BadMtp3],
      ['protocol data 2 without MSU', hex('01 00 06 01 00000010 0301 0008 3f 831400'), M2uaAnomaly.BadMtp3],
    ];
    for (const [name, buf, expected] of cases) {
      const { code, v } = decode(buf);
      expect(code, name).toBe(expected);
      expect(v.hasData, name).toBe(false);
    }
  });
});

describe('decodeM2ua: Protocol Data 2 (TTC: length indicator octet first)', () => {
  it('skips the length indicator, takes the priority from its top two bits', () => {
    const pd2 = hex(
      '01 00 06 01 00000014', // MAUP DATA, length 20
      '0301 000c', // Protocol Data 2, length 12
      'c2', // MTP2 length indicator: priority 3, LI 2
      '83 14006400', // SIO NI 2 SI 3, label DPC 20 OPC 400 SLS 0
      '09 00', // user part
    );
    const { code, v } = decode(pd2);
    expect(code).toBe(M2uaAnomaly.Ok);
    expect(v).toMatchObject({ hasData: true, si: 3, ni: 2, mp: 3, dpc: 20, opc: 400, dataStart: 18, dataEnd: 20 });
  });
});

describe('decodeM2ua: arkime m3ua_synthetic (expected values from tshark -V)', () => {
  it('frames 5, 21, 22, 78: MAUP DATA → MTP3 → SCCP UDT', () => {
    // (frame 78 carries Protocol Data 2: tshark decodes its length indicator, then MTP3 as ITU)
    const frames = captureDataChunks(M3UA_SYNTHETIC);
    const v = createM2uaView();
    for (const n of [5, 21, 22, 78]) {
      const chunks = frames[n - 1];
      expect(chunks).toHaveLength(1);
      expect(chunks[0].ppid).toBe(2); // tshark: PPID M2UA (2)
      const p = chunks[0].payload;
      expect(decodeM2ua(p, 0, p.length, v), `frame ${n}`).toBe(M2uaAnomaly.Ok);
      // tshark: m2ua.message_class 6, type 1, length 112; frames 5, 21, 22: Protocol data 1, length
      // 103 (99-octet MSU); frame 78: Protocol data 2, length 104, length indicator 63, then the
      // same MSU; mtp3: NI 2, SI 3, DPC 20, OPC 400, SLS 0
      expect(p.readUInt32BE(4)).toBe(112);
      expect(v).toMatchObject({ msgClass: 6, msgType: 1, hasData: true, interfaceId: -1,
        ni: 2, si: 3, mp: 0, dpc: 20, opc: 400, sls: 0 });
      expect(v.dataEnd - v.dataStart).toBe(99 - 5);
      expect(p.subarray(v.dataStart, v.dataStart + 5)).toEqual(hex('09 00 03 07 0b')); // SCCP UDT
    }
  });
});

describe('decodeM2ua: robustness', () => {
  const seeds = [DATA_IID, ASPUP, ESTABLISH_REQ];

  it('truncation at every byte boundary', () => {
    const v = createM2uaView();
    for (const msg of seeds) {
      for (let n = 0; n < msg.length; n++) {
        expect(decodeM2ua(msg, 0, n, v)).toBe(M2uaAnomaly.Truncated);
        expect(v.hasData).toBe(false);
        expect(v.dataStart >= 0 && v.dataEnd <= n).toBe(true);
      }
    }
  });

  it('fuzz: 100k random and mutated inputs; results independent of bytes past end', () => {
    const rng = new Prng(0x2a);
    const a = createM2uaView();
    const b = createM2uaView();
    const failures: string[] = [];
    let ok = 0;
    for (let i = 0; i < 100_000; i++) {
      let msg: Buffer;
      if (i % 4 === 0) msg = rng.bytes(rng.int(48));
      else {
        msg = mutate(rng, rng.pick(seeds));
        if (msg.length >= 8 && rng.int(2) === 0) msg.writeUInt32BE(msg.length, 4);
      }
      const e = embed(rng, msg);
      const code = decodeM2ua(e.buf, e.start, e.end, a);
      const exact = decodeM2ua(msg, 0, msg.length, b);
      if (!(code >= 0 && code < M2UA_ANOMALY_NAMES.length)) failures.push(`${i}: code ${code}`);
      if (!(a.dataStart >= e.start && a.dataEnd >= a.dataStart && a.dataEnd <= e.end)) failures.push(`${i}: offsets`);
      if (a.hasData && code !== 0) failures.push(`${i}: hasData with code ${code}`);
      if (code !== exact || a.hasData !== b.hasData || a.opc !== b.opc || a.dpc !== b.dpc || a.interfaceId !== b.interfaceId ||
        a.dataEnd - a.dataStart !== b.dataEnd - b.dataStart) {
        failures.push(`${i}: depends on bytes outside [start, end): ${msg.toString('hex')}`);
      }
      if (code === 0) ok++;
      if (failures.length > 5) break;
    }
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(1000);
  });
});
