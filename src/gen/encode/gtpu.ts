// GTP-U G-PDU (3GPP TS 29.281 §5.1, §6.1): the user-plane header in front of a T-PDU (the user's
// IP packet), message type 255, TEID = the receiving end's data TEID. Length (§5.1) counts what
// follows the first 8 octets: the optional sequence number / N-PDU number / next-extension octets
// (present as a block when S, PN or E is set) and the T-PDU.
export const GTPU_PORT = 2152; // TS 29.281 §4.4.2.3
export const GTPU_G_PDU = 255;

const FLAGS_V1_PT = 0x30; // version 1, protocol type GTP (§5.1)
const FLAG_S = 0x02;

/** a G-PDU carrying `tpdu` to `teid`; with `seq` the S flag and the 4-octet optional block (§5.1) */
export function encodeGpdu(teid: number, tpdu: Buffer, seq?: number): Buffer {
  const opt = seq === undefined ? 0 : 4;
  const b = Buffer.allocUnsafe(8 + opt + tpdu.length);
  b[0] = FLAGS_V1_PT | (opt ? FLAG_S : 0);
  b[1] = GTPU_G_PDU;
  b.writeUInt16BE(opt + tpdu.length, 2);
  b.writeUInt32BE(teid >>> 0, 4);
  if (opt) {
    b.writeUInt16BE(seq! & 0xffff, 8);
    b[10] = 0; // N-PDU number (PN not set)
    b[11] = 0; // next extension header type: none
  }
  tpdu.copy(b, 8 + opt);
  return b;
}
