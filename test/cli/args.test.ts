import { describe, expect, it } from 'vitest';
import { parseArgs, intOption } from '../../src/cli/args';

describe('parseArgs', () => {
  const known = { spool: 'string', json: 'flag' } as const;
  it('parses options, flags, = form and positionals', () => {
    const p = parseArgs(['a.pcap', '--spool', 's.db', '--json', 'b.pcap', '--spool=t.db'], known);
    expect(p.positional).toEqual(['a.pcap', 'b.pcap']);
    expect(p.options.get('spool')).toBe('t.db');
    expect(p.options.get('json')).toBe(true);
  });
  it('rejects unknown options and missing values', () => {
    expect(() => parseArgs(['--spoo', 'x'], known)).toThrow(/unknown option --spoo/);
    expect(() => parseArgs(['--spool'], known)).toThrow(/--spool needs a value/);
    expect(() => parseArgs(['--json=1'], known)).toThrow(/takes no value/);
  });
  it('validates integers', () => {
    expect(intOption(parseArgs(['--n', '12'], { n: 'string' }), 'n', 1)).toBe(12);
    expect(() => intOption(parseArgs(['--n', 'x'], { n: 'string' }), 'n', 1)).toThrow(/integer/);
    expect(intOption(parseArgs([], { n: 'string' }), 'n', 5)).toBe(5);
  });
});
