/**
 * Test helper: small GTPv1 (TS 29.060 §6, §7.7) and GTPv2-C (TS 29.274 §5, §8) encoders, and
 * synthesized Ethernet / IPv4 or IPv6 / UDP captures written with the probe's PcapWriter.
 * Independent of the decoders; the link and IP encoders are the generator's (src/gen/encode).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, encodeEthernet, macFromNumber } from '../../src/gen/encode/ethernet';
import { encodeIpv4, ipv4Address } from '../../src/gen/encode/ipv4';
import { encodeIpv6, ipv6Address } from '../../src/gen/encode/ipv6';
import { LINKTYPE_ETHERNET, PcapWriter } from '../../src/capture/pcapWriter';
import type { DialogueRecord, TunnelRecord } from '../../src/correlate/record';
import { Pipeline, type PipelineOptions } from '../../src/dispatch/pipeline';
import { IdentityProtector } from '../../src/correlate/identities';
import { PcapReader } from '../../src/capture/pcapReader';
import { replayRecords } from './replay';

// ------------------------------------------------------------------ digits

/** TBCD (low nibble first, 0xF filler), TS 29.002 §17.7.8. */
export function tbcd(digits: string): Buffer {
  const b = Buffer.alloc(Math.ceil(digits.length / 2));
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (i % 2 === 0) b[i >> 1] = 0xf0 | d;
    else b[i >> 1] = (b[i >> 1] & 0x0f) | (d << 4);
  }
  return b;
}

/** PLMN identity (TS 24.008 §10.5.1.13): MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1. */
export function plmn(mcc: string, mnc: string): Buffer {
  const m = mcc.split('').map(Number);
  const n = mnc.split('').map(Number);
  const mnc3 = n.length === 3 ? n[2] : 0xf;
  return Buffer.from([(m[1] << 4) | m[0], (mnc3 << 4) | m[2], (n[1] << 4) | n[0]]);
}

/** APN labels (TS 23.003 §9.1). */
export function apnLabels(apn: string): Buffer {
  return Buffer.concat(apn.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])));
}

function ipBytes(ip: string): Buffer {
  return ip.includes(':') ? ipv6Address(ip) : ipv4Address(ip);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

// ------------------------------------------------------------------ GTPv1

/** TV IE: type + fixed-length value (TS 29.060 §7.7). */
export function tv(type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), value]);
}

/** TLV IE: type (≥ 128) + 2-octet length + value. */
export function tlv(type: number, value: Buffer): Buffer {
  const h = Buffer.alloc(3);
  h[0] = type;
  h.writeUInt16BE(value.length, 1);
  return Buffer.concat([h, value]);
}

export const v1ie = {
  cause: (c: number) => tv(1, Buffer.from([c])),
  imsi: (d: string) => {
    const b = Buffer.alloc(8, 0xff);
    tbcd(d).copy(b);
    return tv(2, b);
  },
  rai: (mcc: string, mnc: string) => tv(3, Buffer.concat([plmn(mcc, mnc), Buffer.from([0x12, 0x34, 0x56])])),
  recovery: (n: number) => tv(14, Buffer.from([n])),
  selectionMode: () => tv(15, Buffer.from([0xfc])),
  teidData: (t: number) => tv(16, u32(t)),
  teidControl: (t: number) => tv(17, u32(t)),
  teardown: (on: boolean) => tv(19, Buffer.from([on ? 0xff : 0xfe])),
  nsapi: (n: number) => tv(20, Buffer.from([n])),
  chargingId: (n: number) => tv(127, u32(n)),
  eua: () => tlv(128, Buffer.from([0xf1, 0x21])),
  apn: (a: string) => tlv(131, apnLabels(a)),
  gsn: (ip: string) => tlv(133, ipBytes(ip)),
  msisdn: (d: string) => tlv(134, Buffer.concat([Buffer.from([0x91]), tbcd(d)])),
  rat: (r: number) => tlv(151, Buffer.from([r])),
  uliCgi: (mcc: string, mnc: string) => tlv(152, Buffer.concat([Buffer.from([0]), plmn(mcc, mnc), Buffer.from([0, 1, 0, 2])])),
  imeisv: (d: string) => tlv(154, tbcd(d)),
};

export interface V1Opts {
  /** Header flags E/S/PN (default S only). */
  flags?: number;
  npdu?: number;
  /** Extension headers: content without the length octet and next-type octet (padded by the caller to 4n − 2). */
  ext?: { type: number; content: Buffer }[];
}

/** GTPv1 message: header (TS 29.060 §6) + IEs. */
export function gtpv1(type: number, teid: number, seq: number | null, ies: Buffer[], o: V1Opts = {}): Buffer {
  const ext = o.ext ?? [];
  let flags = o.flags ?? (seq !== null ? 0x02 : 0);
  if (ext.length > 0) flags |= 0x04;
  const opt: Buffer[] = [];
  if (flags & 0x07) {
    const b = Buffer.alloc(4);
    b.writeUInt16BE(seq ?? 0, 0);
    b[2] = o.npdu ?? 0;
    b[3] = ext.length > 0 ? ext[0].type : 0;
    opt.push(b);
    ext.forEach((e, i) => {
      const n = (e.content.length + 2) / 4;
      if (!Number.isInteger(n)) throw new Error('extension header content must be 4n-2 octets');
      opt.push(Buffer.from([n]), e.content, Buffer.from([i + 1 < ext.length ? ext[i + 1].type : 0]));
    });
  }
  const body = Buffer.concat([...opt, ...ies]);
  const h = Buffer.alloc(8);
  h[0] = 0x30 | flags;
  h[1] = type;
  h.writeUInt16BE(body.length, 2);
  h.writeUInt32BE(teid >>> 0, 4);
  return Buffer.concat([h, body]);
}

// ------------------------------------------------------------------ GTPv2-C

/** IE (TS 29.274 §8.2.1): type, length, instance, value. */
export function ie2(type: number, instance: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUInt16BE(value.length, 1);
  h[3] = instance & 0x0f;
  return Buffer.concat([h, value]);
}

export const v2ie = {
  imsi: (d: string) => ie2(1, 0, tbcd(d)),
  cause: (c: number) => ie2(2, 0, Buffer.from([c, 0])),
  recovery: (n: number) => ie2(3, 0, Buffer.from([n])),
  apn: (a: string) => ie2(71, 0, apnLabels(a)),
  ebi: (e: number, instance = 0) => ie2(73, instance, Buffer.from([e])),
  mei: (d: string) => ie2(75, 0, tbcd(d)),
  msisdn: (d: string) => ie2(76, 0, tbcd(d)),
  pdnType: (t: number) => ie2(99, 0, Buffer.from([t])),
  rat: (r: number) => ie2(82, 0, Buffer.from([r])),
  servingNetwork: (mcc: string, mnc: string) => ie2(83, 0, plmn(mcc, mnc)),
  /** ULI with TAI + ECGI (flags 0x18). */
  uli: (mcc: string, mnc: string) => ie2(86, 0, Buffer.concat([Buffer.from([0x18]), plmn(mcc, mnc), Buffer.from([0, 1]), plmn(mcc, mnc), u32(0x0102)])),
  /** F-TEID (§8.22) with an IPv4 or IPv6 address. */
  fteid: (iface: number, teid: number, ip: string, instance = 0) => {
    const a = ipBytes(ip);
    return ie2(87, instance, Buffer.concat([Buffer.from([(a.length === 4 ? 0x80 : 0x40) | iface]), u32(teid), a]));
  },
  chargingId: (n: number) => ie2(94, 0, u32(n)),
  bearerContext: (ies: Buffer[], instance = 0) => ie2(93, instance, Buffer.concat(ies)),
};

/** GTPv2-C message (TS 29.274 §5.1): teid null → T = 0. */
export function gtpv2(type: number, teid: number | null, seq: number, ies: Buffer[], o: { piggyback?: boolean; priority?: number } = {}): Buffer {
  const body = Buffer.concat(ies);
  const hl = teid !== null ? 12 : 8;
  const h = Buffer.alloc(hl);
  h[0] = 0x40 | (o.piggyback ? 0x10 : 0) | (teid !== null ? 0x08 : 0) | (o.priority !== undefined ? 0x04 : 0);
  h[1] = type;
  h.writeUInt16BE(hl - 4 + body.length, 2);
  let p = 4;
  if (teid !== null) {
    h.writeUInt32BE(teid >>> 0, 4);
    p = 8;
  }
  h[p] = (seq >> 16) & 0xff;
  h[p + 1] = (seq >> 8) & 0xff;
  h[p + 2] = seq & 0xff;
  h[p + 3] = o.priority !== undefined ? o.priority << 4 : 0;
  return Buffer.concat([h, body]);
}

// ------------------------------------------------------------------ frames and captures

/** UDP header (RFC 768), checksum 0 (not computed; the probe does not verify it). */
export function udp(sport: number, dport: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b.writeUInt16BE(sport, 0);
  b.writeUInt16BE(dport, 2);
  b.writeUInt16BE(8 + payload.length, 4);
  payload.copy(b, 8);
  return b;
}

let ipId = 1;

/** Ethernet / IPv4 or IPv6 / UDP frame. */
export function udpFrame(src: string, dst: string, sport: number, dport: number, payload: Buffer): Buffer {
  const l4 = udp(sport, dport, payload);
  const v6 = src.includes(':');
  const ip = v6
    ? encodeIpv6({ src: ipv6Address(src), dst: ipv6Address(dst), nextHeader: 17 }, l4)[0]
    : encodeIpv4({ src: ipv4Address(src), dst: ipv4Address(dst), protocol: 17, id: ipId++ & 0xffff }, l4)[0];
  return encodeEthernet(macFromNumber(2), macFromNumber(1), v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, ip);
}

export interface Pkt {
  tsUs: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  gtp: Buffer;
}

/** Writes the packets (frames numbered 1.. in order) to a fresh pcap file and returns its path. */
export function writeGtpCapture(name: string, pkts: readonly Pkt[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigprobe-gtp-'));
  const path = join(dir, `${name}.pcap`);
  const w = PcapWriter.create(path, { linkType: LINKTYPE_ETHERNET });
  for (const p of pkts) w.write(p.tsUs, udpFrame(p.src, p.dst, p.sport ?? 2123, p.dport ?? 2123, p.gtp));
  w.close();
  return path;
}

// ------------------------------------------------------------------ scenarios

/** Packets at increasing times (µs offsets from a fixed epoch), written and replayed as a capture. */
export class GtpScenario {
  readonly pkts: Pkt[] = [];
  t = 1_700_000_000_000_000;

  /** Adds a datagram dtUs after the previous one; returns its frame number. */
  add(dtUs: number, src: string, dst: string, gtp: Buffer, sport = 2123, dport = 2123): number {
    this.t += dtUs;
    this.pkts.push({ tsUs: this.t, src, dst, sport, dport, gtp });
    return this.pkts.length;
  }

  /** Writes the capture and replays it through a fresh pipeline (raw identities). */
  run(name: string, opts: Partial<PipelineOptions> = {}): { records: DialogueRecord[]; tunnels: TunnelRecord[]; pipeline: Pipeline; file: string } {
    const file = writeGtpCapture(name, this.pkts);
    const tunnels: TunnelRecord[] = [];
    const { records, pipeline } = replayRecords([file], { tunnelSink: { writeTunnel: (t) => tunnels.push(t) }, ...opts });
    return { records: records.filter((r) => r.protocol === 'gtpv1' || r.protocol === 'gtpv2'), tunnels, pipeline, file };
  }

  /** Writes the capture and feeds it to an existing pipeline (not finished: the caller decides). */
  feed(name: string, p: Pipeline): void {
    const r = PcapReader.open(writeGtpCapture(name, this.pkts));
    p.setSource(name);
    while (r.read(p.onPacket.bind(p), 65536) > 0) {
      /* stream */
    }
    r.close();
  }
}

/** A pipeline (raw identities) whose records and tunnels are collected. */
export function collectingPipeline(opts: Partial<PipelineOptions> = {}): { pipeline: Pipeline; records: DialogueRecord[]; tunnels: TunnelRecord[] } {
  const records: DialogueRecord[] = [];
  const tunnels: TunnelRecord[] = [];
  const pipeline = new Pipeline({ write: (r) => records.push(r) }, new IdentityProtector('raw', null), {
    site: 'test', tunnelSink: { writeTunnel: (t) => tunnels.push(t) }, ...opts,
  });
  return { pipeline, records, tunnels };
}
