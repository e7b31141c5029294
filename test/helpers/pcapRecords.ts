/**
 * Test helper: read a whole pcap or pcapng file into an array of records.
 * Deliberately tiny and strict (throws on a malformed file: test inputs are known-good).
 * pcap: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html
 * pcapng: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-01.html (SHB, IDB, EPB, SPB)
 */
import { readFileSync } from 'fs';

export interface PcapRecord {
  /** Captured bytes of the packet (a view into the file buffer). */
  data: Buffer;
  /** Timestamp in microseconds since the epoch (ns-resolution files are truncated to µs). */
  tsUs: number;
  /** LINKTYPE_* of the interface (1 Ethernet, 113 Linux SLL, ...). */
  linkType: number;
}

export function readPcapRecords(path: string): PcapRecord[] {
  const buf = readFileSync(path);
  const magic = buf.readUInt32LE(0);
  if (magic === 0x0a0d0d0a) return readPcapng(buf);
  return readPcap(buf);
}

function readPcap(buf: Buffer): PcapRecord[] {
  const m = buf.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) { le = true; nano = m === 0xa1b23c4d; }
  else {
    const mb = buf.readUInt32BE(0);
    if (mb !== 0xa1b2c3d4 && mb !== 0xa1b23c4d) throw new Error('not a pcap file');
    le = false; nano = mb === 0xa1b23c4d;
  }
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const out: PcapRecord[] = [];
  let pos = 24;
  while (pos + 16 <= buf.length) {
    const sec = u32(pos);
    const frac = u32(pos + 4);
    const capLen = u32(pos + 8);
    if (pos + 16 + capLen > buf.length) throw new Error(`truncated pcap record at ${pos}`);
    out.push({
      data: buf.subarray(pos + 16, pos + 16 + capLen),
      tsUs: sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac),
      linkType,
    });
    pos += 16 + capLen;
  }
  return out;
}

interface Iface { linkType: number; unitsPerSec: number }

function readPcapng(buf: Buffer): PcapRecord[] {
  const out: PcapRecord[] = [];
  let le = true;
  let ifaces: Iface[] = [];
  let pos = 0;
  while (pos + 12 <= buf.length) {
    let type = le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
    if (type === 0x0a0d0d0a) {
      // Section Header Block: byte-order magic decides the endianness of the section.
      le = buf.readUInt32LE(pos + 8) === 0x1a2b3c4d;
      if (!le && buf.readUInt32BE(pos + 8) !== 0x1a2b3c4d) throw new Error('bad pcapng byte-order magic');
      ifaces = [];
      type = 0x0a0d0d0a;
    }
    const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const blockLen = u32(pos + 4);
    if (blockLen < 12 || pos + blockLen > buf.length) throw new Error(`bad pcapng block at ${pos}`);
    const body = pos + 8;
    const bodyEnd = pos + blockLen - 4;
    if (type === 1) {
      // Interface Description Block: linktype(2) reserved(2) snaplen(4) options.
      const iface: Iface = { linkType: u16(body), unitsPerSec: 1e6 };
      let o = body + 8;
      while (o + 4 <= bodyEnd) {
        const code = u16(o);
        const len = u16(o + 2);
        if (code === 0) break;
        if (code === 9 && len === 1) {
          // if_tsresol: MSB set = power of 2, else power of 10.
          const v = buf[o + 4];
          iface.unitsPerSec = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        }
        o += 4 + ((len + 3) & ~3);
      }
      ifaces.push(iface);
    } else if (type === 6) {
      // Enhanced Packet Block: if id, ts high, ts low, caplen, origlen, data.
      const iface = ifaces[u32(body)];
      if (!iface) throw new Error('EPB for unknown interface');
      const ts = u32(body + 4) * 4294967296 + u32(body + 8);
      const capLen = u32(body + 12);
      out.push({
        data: buf.subarray(body + 20, body + 20 + capLen),
        tsUs: iface.unitsPerSec >= 1e6 ? Math.floor(ts / (iface.unitsPerSec / 1e6)) : Math.floor(ts * (1e6 / iface.unitsPerSec)),
        linkType: iface.linkType,
      });
    } else if (type === 3) {
      // Simple Packet Block: origlen, data (interface 0, no timestamp).
      const iface = ifaces[0];
      if (!iface) throw new Error('SPB without interface');
      const capLen = Math.min(u32(body), bodyEnd - body - 4);
      out.push({ data: buf.subarray(body + 4, body + 4 + capLen), tsUs: 0, linkType: iface.linkType });
    }
    pos += blockLen;
  }
  return out;
}
