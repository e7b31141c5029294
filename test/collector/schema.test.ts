/**
 * The central schema against the spool's: every spool column is stored centrally with a matching
 * type and NULL-ability (a spool migration that adds a column fails here until the collector gets
 * a migration for it), plus the partition naming and the COPY-CSV safety check.
 */
import { describe, expect, it } from 'vitest';
import { csvSafe } from '../../src/collector/copyText';
import { CENTRAL_COLUMNS, PG_MIGRATIONS, partitionDay, partitionName } from '../../src/collector/schema';
import { errorReason, isPermanentPgError } from '../../src/collector/errors';
import { SHIP_TABLES } from '../../src/ship/batch';
import { openSpool } from '../../src/spool/spool';
import { DIALOGUE_COLUMNS, TUNNEL_COLUMNS } from '../../src/spool/row';

describe('central schema', () => {
  it('has every spool column, same order, matching type and NOT NULL', () => {
    const db = openSpool(':memory:');
    for (const t of SHIP_TABLES) {
      const info = db.prepare(`PRAGMA table_info(${t})`).all() as { name: string; type: string; notnull: number }[];
      const spool = info.filter((c) => c.name !== 'id').map((c) => [c.name, c.type === 'INTEGER' ? 'bigint' : 'text', c.notnull === 1]);
      expect(CENTRAL_COLUMNS[t]).toEqual(spool);
    }
    expect(CENTRAL_COLUMNS.dialogues.map(([n]) => n)).toEqual([...DIALOGUE_COLUMNS]);
    expect(CENTRAL_COLUMNS.tunnels.map(([n]) => n)).toEqual([...TUNNEL_COLUMNS]);
  });

  it('migrations are numbered from 1 and use the schema placeholder for every table', () => {
    expect(PG_MIGRATIONS.map((m) => m.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    for (const m of PG_MIGRATIONS) expect(m.sql).not.toMatch(/(CREATE TABLE|ON) (?!\{s\})\w+\./);
  });

  it('names a partition per UTC day and reads the day back', () => {
    const day = Math.floor(1_700_000_000_000 / 86_400_000);
    expect(partitionName('dialogues', day)).toBe('dialogues_20231114');
    expect(partitionDay('dialogues', 'dialogues_20231114')).toBe(day);
    expect(partitionName('tunnels', 0)).toBe('tunnels_19700101');
    expect(partitionDay('dialogues', 'tunnels_20231114')).toBeNull();
    expect(partitionDay('dialogues', 'dialogues_default')).toBeNull();
  });
});

describe('COPY CSV safety and error classes', () => {
  it('accepts only \\" and \\\\ escapes', () => {
    expect(csvSafe(Buffer.from('1,"a\\"b","c\\\\d",null'))).toBe(true);
    expect(csvSafe(Buffer.from('1,"\\\\\\"",2'))).toBe(true);
    expect(csvSafe(Buffer.from('1,"a\\nb"'))).toBe(false);
    expect(csvSafe(Buffer.from('1,"a\\u0001"'))).toBe(false);
    expect(csvSafe(Buffer.from('1,"a\\'))).toBe(false);
  });
  it('data errors are permanent, connection problems transient', () => {
    for (const code of ['22P02', '22003', '22021', '22P04', '23502', '54000']) expect(isPermanentPgError({ code })).toBe(true);
    for (const code of ['57P01', '08006', '40P01', '53300', '23514', '23505']) expect(isPermanentPgError({ code })).toBe(false);
    expect(isPermanentPgError(new Error('connect ECONNREFUSED'))).toBe(false);
    expect(errorReason(Object.assign(new Error('bad'), { code: '22P02' }))).toBe('postgres 22P02: bad');
    expect(errorReason(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('refused');
  });
});
