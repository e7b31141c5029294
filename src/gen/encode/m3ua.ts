// M3UA DATA message (RFC 4666 §3.3.1): common header (§3.1) + Network Appearance,
// Routing Context, Protocol Data, Correlation Id parameters (TLV, §3.2).

export const M3UA_VERSION = 1;
export const M3UA_CLASS_TRANSFER = 1;
export const M3UA_TYPE_DATA = 1;
export const M3UA_TAG_NETWORK_APPEARANCE = 0x0200;
export const M3UA_TAG_ROUTING_CONTEXT = 0x0006;
export const M3UA_TAG_PROTOCOL_DATA = 0x0210;
export const M3UA_TAG_CORRELATION_ID = 0x0013;
export const SI_SCCP = 3; // Q.704 §14.2.1 service indicator
export const NI_INTERNATIONAL = 0; // Q.704 §14.2.2 network indicator

export interface M3uaDataFields {
  opc: number;
  dpc: number;
  si: number;
  ni: number;
  mp: number;
  sls: number;
  routingContext?: number;
  networkAppearance?: number;
  correlationId?: number;
}

function param(tag: number, value: Buffer): Buffer {
  const len = 4 + value.length;
  const total = len + ((4 - (len & 3)) & 3); // parameter padded to 4 octets (§3.2)
  const b = Buffer.allocUnsafe(total);
  b.writeUInt16BE(tag, 0);
  b.writeUInt16BE(len, 2); // length excludes the padding
  value.copy(b, 4);
  b.fill(0, len);
  return b;
}

function u32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

export function encodeM3uaData(f: M3uaDataFields, userData: Buffer): Buffer {
  const parts: Buffer[] = [];
  if (f.networkAppearance !== undefined) parts.push(param(M3UA_TAG_NETWORK_APPEARANCE, u32(f.networkAppearance)));
  if (f.routingContext !== undefined) parts.push(param(M3UA_TAG_ROUTING_CONTEXT, u32(f.routingContext)));
  // Protocol Data (§3.3.1): OPC(4) DPC(4) SI(1) NI(1) MP(1) SLS(1) user protocol data
  const pd = Buffer.allocUnsafe(12 + userData.length);
  pd.writeUInt32BE(f.opc >>> 0, 0);
  pd.writeUInt32BE(f.dpc >>> 0, 4);
  pd[8] = f.si;
  pd[9] = f.ni;
  pd[10] = f.mp;
  pd[11] = f.sls;
  userData.copy(pd, 12);
  parts.push(param(M3UA_TAG_PROTOCOL_DATA, pd));
  if (f.correlationId !== undefined) parts.push(param(M3UA_TAG_CORRELATION_ID, u32(f.correlationId)));
  let n = 8;
  for (const p of parts) n += p.length;
  const hdr = Buffer.allocUnsafe(8);
  hdr[0] = M3UA_VERSION;
  hdr[1] = 0;
  hdr[2] = M3UA_CLASS_TRANSFER;
  hdr[3] = M3UA_TYPE_DATA;
  hdr.writeUInt32BE(n, 4);
  return Buffer.concat([hdr, ...parts], n);
}
