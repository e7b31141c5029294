/**
 * M2UA decoder (RFC 3331): common header, parameter walk, MAUP DATA → Protocol Data 1
 * or 2 (an MTP3 MSU, decoded by ./mtp3). Other M2UA messages (MGMT, ASPSM, ASPTM, other MAUP, IIM)
 * are validated and returned as Ok with hasData = false so the caller can count them.
 * Fills the same view as M3UA so the layers above do not care which adaptation layer it was.
 */
import type { M3uaView } from '../m3ua/types';
import { resetM3uaView } from '../m3ua/types';
import { UA_HEADER_LEN, UA_MAX_PARAMS, UA_PARAM_HEADER_LEN, uaCheckHeader, uaNextParam, uaParamLength } from '../m3ua/ua';
import { M2UA_MESSAGE_NAMES, M2UA_TYPE_DATA, M2uaAnomaly, M2uaClass, M2uaTag } from './constants';
import { decodeMtp3 } from './mtp3';

/**
 * Decodes the M2UA message at [start, end) of buf into `out`; returns an M2uaAnomaly (0 = ok).
 * `out.msgClass` / `out.msgType` are set whenever the first 4 octets exist; `out.hasData` is
 * true only on Ok for a MAUP DATA message, and then opc..sls (from the MTP3 routing label)
 * and [dataStart, dataEnd) (the MTP3 user part) are valid. `routingContext` and
 * `networkAppearance` stay -1; `interfaceId` is the integer Interface Identifier if present.
 */
export function decodeM2ua(buf: Buffer, start: number, end: number, out: M3uaView): number {
  resetM3uaView(out, start);
  if (end > buf.length) end = buf.length;
  if (start >= 0 && end - start >= 4) {
    out.msgClass = buf[start + 2];
    out.msgType = buf[start + 3];
  }
  const h = uaCheckHeader(buf, start, end);
  if (h !== 0) return h;
  const names = M2UA_MESSAGE_NAMES[out.msgClass];
  if (names === undefined) return M2uaAnomaly.UnknownClass;
  if (out.msgType >= names.length || names[out.msgType] === '') return M2uaAnomaly.UnknownType;
  const isData = out.msgClass === M2uaClass.Maup && out.msgType === M2UA_TYPE_DATA;

  const msgEnd = start + buf.readUInt32BE(start + 4);
  let pdStart = -1; // value of the first Protocol Data 1 or 2 parameter
  let pdEnd = -1;
  let pd2 = false;
  let pos = start + UA_HEADER_LEN;
  for (let n = 0; pos < msgEnd; n++) {
    if (n === UA_MAX_PARAMS) return M2uaAnomaly.TooManyParams;
    const len = uaParamLength(buf, pos, msgEnd);
    if (len < 0) return M2uaAnomaly.BadParamLength;
    const v = pos + UA_PARAM_HEADER_LEN;
    const tag = buf.readUInt16BE(pos);
    switch (tag) {
      case M2uaTag.InterfaceIdInteger: // RFC 3331 §3.3.1: 32-bit integer
        if (len - UA_PARAM_HEADER_LEN !== 4) return M2uaAnomaly.BadParamValue;
        out.interfaceId = buf.readUInt32BE(v);
        break;
      case M2uaTag.ProtocolData1:
      case M2uaTag.ProtocolData2:
        if (pdStart < 0) {
          pdStart = v;
          pdEnd = pos + len;
          pd2 = tag === M2uaTag.ProtocolData2;
        }
        break;
      default: // interface id (text), correlation id, info string, ... are skipped
        break;
    }
    pos = uaNextParam(pos, len);
  }
  if (!isData) return M2uaAnomaly.Ok;
  if (pdStart < 0) return M2uaAnomaly.NoProtocolData;
  // RFC 3331 §3.3.1.1: Protocol Data 1 is the MSU from the SIO on (no MTP2 header, no CRC);
  // Protocol Data 2 (TTC) puts the MTP2 length indicator octet first, whose two top bits are
  // the TTC message priority.
  const msu = pd2 ? pdStart + 1 : pdStart;
  if (!decodeMtp3(buf, msu, pdEnd, out)) return M2uaAnomaly.BadMtp3;
  if (pd2) out.mp = buf[pdStart] >> 6;
  out.hasData = true;
  return M2uaAnomaly.Ok;
}
