// Progress lines of the bench go to stderr; stdout carries only the results table.
export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}
