/**
 * Test helper: synthesized Ethernet / IPv4 or IPv6 / TCP or SCTP captures for the IP protocol
 * tests. Reuses the generator's link, IP and SCTP encoders (src/gen/encode, independent of the
 * decoders); the TCP header (RFC 9293 §3.1, checksum left 0: neither tshark nor the probe
 * verifies it) is built here. Frames are numbered 1.. in the order added.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, encodeEthernet, macFromNumber } from '../../src/gen/encode/ethernet';
import { encodeIpv4, ipv4Address } from '../../src/gen/encode/ipv4';
import { encodeIpv6, ipv6Address } from '../../src/gen/encode/ipv6';
import { DATA_FLAG_B, DATA_FLAG_E, dataChunk, encodeSctpPacket } from '../../src/gen/encode/sctp';
import { LINKTYPE_ETHERNET, PcapWriter } from '../../src/capture/pcapWriter';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface TcpFields {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  window?: number;
}

/** TCP header without options (Data Offset 5) + payload. */
export function tcpSegment(f: TcpFields, payload: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(20 + payload.length);
  b.writeUInt16BE(f.sport, 0);
  b.writeUInt16BE(f.dport, 2);
  b.writeUInt32BE(f.seq >>> 0, 4);
  b.writeUInt32BE(f.ack >>> 0, 8);
  b[12] = 5 << 4;
  b[13] = f.flags;
  b.writeUInt16BE(f.window ?? 65535, 14);
  payload.copy(b, 20);
  return b;
}

function ipPacket(src: string, dst: string, proto: number, l4: Buffer, id: number): { etherType: number; ip: Buffer } {
  if (src.includes(':')) {
    return { etherType: ETHERTYPE_IPV6, ip: encodeIpv6({ src: ipv6Address(src), dst: ipv6Address(dst), nextHeader: proto }, l4)[0] };
  }
  return { etherType: ETHERTYPE_IPV4, ip: encodeIpv4({ src: ipv4Address(src), dst: ipv4Address(dst), protocol: proto, id }, l4)[0] };
}

export interface SctpChunkSpec {
  tsn: number;
  ppid: number;
  data: Buffer;
  /** B/E flags (default B|E: unfragmented) */
  flags?: number;
  sid?: number;
  ssn?: number;
}

/** Builds a capture frame by frame (1 ms apart unless told otherwise). */
export class CaptureBuilder {
  readonly frames: { tsUs: number; data: Buffer }[] = [];
  tsUs = 1_700_000_000_000_000;
  private ipId = 1;

  /** Adds an Ethernet frame carrying an IP packet; returns its frame number. */
  ip(src: string, dst: string, proto: number, l4: Buffer, dtUs = 1000): number {
    const { etherType, ip } = ipPacket(src, dst, proto, l4, this.ipId++);
    this.tsUs += dtUs;
    this.frames.push({ tsUs: this.tsUs, data: encodeEthernet(macFromNumber(1), macFromNumber(2), etherType, ip) });
    return this.frames.length;
  }

  tcp(src: string, dst: string, f: TcpFields, payload?: Buffer, dtUs?: number): number {
    return this.ip(src, dst, 6, tcpSegment(f, payload), dtUs);
  }

  sctp(src: string, dst: string, sport: number, dport: number, chunks: SctpChunkSpec[], dtUs?: number): number {
    const c = chunks.map((k) => dataChunk({ tsn: k.tsn, sid: k.sid ?? 0, ssn: k.ssn ?? 0, ppid: k.ppid, flags: k.flags ?? DATA_FLAG_B | DATA_FLAG_E }, k.data));
    return this.ip(src, dst, 132, encodeSctpPacket(sport, dport, 0x01020304, c), dtUs);
  }

  /** Writes the capture as classic pcap (µs) and returns its path. */
  write(name: string): string {
    const dir = join(tmpdir(), 'sigprobe-diameter-tests');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${process.pid}-${name}.pcap`);
    const w = PcapWriter.create(path, { linkType: LINKTYPE_ETHERNET });
    for (const f of this.frames) w.write(f.tsUs, f.data);
    w.close();
    return path;
  }
}

/** One TCP connection of a CaptureBuilder: tracks both sequence numbers. */
export class TcpConn {
  /** Next sequence number of the client / server. */
  cseq: number;
  sseq: number;

  constructor(
    readonly b: CaptureBuilder,
    readonly client: string,
    readonly server: string,
    readonly cport: number,
    readonly sport = 3868,
    isnC = 1000,
    isnS = 5000,
  ) {
    this.cseq = isnC;
    this.sseq = isnS;
  }

  /** SYN, SYN-ACK, ACK (RFC 9293 §3.5). */
  handshake(): void {
    this.b.tcp(this.client, this.server, { sport: this.cport, dport: this.sport, seq: this.cseq, ack: 0, flags: TCP_SYN });
    this.cseq = (this.cseq + 1) >>> 0;
    this.b.tcp(this.server, this.client, { sport: this.sport, dport: this.cport, seq: this.sseq, ack: this.cseq, flags: TCP_SYN | TCP_ACK });
    this.sseq = (this.sseq + 1) >>> 0;
    this.b.tcp(this.client, this.server, { sport: this.cport, dport: this.sport, seq: this.cseq, ack: this.sseq, flags: TCP_ACK });
  }

  /**
   * A data segment from the client (fromClient) or the server, at the current sequence number
   * (or at `seq` when given: retransmissions, overlaps, holes); advances the sender's sequence
   * number past the data unless `advance` is false. Returns the frame number.
   */
  send(fromClient: boolean, data: Buffer, o: { seq?: number; advance?: boolean; flags?: number; dtUs?: number } = {}): number {
    const seq = o.seq ?? (fromClient ? this.cseq : this.sseq);
    const f: TcpFields = fromClient
      ? { sport: this.cport, dport: this.sport, seq, ack: this.sseq, flags: o.flags ?? TCP_PSH | TCP_ACK }
      : { sport: this.sport, dport: this.cport, seq, ack: this.cseq, flags: o.flags ?? TCP_PSH | TCP_ACK };
    const n = fromClient ? this.b.tcp(this.client, this.server, f, data, o.dtUs) : this.b.tcp(this.server, this.client, f, data, o.dtUs);
    if (o.advance !== false) {
      const next = (seq + data.length) >>> 0;
      if (fromClient) this.cseq = next;
      else this.sseq = next;
    }
    return n;
  }

  /** A pure ACK from one side. */
  ack(fromClient: boolean, dtUs?: number): number {
    return this.send(fromClient, Buffer.alloc(0), { flags: TCP_ACK, dtUs });
  }

  /** FIN from one side (consumes one sequence number). */
  fin(fromClient: boolean): number {
    const n = this.send(fromClient, Buffer.alloc(0), { flags: TCP_FIN | TCP_ACK });
    if (fromClient) this.cseq = (this.cseq + 1) >>> 0;
    else this.sseq = (this.sseq + 1) >>> 0;
    return n;
  }
}
