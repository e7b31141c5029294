/**
 * Test helper: the UDP payload of each frame of a capture, without the product's decoders:
 * Ethernet (802.1Q / 802.1ad tags) or Linux SLL → IPv4 (unfragmented) or IPv6 (no extension
 * headers) → UDP. Frames that are anything else are skipped.
 */
import { readPcapRecords } from './pcapRecords';

export interface UdpInFrame {
  /** 1-based frame number, as tshark numbers frames */
  frame: number;
  tsUs: number;
  buf: Buffer;
  sport: number;
  dport: number;
  /** UDP payload = buf[start, end) */
  start: number;
  end: number;
}

export function captureUdp(path: string): UdpInFrame[] {
  const out: UdpInFrame[] = [];
  readPcapRecords(path).forEach((r, i) => {
    const b = r.data;
    let p: number;
    let et: number;
    if (r.linkType === 1) {
      p = 12;
      et = b.readUInt16BE(p);
      while (et === 0x8100 || et === 0x88a8) {
        p += 4;
        et = b.readUInt16BE(p);
      }
      p += 2;
    } else if (r.linkType === 113) {
      et = b.readUInt16BE(14);
      p = 16;
    } else return;
    let l4: number;
    let l4end: number;
    if (et === 0x0800) {
      if (b[p + 9] !== 17 || (b.readUInt16BE(p + 6) & 0x3fff) !== 0) return;
      l4 = p + (b[p] & 0x0f) * 4;
      l4end = p + b.readUInt16BE(p + 2);
    } else if (et === 0x86dd) {
      if (b[p + 6] !== 17) return;
      l4 = p + 40;
      l4end = l4 + b.readUInt16BE(p + 4);
    } else return;
    const len = b.readUInt16BE(l4 + 4);
    out.push({
      frame: i + 1, tsUs: r.tsUs, buf: b, sport: b.readUInt16BE(l4), dport: b.readUInt16BE(l4 + 2),
      start: l4 + 8, end: Math.min(l4 + len, l4end, b.length),
    });
  });
  return out;
}

/** The UDP payload of frame n (1-based). */
export function udpFrame(path: string, n: number): UdpInFrame {
  const f = captureUdp(path).find((x) => x.frame === n);
  if (!f) throw new Error(`frame ${n} of ${path} is not UDP`);
  return f;
}
