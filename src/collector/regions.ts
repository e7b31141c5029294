/**
 * Past one PostgreSQL host (issue 13): regional collectors each write their own PostgreSQL; a
 * coordinator PostgreSQL sees the regions' rollup and device_day tables through postgres_fdw
 * (shipped with PostgreSQL) and `report --central` pointed at the coordinator reads them as one
 * store. Per region: a foreign server (with `extensions 'hll, tdigest'`, so that their operators
 * and functions are shippable), a user mapping, and the rollup tables imported as foreign tables
 * into schema `<schema>_r_<region>`; the coordinator's schema gets one view per rollup table, the
 * UNION ALL of the regions' foreign tables. Raw records stay in the regions (the coordinator has
 * no raw tables: its report is rollups only, see README "Central report").
 *
 * Idempotent: running it again replaces the views and re-imports the foreign tables (a region
 * added later is one more entry).
 */
import { escapeIdentifier, escapeLiteral, type Pool } from 'pg';

export interface Region {
  /** lower-case identifier */
  name: string;
  host: string;
  port: number;
  dbname: string;
  user: string;
  password?: string;
  /** the region's collector schema (default: the coordinator's) */
  schema?: string;
}

/** The tables a coordinator sees (rollups.ts ROLLUP_TABLES + raw_dropped_days). */
export const REGION_TABLES = ['rollup_dialogues_hourly', 'rollup_dialogues_minute', 'rollup_tunnels_hourly', 'device_day', 'raw_dropped_days'] as const;

export async function setupRegions(pool: Pool, schema: string, regions: readonly Region[]): Promise<void> {
  if (regions.length === 0) throw new Error('no regions');
  const s = escapeIdentifier(schema);
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('CREATE EXTENSION IF NOT EXISTS postgres_fdw; CREATE EXTENSION IF NOT EXISTS hll; CREATE EXTENSION IF NOT EXISTS tdigest');
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    for (const t of REGION_TABLES) await c.query(`DROP VIEW IF EXISTS ${s}.${escapeIdentifier(t)}`);
    for (const r of regions) {
      if (!/^[a-z][a-z0-9_]*$/.test(r.name)) throw new Error(`region name '${r.name}' must be a lower-case identifier`);
      const srv = escapeIdentifier(`sigprobe_region_${r.name}`);
      const local = escapeIdentifier(`${schema}_r_${r.name}`);
      const opts = `host ${escapeLiteral(r.host)}, port ${escapeLiteral(String(r.port))}, dbname ${escapeLiteral(r.dbname)}`;
      await c.query(`DROP SERVER IF EXISTS ${srv} CASCADE`);
      await c.query(`CREATE SERVER ${srv} FOREIGN DATA WRAPPER postgres_fdw OPTIONS (${opts}, extensions 'hll, tdigest', fetch_size '10000')`);
      await c.query(
        `CREATE USER MAPPING FOR CURRENT_USER SERVER ${srv} OPTIONS (user ${escapeLiteral(r.user)}${r.password !== undefined ? `, password ${escapeLiteral(r.password)}` : ''})`,
      );
      await c.query(`DROP SCHEMA IF EXISTS ${local} CASCADE`);
      await c.query(`CREATE SCHEMA ${local}`);
      await c.query(`IMPORT FOREIGN SCHEMA ${escapeIdentifier(r.schema ?? schema)} LIMIT TO (${REGION_TABLES.join(', ')}) FROM SERVER ${srv} INTO ${local}`);
    }
    for (const t of REGION_TABLES) {
      const u = regions.map((r) => `SELECT * FROM ${escapeIdentifier(`${schema}_r_${r.name}`)}.${escapeIdentifier(t)}`).join(' UNION ALL ');
      await c.query(`CREATE VIEW ${s}.${escapeIdentifier(t)} AS ${u}`);
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}
