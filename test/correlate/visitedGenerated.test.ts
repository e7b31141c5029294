/**
 * Visited network and user-plane counters on generated captures, against the generator's truth:
 *  - `gen --scenario roaming` (its x.networks.yaml, x.truth.jsonl with the planted visited
 *    MCC / MNC of every exchange, x.tunnels.jsonl with packets / bytes per tunnel, x.roaming.json
 *    with the roaming matrix by country): every dialogue's visited_mcc / visited_mnc, every
 *    tunnel's packets_up / packets_down / bytes_up / bytes_down exactly; the matrix rebuilt from
 *    the spool's countries equals the planted one;
 *  - `gen --scenario ipx` (no networks file): the countries a record can have are there, the
 *    NULLs are exactly the records without a visited side or PLMN, and the summary's unknown
 *    counters equal the NULLs in the spool.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { mccCountry } from '../../src/correlate/countries';
import { parseNetworks } from '../../src/correlate/networks';

const CLI = join(resolve(__dirname, '../..'), 'dist/cli/main.js');
const sigprobe = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
const jsonl = <T>(f: string): T[] =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);

interface Summary {
  networks: { dialogues: Record<string, number>; tunnels: Record<string, number> };
  tunnels: { userPlane: { packetsUp: number; packetsDown: number; bytesUp: number; bytesDown: number; missed: Record<string, number> } };
}

describe('roaming scenario: visited network and user plane against the planted truth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-visited-roaming-'));
  const pcap = join(dir, 'r.pcap');
  const spool = join(dir, 'r.db');
  let summary: Summary;
  let db: Database.Database;

  beforeAll(() => {
    sigprobe('gen', '--scenario', 'roaming', '--out', pcap, '--devices', '300', '--seed', '3');
    summary = JSON.parse(sigprobe('replay', pcap, '--spool', spool, '--identities', 'raw', '--networks', join(dir, 'r.networks.yaml'), '--json')) as Summary;
    db = new Database(spool, { readonly: true });
  }, 180_000);

  it('every tunnel: packets and bytes up / down exactly as planted', () => {
    type T = { protocol: string; create_frame: number; packets_up: number; packets_down: number; bytes_up: number; bytes_down: number };
    const truth = jsonl<T>(join(dir, 'r.tunnels.jsonl'));
    const rows = db.prepare('SELECT protocol, create_frame, packets_up, packets_down, bytes_up, bytes_down FROM tunnels ORDER BY protocol, create_frame').all() as T[];
    const key = (t: T) => `${t.protocol}/${t.create_frame}`;
    const pick = (t: T) => [key(t), t.packets_up, t.packets_down, t.bytes_up, t.bytes_down];
    const cmp = (a: (string | number)[], b: (string | number)[]) => String(a[0]).localeCompare(String(b[0]));
    expect(rows.map(pick).sort(cmp)).toEqual(truth.map(pick).sort(cmp));
    expect(truth.reduce((n, t) => n + t.bytes_up + t.bytes_down, 0)).toBeGreaterThan(0);
    // x.roaming.json's tunnels_bytes (the accepted ones) agree too
    const planted = (JSON.parse(readFileSync(join(dir, 'r.roaming.json'), 'utf8')) as { tunnels_bytes: T[] }).tunnels_bytes;
    const byKey = new Map(rows.map((r) => [key(r), r]));
    for (const p of planted) expect(pick(byKey.get(key(p)) as T)).toEqual(pick(p));
    const u = summary.tunnels.userPlane;
    expect([u.packetsUp, u.packetsDown, u.bytesUp, u.bytesDown]).toEqual([
      rows.reduce((n, r) => n + r.packets_up, 0), rows.reduce((n, r) => n + r.packets_down, 0),
      rows.reduce((n, r) => n + r.bytes_up, 0), rows.reduce((n, r) => n + r.bytes_down, 0),
    ]);
  });

  it('every dialogue: visited MCC / MNC as planted (MAP through the networks file), its country and operator', () => {
    type L = { protocol: string; req_frame: number; visited_mcc: string | null; visited_mnc: string | null };
    const truth = jsonl<L>(join(dir, 'r.truth.jsonl'));
    const rows = db
      .prepare('SELECT protocol, req_frame, visited_mcc, visited_mnc, visited_country, visited_operator FROM dialogues WHERE req_frame IS NOT NULL')
      .all() as (L & { visited_country: string | null; visited_operator: string | null })[];
    const got = new Map(rows.map((r) => [`${r.protocol}/${r.req_frame}`, r]));
    const nets = parseNetworks(readFileSync(join(dir, 'r.networks.yaml'), 'utf8'), 'r.networks.yaml');
    let map = 0;
    for (const t of truth) {
      const r = got.get(`${t.protocol}/${t.req_frame}`);
      expect(r, `${t.protocol}/${t.req_frame}`).toBeDefined();
      expect([t.protocol, t.req_frame, r?.visited_mcc ?? null, r?.visited_mnc ?? null]).toEqual([t.protocol, t.req_frame, t.visited_mcc, t.visited_mnc]);
      expect(r?.visited_country ?? null).toBe(t.visited_mcc === null ? null : mccCountry(t.visited_mcc));
      expect(r?.visited_operator ?? null).toBe(t.visited_mcc === null ? null : (nets.plmn(t.visited_mcc, t.visited_mnc as string)?.name ?? null));
      if (t.protocol === 'map' && t.visited_mcc !== null) map++;
    }
    expect(map).toBeGreaterThan(100);
  });

  it('the roaming matrix rebuilt from the spool\'s countries is the planted one', () => {
    const rows = db
      .prepare(
        `SELECT home_country, visited_country, count(DISTINCT imsi) AS devices FROM dialogues
         WHERE status = 'ok' AND procedure IN ('updateLocation', 'updateGprsLocation', 'ULR') AND imsi IS NOT NULL
           AND home_country IS NOT NULL AND visited_country IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
      )
      .all() as { home_country: string; visited_country: string; devices: number }[];
    const planted = (JSON.parse(readFileSync(join(dir, 'r.roaming.json'), 'utf8')) as { matrix: { home_country: string; visited_country: string; devices: number }[] }).matrix;
    const pick = (m: { home_country: string; visited_country: string; devices: number }) => [m.home_country, m.visited_country, m.devices];
    expect(rows.map(pick)).toEqual(planted.map(pick).sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`)));
    expect(summary.networks.dialogues['visited_country_unknown/unassigned_cc'] ?? 0).toBe(0);
  });
});

describe('ipx scenario (built-in tables only): NULLs are exactly what cannot be told, and are counted', () => {
  it('countries on every record with a visited side; unknown counts equal the spool\'s NULLs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-visited-ipx-'));
    const pcap = join(dir, 'ipx.pcap');
    const spool = join(dir, 'ipx.db');
    sigprobe('gen', '--scenario', 'ipx', '--out', pcap, '--dialogues', '20000', '--seed', '11');
    const s = JSON.parse(sigprobe('replay', pcap, '--spool', spool, '--identities', 'raw', '--json')) as Summary;
    const db = new Database(spool, { readonly: true });
    const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const sum = (o: Record<string, number>, field: string) => Object.entries(o).filter(([k]) => k.startsWith(`${field}_unknown/`)).reduce((a, [, v]) => a + v, 0);
    for (const [table, u] of [['dialogues', s.networks.dialogues], ['tunnels', s.networks.tunnels]] as const) {
      expect(sum(u, 'visited_country'), table).toBe(n(`SELECT count(*) n FROM ${table} WHERE visited_country IS NULL`));
      expect(sum(u, 'home_country'), table).toBe(n(`SELECT count(*) n FROM ${table} WHERE home_country IS NULL`));
      expect(sum(u, 'visited_operator'), table).toBe(n(`SELECT count(*) n FROM ${table} WHERE visited_operator IS NULL`));
    }
    // No networks file: no operator anywhere; home country wherever there is an IMSI.
    expect(n('SELECT count(*) n FROM dialogues WHERE visited_operator IS NOT NULL')).toBe(0);
    expect(n('SELECT count(*) n FROM dialogues WHERE (imsi IS NULL) != (home_country IS NULL)')).toBe(0);
    // A visited country on every LU / authentication / GTP create, and none invented elsewhere.
    expect(n(`SELECT count(*) n FROM dialogues WHERE visited_country IS NULL AND NOT orphan
              AND procedure IN ('updateLocation', 'updateGprsLocation', 'sendAuthenticationInfo', 'cancelLocation', 'ULR', 'AIR', 'CLR', 'CreatePDPContext', 'CreateSession')`)).toBe(0);
    expect(n(`SELECT count(*) n FROM dialogues WHERE visited_country IS NOT NULL AND procedure IN ('sendRoutingInfoForSM', 'DWR', 'CER', 'Echo')`)).toBe(0);
    expect(n("SELECT count(*) n FROM dialogues WHERE protocol = 'map' AND visited_country IS NOT NULL")).toBeGreaterThan(10_000);
    expect(n('SELECT count(*) n FROM tunnels WHERE visited_country IS NULL')).toBe(n('SELECT count(*) n FROM tunnels WHERE visited_mcc IS NULL'));
    expect(s.networks.dialogues['visited_country_unknown/no_visited_side']).toBe(
      n("SELECT count(*) n FROM dialogues WHERE visited_country IS NULL AND protocol IN ('map', 'cap', 'tcap', 'diameter')"),
    );
    db.close();
  }, 180_000);
});
