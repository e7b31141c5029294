import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from '../../src/gen/index';
import { openSpool, SpoolWriter } from '../../src/spool/spool';
import { IdentityProtector } from '../../src/correlate/identities';
import { Pipeline } from '../../src/dispatch/pipeline';
import { PcapReader } from '../../src/capture/pcapReader';

/** Every SQL statement in the README's ops-query block runs against a real spool and returns rows. */
describe('README ops queries', () => {
  it('run against a spool filled from a generated capture', () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const block = /```sql\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const statements = (block as RegExpExecArray)[1]
      .split(';')
      .map((s) => s.replace(/--.*$/gm, '').trim())
      .filter((s) => s !== '');
    expect(statements.length).toBeGreaterThanOrEqual(5);
    const d = mkdtempSync(join(tmpdir(), 'sp-readme-'));
    const cap = join(d, 'm.pcap');
    generate({ out: cap, seed: 3, dialogues: 3000 });
    const db = openSpool(join(d, 's.db'));
    const w = new SpoolWriter(db);
    const p = new Pipeline(w, new IdentityProtector('pseudonymize', Buffer.alloc(32, 9)), { site: 'lab' });
    const r = PcapReader.open(cap);
    const f = p.onPacket.bind(p);
    while (r.read(f, 65536) > 0);
    p.finish('capture_end');
    w.flush();
    const some = (db.prepare("SELECT imsi FROM dialogues WHERE imsi IS NOT NULL LIMIT 1").get() as { imsi: string }).imsi;
    for (const sql of statements) {
      const rows = db.prepare(sql.replace("'<pseudonym>'", `'${some}'`)).all();
      expect(rows.length, sql).toBeGreaterThan(0);
    }
    const written = w.written;
    db.close();
    expect(written).toBeGreaterThanOrEqual(3000); // 3000 dialogues + the orphans the mix starts with
    expect(new Database(join(d, 's.db')).prepare('SELECT count(*) n, sum(orphan = 0) k FROM dialogues').get()).toEqual({ n: written, k: 3000 });
  });
});
