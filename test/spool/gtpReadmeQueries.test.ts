import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openSpool, SpoolWriter } from '../../src/spool/spool';
import { IdentityProtector } from '../../src/correlate/identities';
import { Pipeline } from '../../src/dispatch/pipeline';
import { PcapReader } from '../../src/capture/pcapReader';
import { CAPTURES } from '../helpers/oracle';

/** The GTP-C section's ops queries (README) run against a spool filled from real GTP captures. */
describe('README GTP-C queries', () => {
  it('run against a spool filled from the osmo-ggsn and open5gs captures, with the expected figures', () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## GTP-C'));
    const block = /```sql\n([\s\S]*?)```/.exec(section);
    expect(block).not.toBeNull();
    const statements = (block as RegExpExecArray)[1]
      .split(';')
      .map((s) => s.replace(/--.*$/gm, '').trim())
      .filter((s) => s !== '');
    expect(statements).toHaveLength(4);
    const db = openSpool(join(mkdtempSync(join(tmpdir(), 'sp-gtp-readme-')), 's.db'));
    const w = new SpoolWriter(db);
    const p = new Pipeline(w, new IdentityProtector('pseudonymize', Buffer.alloc(32, 9)), { site: 'lab', tunnelSink: w });
    for (const f of ['peers/gtpv1-osmo-ggsn.pcapng', 'public/open5gs/testattach.pcapng']) {
      const r = PcapReader.open(join(CAPTURES, f));
      p.setSource(f);
      while (r.read(p.onPacket.bind(p), 65536) > 0);
      r.close();
    }
    p.finish('capture_end');
    w.flush();
    const results = statements.map((sql) => db.prepare(sql).all() as Record<string, unknown>[]);
    for (const [i, rows] of results.entries()) expect(rows.length, statements[i]).toBeGreaterThan(0);
    // Create success per APN: osmo 'internet' 303 of 400; open5gs 20 of 20 (two legs of 10 attaches).
    expect(results[0]).toEqual([
      { protocol: 'gtpv1', apn: 'internet', creates: 400, success_pct: 75.75, rejected: 97, unanswered: 0 },
      { protocol: 'gtpv2', apn: 'internet', creates: 20, success_pct: 100, rejected: 0, unanswered: 0 },
    ]);
    expect(results[1]).toHaveLength(1); // one APN; both protocols' tunnels
    expect(results[1][0]).toMatchObject({ apn: 'internet', n: 323 });
    expect((results[1][0].p50_ms as number) <= (results[1][0].p95_ms as number)).toBe(true);
    expect(results[2].map((r) => [r.end_reason, r.n])).toEqual([['delete', 323], ['create_rejected', 97]]);
    db.close();
  });
});
