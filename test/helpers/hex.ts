/** Test helper: bytes from hex fragments, e.g. hex('01 00', '0a0b') (whitespace ignored). */
export function hex(...parts: string[]): Buffer {
  const s = parts.join('').replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(s)) throw new Error(`bad hex: ${s}`);
  return Buffer.from(s, 'hex');
}
