import { describe, expect, it } from 'vitest';
import { MTP3_HEADER_LEN, decodeMtp3 } from '../../../src/protocols/m2ua/mtp3';
import { createM3uaView } from '../../../src/protocols/m3ua/types';
import { hex } from '../../helpers/hex';

describe('decodeMtp3 (Q.704 SIO + ITU routing label)', () => {
  it('arkime m3ua_synthetic frame 5 MSU header', () => {
    const v = createM3uaView();
    const msu = hex(
      '83', // SIO: NI 2 (national), spare 0, SI 3 (SCCP)
      '14 00 64 00', // label, LSB first: DPC 20 (bits 0-13), OPC 400 (bits 14-27), SLS 0
      '09', // user part (SCCP UDT)
    );
    expect(decodeMtp3(msu, 0, msu.length, v)).toBe(true);
    // tshark: mtp3.network_indicator 2, service_indicator 3, dpc 20, opc 400, sls 0
    expect(v).toMatchObject({ ni: 2, si: 3, mp: 0, dpc: 20, opc: 400, sls: 0, dataStart: 5, dataEnd: 6 });
  });

  it('tcpdump isup.pcap frame 1 MSU header', () => {
    const v = createM3uaView();
    const msu = hex('c5', '83 af 40 5b', 'd5 00 01'); // SIO NI 3 SI 5; label; ISUP CIC 213, IAM
    expect(decodeMtp3(msu, 0, msu.length, v)).toBe(true);
    // tshark (M3UA draft 6 mode): NI 3, SI 5, DPC 12163, OPC 11522, SLS 5
    expect(v).toMatchObject({ ni: 3, si: 5, dpc: 12163, opc: 11522, sls: 5 });
  });

  it('all-ones label and priority bits', () => {
    const v = createM3uaView();
    const msu = hex('f0', 'ffffffff');
    expect(decodeMtp3(msu, 0, 5, v)).toBe(true);
    expect(v).toMatchObject({ ni: 3, mp: 3, si: 0, dpc: 16383, opc: 16383, sls: 15, dataStart: 5, dataEnd: 5 });
  });

  it('fewer than 5 octets: false, view untouched; never reads past end', () => {
    const v = createM3uaView();
    const msu = hex('83 14 00 64 00');
    for (let n = 0; n < MTP3_HEADER_LEN; n++) {
      expect(decodeMtp3(msu, 0, n, v)).toBe(false);
      expect(v.opc).toBe(-1);
    }
    expect(decodeMtp3(msu, 1, 5, v)).toBe(false);
    expect(decodeMtp3(msu, 0, 9, v)).toBe(false); // end beyond the buffer
  });
});
