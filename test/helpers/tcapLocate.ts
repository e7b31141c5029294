/**
 * Test helper: locate the TCAP message in each frame of an Ethernet/IPv4/SCTP SIGTRAN capture
 * without the product's decoders: SCTP DATA (fragments joined per stream on B/E flags) →
 * M3UA DATA Protocol Data (RFC 4666 §3.3.1) or M2UA DATA Protocol Data 1/2 (RFC 3331 §3.3.1.1)
 * + MTP3 SIO/routing label (Q.704, ITU 4 octets) → SCCP UDT (Q.713 §4.10) data parameter.
 * Strict: throws on anything unexpected (test inputs are known-good).
 */
import { captureDataChunks } from './sctpDataChunks';

export interface TcapInFrame {
  /** 1-based frame number, as tshark numbers frames */
  frame: number;
  /** the frame's (or the reassembled message's) bytes */
  buf: Buffer;
  /** TCAP message = buf[start, end) */
  start: number;
  end: number;
}

const PPID_M2UA = 2;
const PPID_M3UA = 3;

/** Offset of the MTP3 user part (SCCP) inside a M3UA or M2UA message, or −1 when not DATA. */
function sccpOffset(msg: Buffer, ppid: number): number {
  const cls = msg[2];
  const type = msg[3];
  const len = msg.readUInt32BE(4);
  let pos = 8;
  while (pos + 4 <= len) {
    const tag = msg.readUInt16BE(pos);
    const plen = msg.readUInt16BE(pos + 2);
    if (ppid === PPID_M3UA && cls === 1 && type === 1 && tag === 0x0210) return pos + 4 + 12; // OPC DPC SI NI MP SLS
    if (ppid === PPID_M2UA && cls === 6 && type === 1 && tag === 0x0300) return pos + 4 + 5; // SIO + ITU routing label
    // Protocol Data 2 (TTC, RFC 3331 §3.3.1.1): one priority octet before the SIO
    if (ppid === PPID_M2UA && cls === 6 && type === 1 && tag === 0x0301) return pos + 4 + 6;
    pos += (plen + 3) & ~3;
  }
  return -1;
}

/** [start, end) of the data parameter of the SCCP UDT at `s`, or null when not a UDT. */
function udtData(buf: Buffer, s: number): [number, number] | null {
  if (buf[s] !== 0x09) return null;
  const p = s + 4; // pointer to the third mandatory variable parameter (data), Q.713 §4.10
  const at = p + buf[p];
  return [at + 1, at + 1 + buf[at]];
}

/** TCAP messages of every frame of the capture (frames without TCAP are skipped). */
export function captureTcap(path: string): TcapInFrame[] {
  const out: TcapInFrame[] = [];
  const pending = new Map<string, Buffer[]>();
  captureDataChunks(path).forEach((chunks, i) => {
    for (const c of chunks) {
      if (c.ppid !== PPID_M2UA && c.ppid !== PPID_M3UA) continue;
      const key = `${c.ppid}/${c.streamId}`;
      let msg: Buffer;
      if ((c.flags & 3) === 3) {
        msg = c.payload;
      } else {
        const parts = (c.flags & 2) !== 0 ? [] : (pending.get(key) ?? []);
        parts.push(c.payload);
        if ((c.flags & 1) === 0) {
          pending.set(key, parts);
          continue;
        }
        pending.delete(key);
        msg = Buffer.concat(parts);
      }
      const s = sccpOffset(msg, c.ppid);
      if (s < 0) continue;
      const d = udtData(msg, s);
      if (d !== null) out.push({ frame: i + 1, buf: msg, start: d[0], end: d[1] });
    }
  });
  return out;
}
