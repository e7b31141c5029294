/**
 * ITU MTP3 message signal unit header: service information octet and routing label
 * (ITU-T Q.704 §14.2, §2.2). Carrier-independent: used for M2UA Protocol Data 1 and for the
 * M3UA draft Protocol Data 1; the caller turns a `false` into its own layer's anomaly code.
 */
import type { Mtp3View } from '../m3ua/types';

/** SIO(1) + ITU routing label(4) (Q.704 §2.2.1, Figure 3). */
export const MTP3_HEADER_LEN = 5;

/**
 * Decodes the MSU at [start, end): SIO, then the 32-bit routing label transmitted least
 * significant bit first (so read little-endian): DPC bits 0-13, OPC bits 14-27, SLS bits
 * 28-31 (Q.704 §2.2.2 - 2.2.4). The user part is [start + 5, end).
 * Returns false (view untouched) when fewer than 5 octets are available.
 */
export function decodeMtp3(buf: Buffer, start: number, end: number, out: Mtp3View): boolean {
  if (start < 0 || end > buf.length || end - start < MTP3_HEADER_LEN) return false;
  const sio = buf[start];
  // Q.704 §14.2.1: service indicator = bits DCBA; §14.2.2: sub-service field = network
  // indicator (bits DC of the upper nibble) + two spare bits (national priority, bits BA).
  out.si = sio & 0x0f;
  out.ni = sio >> 6;
  out.mp = (sio >> 4) & 0x03;
  const label = buf.readUInt32LE(start + 1);
  out.dpc = label & 0x3fff;
  out.opc = (label >>> 14) & 0x3fff;
  out.sls = label >>> 28;
  out.dataStart = start + MTP3_HEADER_LEN;
  out.dataEnd = end;
  return true;
}
