/**
 * Views produced by the network layers. One instance of each view is allocated per pipeline
 * and reused for every packet ("...View": it points into a buffer the caller does not own past
 * the current callback; copy what you keep).
 */

/** Result of the link layer: where the network header starts and what it is. */
export interface LinkView {
  /** EtherType of the network layer (0x0800 IPv4, 0x86dd IPv6; others are not decoded further). */
  etherType: number;
  /** Offset of the network-layer header in the packet buffer. */
  start: number;
  /** Number of 802.1Q / 802.1ad tags walked (0..8). */
  vlanCount: number;
  /** VLAN id of the outermost tag, -1 when untagged. */
  vlanId: number;
}

export function createLinkView(): LinkView {
  return { etherType: 0, start: 0, vlanCount: 0, vlanId: -1 };
}

/**
 * An IP datagram's payload after the IP layer (reassembled when it was fragmented).
 * `buf` is the packet buffer, or a reassembly buffer owned by the IP layer that stays valid
 * until the next call into the IP layer.
 */
export interface IpView {
  /** 4 or 6. */
  version: number;
  /** Upper-layer protocol after IPv6 extension headers (132 SCTP, 6 TCP, 17 UDP). */
  proto: number;
  buf: Buffer;
  /** Upper-layer payload [start, end) within buf. */
  start: number;
  end: number;
  /** IPv4 addresses as unsigned 32-bit numbers (0 for IPv6). */
  src4: number;
  dst4: number;
  /** IPv6 addresses: 16 bytes each at srcOff / dstOff in addrBuf (the same buffer as buf for an
   *  unfragmented datagram). For IPv4, addrBuf/srcOff/dstOff point at the 4-byte addresses. */
  addrBuf: Buffer;
  srcOff: number;
  dstOff: number;
  /** true when this payload was rebuilt from fragments. */
  reassembled: boolean;

  /** Offset of the IP header in the packet buffer (the fixed header; not moved by reassembly). */
  headerStart: number;
  /** IPv4 TTL / IPv6 Hop Limit. */
  ttl: number;
  /** true when the packet is a fragment (IPv4 MF or offset != 0; IPv6 Fragment header that is
   *  not an atomic fragment, RFC 6946). Cleared once the datagram is reassembled. */
  isFragment: boolean;
  /** Fragment fields: offset in octets, More Fragments flag, Identification (IPv4 16 bits,
   *  IPv6 32 bits). Only meaningful when isFragment. */
  fragOffset: number;
  moreFragments: boolean;
  fragId: number;
  /** Number of IPv6 extension headers walked (0 for IPv4). */
  extCount: number;
}

export function createIpView(): IpView {
  const empty = Buffer.alloc(0);
  return {
    version: 0, proto: 0, buf: empty, start: 0, end: 0, src4: 0, dst4: 0, addrBuf: empty,
    srcOff: 0, dstOff: 0, reassembled: false, headerStart: 0, ttl: 0, isFragment: false,
    fragOffset: 0, moreFragments: false, fragId: 0, extCount: 0,
  };
}

/** SCTP common header (RFC 9260 §3.1) and the chunk walk position. */
export interface SctpHeaderView {
  srcPort: number;
  dstPort: number;
  /** Verification Tag. */
  vtag: number;
  /** CRC32c as carried (not verified). */
  checksum: number;
  /** Offset of the next chunk to decode (advanced by nextSctpChunk); the walk ends when
   *  next >= end. */
  next: number;
  /** End of the SCTP packet in buf. */
  end: number;
  /** Chunks decoded so far. */
  chunkCount: number;
}

export function createSctpHeaderView(): SctpHeaderView {
  return { srcPort: 0, dstPort: 0, vtag: 0, checksum: 0, next: 0, end: 0, chunkCount: 0 };
}

/** One SCTP chunk (RFC 9260 §3.2) with the fields of the chunk types the probe uses. */
export interface SctpChunkView {
  type: number;
  flags: number;
  /** Chunk Length field (header included, padding excluded). */
  length: number;
  /** Chunk [start, start + length) in buf. */
  start: number;
  /** DATA (RFC 9260 §3.3.1) / I-DATA (RFC 8260 §2.1) fields. */
  tsn: number;
  streamId: number;
  /** DATA Stream Sequence Number (-1 for I-DATA). */
  ssn: number;
  /** I-DATA Message Identifier (-1 for DATA). */
  mid: number;
  /** I-DATA Fragment Sequence Number (0 when B = 1, the field then carries the PPID). */
  fsn: number;
  /** Payload Protocol Identifier (I-DATA: only when B = 1, else 0). */
  ppid: number;
  unordered: boolean;
  beginning: boolean;
  ending: boolean;
  /** User data [payloadStart, payloadEnd) in buf. */
  payloadStart: number;
  payloadEnd: number;
  /** INIT / INIT ACK (RFC 9260 §3.3.2, §3.3.3): Initiate Tag and Initial TSN. */
  initiateTag: number;
  initialTsn: number;
}

export function createSctpChunkView(): SctpChunkView {
  return {
    type: 0, flags: 0, length: 0, start: 0, tsn: 0, streamId: 0, ssn: -1, mid: -1, fsn: 0,
    ppid: 0, unordered: false, beginning: false, ending: false, payloadStart: 0, payloadEnd: 0,
    initiateTag: 0, initialTsn: 0,
  };
}

/** One complete SCTP user message (a DATA / I-DATA chunk, or several reassembled). */
export interface SctpMessageView {
  ppid: number;
  streamId: number;
  srcPort: number;
  dstPort: number;
  /**
   * Numeric identity of the association *and direction* (both directions of one association
   * give different values; see assocPeer for the reverse). Stable for the association's lifetime.
   */
  assocKey: number;
  /** The key of the reverse direction of the same association (-1 if unknown). */
  assocPeer: number;
  /** The user message is [start, end) of buf (the packet buffer, or a reassembly buffer valid
   *  during the callback only). */
  buf: Buffer;
  start: number;
  end: number;
  /** true when reassembled from several fragments. */
  reassembled: boolean;

  /** TSN of the (first) DATA / I-DATA chunk of the message. */
  tsn: number;
  /** DATA Stream Sequence Number (-1 for I-DATA). */
  ssn: number;
  /** I-DATA Message Identifier (-1 for DATA). */
  mid: number;
  /** U bit: unordered delivery. */
  unordered: boolean;
  /** Verification Tag of the packet that completed the message. */
  vtag: number;
  /** Number of chunks the message was carried in (1 when not fragmented). */
  fragments: number;
}

export function createSctpMessageView(): SctpMessageView {
  return {
    ppid: 0, streamId: 0, srcPort: 0, dstPort: 0, assocKey: -1, assocPeer: -1,
    buf: Buffer.alloc(0), start: 0, end: 0, reassembled: false, tsn: 0, ssn: -1, mid: -1,
    unordered: false, vtag: 0, fragments: 0,
  };
}

/** TCP header (RFC 9293 §3.1): the fields the stream reassembly uses; options are skipped. */
export interface TcpView {
  srcPort: number;
  dstPort: number;
  /** Sequence and acknowledgment numbers (unsigned 32-bit). */
  seq: number;
  ack: number;
  /** Header length in octets (Data Offset × 4, 20..60). */
  headerLen: number;
  /** Control bits (CWR ECE URG ACK PSH RST SYN FIN), TcpFlag masks. */
  flags: number;
  window: number;
  /** Segment data [payloadStart, payloadEnd) in the IP view's buffer. */
  payloadStart: number;
  payloadEnd: number;
}

export function createTcpView(): TcpView {
  return { srcPort: 0, dstPort: 0, seq: 0, ack: 0, headerLen: 0, flags: 0, window: 0, payloadStart: 0, payloadEnd: 0 };
}

/** UDP header (RFC 768): ports, Length, Checksum (not verified) and the datagram's payload. */
export interface UdpView {
  srcPort: number;
  dstPort: number;
  /** Length field (header + data, octets). */
  length: number;
  checksum: number;
  /** Payload [payloadStart, payloadEnd) in the IP view's buffer: bounded by the Length field
   *  (link padding after it is excluded) and by the captured bytes. */
  payloadStart: number;
  payloadEnd: number;
}

export function createUdpView(): UdpView {
  return { srcPort: 0, dstPort: 0, length: 0, checksum: 0, payloadStart: 0, payloadEnd: 0 };
}
