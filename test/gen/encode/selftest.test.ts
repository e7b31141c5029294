/**
 * Cross-check of the whole encoder stack against an independent implementation: rebuild frames of
 * /work/shared/tools/selftest/map-synthetic.pcap (written by make_map_selftest.py) layer by layer
 * with src/gen/encode and compare byte for byte. Layers: Ethernet / IPv4 / SCTP (CRC32c) / M3UA
 * DATA / SCCP UDT / TCAP / MAP.
 *
 * Selftest parameters (make_map_selftest.py): VLR 10.0.0.1 PC 20 SSN 7, HLR 10.0.0.2 PC 100 SSN 6;
 * association VLR<->HLR: ports 2905/2905, vtag 0x01020304, TSN VLR 5000.., HLR 1000.., stream 1,
 * SSN per direction counting from 0, PPID 3; M3UA SI 3 NI 2 MP 0 SLS 0; SCCP UDT class 0 with
 * addresses RI=SSN + PC + SSN (indicator 0x43); IPv4 id 0, DF, TTL 64.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeEthernet, ETHERTYPE_IPV4 } from '../../../src/gen/encode/ethernet';
import { encodeIpv4, IPPROTO_SCTP, ipv4Address } from '../../../src/gen/encode/ipv4';
import { dataChunk, DATA_FLAG_B, DATA_FLAG_E, encodeSctpPacket, PPID_M3UA } from '../../../src/gen/encode/sctp';
import { encodeM3uaData } from '../../../src/gen/encode/m3ua';
import { encodeUdt, SccpAddress } from '../../../src/gen/encode/sccp';
import { aare, aarq, invoke, PROBLEM_INVOKE, reject, returnError, tcBegin, tcEnd, tcPAbort } from '../../../src/gen/encode/tcap';
import { mapAcn, ulArg, AC_INFO_RETRIEVAL, AC_NETWORK_LOC_UP, OP_UPDATE_LOCATION } from '../../../src/gen/encode/map';
import { SHARED } from '../../helpers/oracle';
import { readPcapRecords } from '../../helpers/pcapRecords';

const recs = readPcapRecords(join(SHARED, 'tools/selftest/map-synthetic.pcap'));

const VLR = { ip: '10.0.0.1', pc: 20, ssn: 7, mac: Buffer.from('020000000001', 'hex') };
const HLR = { ip: '10.0.0.2', pc: 100, ssn: 6, mac: Buffer.from('020000000002', 'hex') };

function frame(from: typeof VLR, to: typeof VLR, tsn: number, ssn: number, tcap: Buffer): Buffer {
  const addr = (n: typeof VLR): SccpAddress => ({ routeOnSsn: true, gti: 0, ssn: n.ssn, pc: n.pc });
  const sccp = encodeUdt(addr(to), addr(from), tcap, 0x00);
  const m3ua = encodeM3uaData({ opc: from.pc, dpc: to.pc, si: 3, ni: 2, mp: 0, sls: 0 }, sccp);
  const sctp = encodeSctpPacket(2905, 2905, 0x01020304, [dataChunk({ tsn, sid: 1, ssn, ppid: PPID_M3UA, flags: DATA_FLAG_B | DATA_FLAG_E }, m3ua)]);
  const [ip] = encodeIpv4({ src: ipv4Address(from.ip), dst: ipv4Address(to.ip), protocol: IPPROTO_SCTP, id: 0, ttl: 64 }, sctp);
  // the selftest writes both directions with the same MAC pair (dst ..02, src ..01)
  return encodeEthernet(HLR.mac, VLR.mac, ETHERTYPE_IPV4, ip);
}

const tid = (n: number) => Buffer.from([0x0a, 0x00, 0x00, n]);

describe('encoder stack reproduces make_map_selftest.py frames byte for byte', () => {
  it('frame 1: Begin(AARQ networkLocUp-v3, invoke updateLocation)', () => {
    const arg = ulArg('001010000000001', '8613900000001', '8613900000002');
    const tcap = tcBegin(tid(1), aarq(mapAcn(AC_NETWORK_LOC_UP, 3)), [invoke(1, OP_UPDATE_LOCATION, arg)]);
    expect(frame(VLR, HLR, 5000, 0, tcap).toString('hex')).toBe(recs[0].data.toString('hex'));
  });

  it('frame 6: End(AARE infoRetrieval-v3, returnError unknownSubscriber)', () => {
    const tcap = tcEnd(tid(2), aare(mapAcn(AC_INFO_RETRIEVAL, 3)), [returnError(1, 1)]);
    expect(frame(HLR, VLR, 1002, 2, tcap).toString('hex')).toBe(recs[5].data.toString('hex'));
  });

  it('frame 8: Abort(p-abortCause resourceLimitation)', () => {
    expect(frame(HLR, VLR, 1003, 3, tcPAbort(tid(3), 4)).toString('hex')).toBe(recs[7].data.toString('hex'));
  });

  it('frame 11: End(AARE, reject invokeProblem mistypedParameter)', () => {
    const tcap = tcEnd(tid(5), aare(mapAcn(AC_INFO_RETRIEVAL, 3)), [reject(1, PROBLEM_INVOKE, 2)]);
    expect(frame(HLR, VLR, 1004, 4, tcap).toString('hex')).toBe(recs[10].data.toString('hex'));
  });
});
