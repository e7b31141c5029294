/**
 * Test helper: builds pcap and pcapng images byte by byte (independent of src/capture), so the
 * reader's tests can synthesize every variant: both byte orders, µs / ns pcap, several pcapng
 * sections and interfaces, EPB / SPB / obsolete PB, unknown blocks.
 * pcap: draft-ietf-opsawg-pcap §4-5; pcapng: draft-ietf-opsawg-pcapng §3-4, appendix A (PB).
 */

function u16(v: number, le: boolean): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}

function u32(v: number, le: boolean): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}

function pad4(b: Buffer): Buffer {
  const p = (4 - (b.length & 3)) & 3;
  return p === 0 ? b : Buffer.concat([b, Buffer.alloc(p)]);
}

export interface PcapRec {
  sec: number;
  /** µs or ns, per the file's magic */
  sub: number;
  data: Buffer;
  /** default data.length */
  origLen?: number;
}

/** Classic pcap: file header (magic a1b2c3d4 / a1b23c4d in the chosen byte order) + records. */
export function buildPcap(o: { le: boolean; ns?: boolean; linkType: number; snaplen?: number }, recs: readonly PcapRec[]): Buffer {
  const le = o.le;
  const parts: Buffer[] = [
    u32(o.ns ? 0xa1b23c4d : 0xa1b2c3d4, le), // magic
    u16(2, le), u16(4, le), // version 2.4
    u32(0, le), u32(0, le), // thiszone, sigfigs
    u32(o.snaplen ?? 262144, le), // snaplen
    u32(o.linkType, le), // network
  ];
  for (const r of recs) {
    parts.push(u32(r.sec, le), u32(r.sub, le), u32(r.data.length, le), u32(r.origLen ?? r.data.length, le), r.data);
  }
  return Buffer.concat(parts);
}

/** The per-record trailer of the modified pcap format (libpcap struct pcap_sf_patched_pkthdr). */
export interface ModifiedRec extends PcapRec {
  ifindex?: number;
  /** Ethernet protocol (ETH_P_*) of the packet, host byte order of the writer */
  protocol?: number;
  /** Linux PACKET_* type: 0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing */
  pktType?: number;
}

/**
 * "Modified" pcap of Alexey Kuznetsov's patched libpcap (magic a1b2cd34, µs timestamps): the
 * file header of pcap, and each record header of 16 octets followed by ifindex(4), protocol(2),
 * pkt_type(1), pad(1).
 */
export function buildModifiedPcap(o: { le: boolean; linkType: number; snaplen?: number }, recs: readonly ModifiedRec[]): Buffer {
  const le = o.le;
  const parts: Buffer[] = [
    u32(0xa1b2cd34, le), u16(2, le), u16(4, le), u32(0, le), u32(0, le), u32(o.snaplen ?? 262144, le), u32(o.linkType, le),
  ];
  for (const r of recs) {
    parts.push(
      u32(r.sec, le), u32(r.sub, le), u32(r.data.length, le), u32(r.origLen ?? r.data.length, le),
      u32(r.ifindex ?? 2, le), u16(r.protocol ?? 0x0800, le), Buffer.of(r.pktType ?? 0, 0),
      r.data,
    );
  }
  return Buffer.concat(parts);
}

/** One option: code(2) length(2) value padded to 32 bits. */
export function ngOption(code: number, value: Buffer, le: boolean): Buffer {
  return Buffer.concat([u16(code, le), u16(value.length, le), pad4(value)]);
}

/** pcapng builder: every block is written in the byte order of the current section. */
export class NgBuilder {
  private readonly parts: Buffer[] = [];
  private le = true;

  /** A block: type, total length, body (padded), total length. */
  block(type: number, body: Buffer): this {
    const b = pad4(body);
    const len = 12 + b.length;
    this.parts.push(u32(type, this.le), u32(len, this.le), b, u32(len, this.le));
    return this;
  }

  /** Section Header Block (§4.1) starting a section of byte order `le`. */
  shb(le: boolean, options: Buffer = Buffer.alloc(0)): this {
    this.le = le;
    const body = Buffer.concat([
      u32(0x1a2b3c4d, le), // byte-order magic
      u16(1, le), u16(0, le), // version 1.0
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // section length -1
      options,
    ]);
    return this.block(0x0a0d0d0a, body);
  }

  /** Interface Description Block (§4.2). tsresol: raw if_tsresol octet; tsoffset: seconds. */
  idb(linkType: number, o: { snaplen?: number; tsresol?: number; tsoffset?: bigint; name?: string } = {}): this {
    const le = this.le;
    const opts: Buffer[] = [];
    if (o.name !== undefined) opts.push(ngOption(2, Buffer.from(o.name), le)); // if_name
    if (o.tsresol !== undefined) opts.push(ngOption(9, Buffer.of(o.tsresol), le)); // if_tsresol
    if (o.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (le) v.writeBigInt64LE(o.tsoffset);
      else v.writeBigInt64BE(o.tsoffset);
      opts.push(ngOption(14, v, le)); // if_tsoffset
    }
    if (opts.length) opts.push(u32(0, le)); // opt_endofopt
    return this.block(1, Buffer.concat([u16(linkType, le), u16(0, le), u32(o.snaplen ?? 0, le), ...opts]));
  }

  /** Enhanced Packet Block (§4.3); ts = 64-bit tick count in the interface's resolution. */
  epb(ifId: number, ts: bigint, data: Buffer, origLen?: number): this {
    const le = this.le;
    return this.block(6, Buffer.concat([
      u32(ifId, le), u32(Number(ts >> 32n), le), u32(Number(ts & 0xffffffffn), le),
      u32(data.length, le), u32(origLen ?? data.length, le), pad4(data),
    ]));
  }

  /** Obsolete Packet Block (appendix A): interface id(2), drops count(2), then as EPB. */
  pb(ifId: number, ts: bigint, data: Buffer, origLen?: number): this {
    const le = this.le;
    return this.block(2, Buffer.concat([
      u16(ifId, le), u16(0, le), u32(Number(ts >> 32n), le), u32(Number(ts & 0xffffffffn), le),
      u32(data.length, le), u32(origLen ?? data.length, le), pad4(data),
    ]));
  }

  /** Simple Packet Block (§4.4): original length, data. */
  spb(data: Buffer, origLen?: number): this {
    return this.block(3, Buffer.concat([u32(origLen ?? data.length, this.le), pad4(data)]));
  }

  /** Interface Statistics Block (§4.6) with no options. */
  isb(ifId: number): this {
    const le = this.le;
    return this.block(5, Buffer.concat([u32(ifId, le), u32(0, le), u32(0, le)]));
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A packet whose bytes identify it (frame n, length len). */
export function payload(n: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (n * 31 + i) & 0xff;
  return b;
}
