/** FNV-1a (32-bit) over a byte range: cheap identity of a message, to tell a retransmission
 *  (same bytes) from a new transaction that reuses an id. */
export function fnv1a(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= buf[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
