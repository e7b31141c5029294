/**
 * `sigprobe trace` on bad queries: one line `sigprobe: ...` on stderr, exit 2, nothing on stdout,
 * the identity typed never echoed — an unknown IMSI, a malformed IMSI / MSISDN / pseudonym / GT,
 * a period without data, the key missing, a missing spool, no selector; and the privacy of a good
 * one: the raw IMSI typed is neither stored nor logged (text and json hold pseudonyms only).
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildWorld, cli } from './fixture';

const w = buildWorld(30, 11);

function expectBad(r: ReturnType<typeof cli>, pattern: RegExp, secret?: string): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^sigprobe: /);
  expect(lines[0]).toMatch(pattern);
  if (secret !== undefined) expect(lines[0].includes(secret)).toBe(false);
}

describe('sigprobe trace: bad queries', () => {
  const [imsi, lines] = [...w.devices][0];

  it('an IMSI that is not in the spool (valid digits)', () => {
    const unknown = '001019999999999';
    expectBad(cli(['trace', '--imsi', unknown, '--spool', w.spool]), /no records of that imsi in .*s\.db \(is the key file the one the probe used\?\)/, unknown);
    expectBad(cli(['trace', '--msisdn', '+34600000001', '--spool', w.spool]), /no records of that msisdn/, '34600000001');
    expectBad(cli(['trace', '--pseudonym', 'a'.repeat(24), '--spool', w.spool]), /no records of that pseudonym/);
    expectBad(cli(['trace', '--gt', '999999', '--spool', w.spool]), /no records of that gt/);
  });

  it('malformed identities: not echoed back', () => {
    expectBad(cli(['trace', '--imsi', '21407abc12', '--spool', w.spool]), /--imsi expects 6 to 15 digits/, '21407abc12');
    expectBad(cli(['trace', '--imsi', '2140712345678901', '--spool', w.spool]), /--imsi expects 6 to 15 digits/, '2140712345678901');
    expectBad(cli(['trace', '--msisdn', '0612345678', '--spool', w.spool]), /--msisdn expects an international E\.164 number/, '0612345678');
    expectBad(cli(['trace', '--pseudonym', 'XYZ', '--spool', w.spool]), /--pseudonym expects the 24 lower-case hex digits/);
    expectBad(cli(['trace', '--gt', '12ab', '--spool', w.spool]), /--gt expects/);
  });

  it('a period without data (and one that has none at all, or is reversed)', () => {
    expectBad(cli(['trace', '--imsi', imsi, '--spool', w.spool, '--from', '2020-01-01T00:00:00Z', '--to', '2020-01-02T00:00:00Z']), /no records of that imsi in the period \(there are some outside it\)/, imsi);
    expectBad(cli(['trace', '--imsi', imsi, '--spool', w.spool, '--from', '2030-01-02', '--to', '2030-01-01']), /--to must be after --from/);
    expectBad(cli(['trace', '--imsi', imsi, '--spool', w.spool, '--from', 'yesterday']), /--from expects/);
  });

  it('the key missing: a raw identity needs it; a pseudonym does not', () => {
    const d = mkdtempSync(join(tmpdir(), 'sp-trace-nokey-'));
    copyFileSync(w.spool, join(d, 's.db'));
    expectBad(cli(['trace', '--imsi', imsi, '--spool', join(d, 's.db')]), /privacy key file .*sigprobe-pseudonym\.key does not exist/, imsi);
    expectBad(cli(['trace', '--imsi', imsi, '--spool', join(d, 's.db'), '--key-file', join(d, 'other.key')]), /other\.key does not exist/, imsi);
    expect(readdirSync(d)).toEqual(['s.db']); // no key created by the attempt
    const ok = cli(['trace', '--pseudonym', w.ids.protect('imsi', imsi) as string, '--spool', join(d, 's.db')]);
    expect(ok.status, ok.stderr).toBe(0);
  });

  it('no selector, two selectors, no spool, a missing spool, a bad format', () => {
    expectBad(cli(['trace', '--spool', w.spool]), /give exactly one of --imsi, --msisdn, --pseudonym, --gt/);
    expectBad(cli(['trace', '--imsi', imsi, '--pseudonym', 'a'.repeat(24), '--spool', w.spool]), /give exactly one of/);
    expectBad(cli(['trace', '--imsi', imsi]), /--spool <db> \(or --central <config>\) is required/);
    expectBad(cli(['trace', '--imsi', imsi, '--spool', join(w.dir, 'nope.db')]), /nope\.db does not exist/);
    expectBad(cli(['trace', '--imsi', imsi, '--spool', w.spool, '--format', 'xml']), /--format expects text, json or html/);
  });

  it('privacy: the raw IMSI typed is in no output but the title the user asked for, and not stored', () => {
    const before = readFileSync(w.spool);
    const text = cli(['trace', '--imsi', imsi, '--spool', w.spool]);
    expect(text.status, text.stderr).toBe(0);
    const out = text.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(1 + lines.length + out.filter((l) => l.startsWith('tunnel ')).length);
    expect(text.stdout.includes(imsi)).toBe(false);
    expect(text.stderr).toBe('');
    const json = cli(['trace', '--imsi', imsi, '--spool', w.spool, '--format', 'json']);
    expect(json.stdout.includes(imsi)).toBe(false);
    for (const [other] of [...w.devices].slice(1)) expect(json.stdout.includes(w.ids.protect('imsi', other) as string)).toBe(false);
    const html = join(w.dir, 'x.html');
    const h = cli(['trace', '--imsi', imsi, '--spool', w.spool, '--format', 'html', '--out', html]);
    expect(h.status, h.stderr).toBe(0);
    expect(h.stderr.includes(imsi)).toBe(false);
    expect(readFileSync(w.spool).equals(before)).toBe(true);
    expect(readFileSync(w.spool).includes(Buffer.from(imsi))).toBe(false);
  });
});
