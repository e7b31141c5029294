// Ethernet II framing (IEEE 802.3 §3.2.6 Length/Type) with optional 802.1Q / 802.1ad tags.
// Frames are written without FCS (as a capture would show them) and padded to 60 octets.

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const TPID_8021Q = 0x8100; // IEEE 802.1Q C-tag
export const TPID_8021AD = 0x88a8; // IEEE 802.1ad S-tag (outer tag of QinQ)

const ETH_MIN_FRAME = 60; // 64 minus the 4-octet FCS

export interface VlanTag {
  tpid: number;
  /** VLAN identifier, 12 bits */
  vid: number;
  /** priority code point, 3 bits */
  pcp?: number;
}

/**
 * dst(6) src(6) [TPID(2) TCI(2)]... EtherType(2) payload [padding].
 * `tags` are outermost first: QinQ = [{tpid: 0x88a8, vid: s}, {tpid: 0x8100, vid: c}].
 */
export function encodeEthernet(dst: Buffer, src: Buffer, etherType: number, payload: Buffer, tags?: readonly VlanTag[]): Buffer {
  const nTags = tags ? tags.length : 0;
  const hdr = 14 + 4 * nTags;
  const len = Math.max(ETH_MIN_FRAME, hdr + payload.length);
  const out = Buffer.allocUnsafe(len);
  dst.copy(out, 0, 0, 6);
  src.copy(out, 6, 0, 6);
  let o = 12;
  for (let i = 0; i < nTags; i++) {
    const t = tags![i];
    o = out.writeUInt16BE(t.tpid, o);
    // TCI: PCP(3) DEI(1) VID(12)
    o = out.writeUInt16BE((((t.pcp ?? 0) & 7) << 13) | (t.vid & 0x0fff), o);
  }
  o = out.writeUInt16BE(etherType, o);
  o += payload.copy(out, o);
  if (o < len) out.fill(0, o); // padding to the minimum frame size
  return out;
}

/** locally administered unicast MAC 02:xx:xx:xx:xx:xx derived from a 32-bit number */
export function macFromNumber(n: number): Buffer {
  return Buffer.from([0x02, 0x00, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}
