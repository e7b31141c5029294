/**
 * Big-endian reads without Buffer's per-call argument validation (the hot path checks every
 * offset against `end` before reading; these never throw).
 */

export function rd16(buf: Buffer, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

export function rd32(buf: Buffer, off: number): number {
  return ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
}
