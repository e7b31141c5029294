// Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (113) and LINKTYPE_LINUX_SLL2 (276).
// https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html, .../LINKTYPE_LINUX_SLL2.html

export const SLL_HOST = 0; // packet addressed to the capturing host
export const SLL_OUTGOING = 4; // packet sent by the capturing host
export const ARPHRD_ETHER = 1;

/** SLL: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2) = 16 octets, then payload */
export function encodeSll(packetType: number, srcMac: Buffer, protocol: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(16 + payload.length);
  out.writeUInt16BE(packetType, 0);
  out.writeUInt16BE(ARPHRD_ETHER, 2);
  out.writeUInt16BE(6, 4);
  srcMac.copy(out, 6, 0, 6); // 8-octet field, zero padded
  out.writeUInt16BE(protocol, 14);
  payload.copy(out, 16);
  return out;
}

/**
 * SLL2: protocol(2) reserved(2) interface index(4) ARPHRD(2) packet type(1) addr len(1) addr(8)
 * = 20 octets, then payload
 */
export function encodeSll2(packetType: number, ifIndex: number, srcMac: Buffer, protocol: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(20 + payload.length);
  out.writeUInt16BE(protocol, 0);
  out.writeUInt16BE(0, 2);
  out.writeUInt32BE(ifIndex >>> 0, 4);
  out.writeUInt16BE(ARPHRD_ETHER, 8);
  out[10] = packetType;
  out[11] = 6;
  srcMac.copy(out, 12, 0, 6);
  payload.copy(out, 20);
  return out;
}
