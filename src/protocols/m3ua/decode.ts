/**
 * M3UA decoder (RFC 4666): common header, parameter walk, Transfer DATA → MTP3 routing
 * information + user part. Management classes (MGMT, SSNM, ASPSM, ASPTM, RKM) are validated
 * (header + parameters) and returned as Ok with hasData = false so the caller can count them.
 */
import { decodeMtp3 } from '../m2ua/mtp3';
import {
  M3UA_MESSAGE_NAMES, M3UA_PROTOCOL_DATA_FIXED_LEN, M3UA_TYPE_DATA, M3uaAnomaly, M3uaClass, M3uaTag,
} from './constants';
import type { M3uaView } from './types';
import { resetM3uaView } from './types';
import { UA_HEADER_LEN, UA_MAX_PARAMS, UA_PARAM_HEADER_LEN, uaCheckHeader, uaNextParam, uaParamLength } from './ua';

/**
 * Decodes the M3UA message at [start, end) of buf into `out` and returns an M3uaAnomaly
 * (0 = ok). `out.msgClass` / `out.msgType` are set whenever the first 4 octets exist;
 * `out.hasData` is true only on Ok for a DATA message, and then opc..sls and
 * [dataStart, dataEnd) (the MTP3 user part, e.g. SCCP) are valid.
 *
 * acceptDraftProtocolData: also take the user part from the pre-RFC "Protocol Data 1"
 * parameter (tag 0x0002, an MTP3 MSU) when no RFC 4666 Protocol Data (0x0210) is present.
 * Off by default (tshark's RFC 4666 mode shows such a parameter as unknown); when off, such a
 * message returns DraftProtocolData.
 */
export function decodeM3ua(buf: Buffer, start: number, end: number, out: M3uaView,
  acceptDraftProtocolData = false): number {
  resetM3uaView(out, start);
  if (end > buf.length) end = buf.length;
  if (start >= 0 && end - start >= 4) {
    out.msgClass = buf[start + 2];
    out.msgType = buf[start + 3];
  }
  const h = uaCheckHeader(buf, start, end);
  if (h !== 0) return h;
  const names = M3UA_MESSAGE_NAMES[out.msgClass];
  if (names === undefined) return M3uaAnomaly.UnknownClass;
  if (out.msgType >= names.length || names[out.msgType] === '') return M3uaAnomaly.UnknownType;
  const isData = out.msgClass === M3uaClass.Transfer && out.msgType === M3UA_TYPE_DATA;

  const msgEnd = start + buf.readUInt32BE(start + 4);
  let pdStart = -1; // value of the first Protocol Data parameter
  let pdEnd = -1;
  let draftStart = -1; // value of the first draft Protocol Data 1 parameter
  let draftEnd = -1;
  let pos = start + UA_HEADER_LEN;
  for (let n = 0; pos < msgEnd; n++) {
    if (n === UA_MAX_PARAMS) return M3uaAnomaly.TooManyParams;
    const len = uaParamLength(buf, pos, msgEnd);
    if (len < 0) return M3uaAnomaly.BadParamLength;
    const v = pos + UA_PARAM_HEADER_LEN; // value [v, pos + len)
    const vlen = len - UA_PARAM_HEADER_LEN;
    switch (buf.readUInt16BE(pos)) {
      case M3uaTag.RoutingContext: // RFC 4666 §3.3.1: one or more 32-bit contexts
        if (vlen === 0 || (vlen & 3) !== 0) return M3uaAnomaly.BadParamValue;
        if (out.routingContext < 0) out.routingContext = buf.readUInt32BE(v);
        break;
      case M3uaTag.NetworkAppearance: // RFC 4666 §3.3.1: 32 bits
        if (vlen !== 4) return M3uaAnomaly.BadParamValue;
        out.networkAppearance = buf.readUInt32BE(v);
        break;
      case M3uaTag.ProtocolData:
        if (pdStart < 0) { pdStart = v; pdEnd = pos + len; }
        break;
      case M3uaTag.DraftProtocolData1:
        if (draftStart < 0) { draftStart = v; draftEnd = pos + len; }
        break;
      default: // other parameters (correlation id, info string, ...) are skipped
        break;
    }
    pos = uaNextParam(pos, len);
  }
  if (!isData) return M3uaAnomaly.Ok;

  if (pdStart >= 0) {
    // RFC 4666 §3.3.1 Protocol Data: OPC(4) DPC(4) SI(1) NI(1) MP(1) SLS(1) user part.
    if (pdEnd - pdStart < M3UA_PROTOCOL_DATA_FIXED_LEN) return M3uaAnomaly.BadProtocolData;
    out.opc = buf.readUInt32BE(pdStart);
    out.dpc = buf.readUInt32BE(pdStart + 4);
    out.si = buf[pdStart + 8];
    out.ni = buf[pdStart + 9];
    out.mp = buf[pdStart + 10];
    out.sls = buf[pdStart + 11];
    out.dataStart = pdStart + M3UA_PROTOCOL_DATA_FIXED_LEN;
    out.dataEnd = pdEnd;
  } else if (draftStart >= 0) {
    if (!acceptDraftProtocolData) return M3uaAnomaly.DraftProtocolData;
    if (!decodeMtp3(buf, draftStart, draftEnd, out)) return M3uaAnomaly.BadProtocolData;
    out.draftProtocolData = true;
  } else {
    return M3uaAnomaly.NoProtocolData;
  }
  out.hasData = true;
  return M3uaAnomaly.Ok;
}
