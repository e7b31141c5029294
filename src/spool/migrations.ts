/**
 * Spool schema, as numbered migrations. A migration is applied once, in order, inside a
 * transaction; `schema_migrations` records what was applied. Never edit a released migration:
 * add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'dialogues',
    sql: `
CREATE TABLE dialogues (
  id              INTEGER PRIMARY KEY,          -- spool record id (monotonic; the shipper's watermark)
  protocol        TEXT NOT NULL,                -- map | cap | tcap (later diameter | gtpv1 | gtpv2)
  procedure       TEXT,                         -- e.g. sendAuthenticationInfo (first Invoke of the Begin)
  opcode          INTEGER,                      -- MAP/CAP local operation code
  status          TEXT NOT NULL,                -- ok | error | reject | abort | timeout
  result_code     INTEGER,                      -- MAP/CAP error code (NULL unless status = error)
  result_name     TEXT,                         -- error name, or the abort cause
  end_reason      TEXT NOT NULL,                -- end | abort | idle_timeout | evicted | tid_reused | capture_end | shutdown | orphan_end | unidirectional
  orphan          INTEGER NOT NULL DEFAULT 0,   -- 1: the request (TCAP Begin) was not seen
  req_frame       INTEGER,                      -- 1-based packet ordinal of the request within the source
  rsp_frame       INTEGER,                      -- ... of the final answer (End / Abort); NULL on timeout
  req_time_us     INTEGER,                      -- packet time, µs since the epoch
  rsp_time_us     INTEGER,
  latency_us      INTEGER,
  imsi            TEXT,                         -- pseudonymized by default (HMAC-SHA-256, 96 bits hex)
  msisdn          TEXT,                         -- idem
  home_mcc        TEXT,                         -- from the IMSI, kept in clear
  home_mnc        TEXT,
  calling_gt      TEXT,                         -- SCCP calling party GT of the request
  called_gt       TEXT,
  responder_gt    TEXT,                         -- calling GT of the first answer (may differ from called_gt)
  opc             INTEGER,                      -- MTP3 / M3UA point codes of the request as captured
  dpc             INTEGER,
  calling_ssn     INTEGER,
  called_ssn      INTEGER,
  vlr_number      TEXT,                         -- VLR / MSC E.164 number from the MAP argument
  sgsn_number     TEXT,
  app_context     TEXT,                         -- application-context-name OID
  otid            TEXT,                         -- initiator TID (hex)
  dtid            TEXT,                         -- responder TID (hex)
  messages        INTEGER NOT NULL,             -- TCAP messages in the dialogue
  nested_ops      INTEGER NOT NULL DEFAULT 0,   -- invokes besides the first (e.g. insertSubscriberData in updateLocation)
  retransmissions INTEGER NOT NULL DEFAULT 0,
  abort_cause     TEXT,
  site            TEXT NOT NULL,
  source          TEXT NOT NULL                 -- capture file or interface
);
CREATE INDEX dialogues_time ON dialogues (req_time_us);
CREATE INDEX dialogues_imsi ON dialogues (imsi);
CREATE INDEX dialogues_proc ON dialogues (procedure, status);

-- The same rows with ISO-8601 times and milliseconds, for humans at the sqlite3 prompt.
CREATE VIEW dialogues_human AS
SELECT id, protocol, procedure, status, result_code, result_name, end_reason,
       strftime('%Y-%m-%dT%H:%M:%f', req_time_us / 1e6, 'unixepoch') || 'Z' AS req_time,
       strftime('%Y-%m-%dT%H:%M:%f', rsp_time_us / 1e6, 'unixepoch') || 'Z' AS rsp_time,
       round(latency_us / 1000.0, 3) AS latency_ms,
       imsi, msisdn, home_mcc, home_mnc, calling_gt, called_gt, responder_gt, vlr_number, sgsn_number,
       opc, dpc, calling_ssn, called_ssn, app_context, otid, dtid, messages, nested_ops,
       retransmissions, orphan, req_frame, rsp_frame, site, source
FROM dialogues;

-- One row per replay / live session: what was read and what was decoded.
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  mode         TEXT NOT NULL,                 -- replay | live
  sources      TEXT NOT NULL,
  site         TEXT NOT NULL,
  packets      INTEGER,
  dialogues    INTEGER,
  summary      TEXT                           -- JSON of the replay summary (counters, anomalies)
);
`,
  },
  {
    version: 2,
    name: 'ip protocols (diameter, gtp) and tunnels',
    sql: `
ALTER TABLE dialogues ADD COLUMN src_ip TEXT;              -- request's IP source (Diameter, GTP)
ALTER TABLE dialogues ADD COLUMN dst_ip TEXT;
ALTER TABLE dialogues ADD COLUMN src_port INTEGER;
ALTER TABLE dialogues ADD COLUMN dst_port INTEGER;
ALTER TABLE dialogues ADD COLUMN app_id INTEGER;           -- Diameter Application-Id
ALTER TABLE dialogues ADD COLUMN result_source TEXT;       -- result | experimental (Diameter)
ALTER TABLE dialogues ADD COLUMN result_vendor INTEGER;    -- Experimental-Result Vendor-Id
ALTER TABLE dialogues ADD COLUMN origin_host TEXT;
ALTER TABLE dialogues ADD COLUMN origin_realm TEXT;
ALTER TABLE dialogues ADD COLUMN dest_host TEXT;
ALTER TABLE dialogues ADD COLUMN dest_realm TEXT;
ALTER TABLE dialogues ADD COLUMN visited_mcc TEXT;         -- Visited-PLMN-Id / GTP serving network
ALTER TABLE dialogues ADD COLUMN visited_mnc TEXT;
ALTER TABLE dialogues ADD COLUMN rat_type TEXT;
ALTER TABLE dialogues ADD COLUMN hop_by_hop INTEGER;       -- Diameter hop-by-hop id
ALTER TABLE dialogues ADD COLUMN end_to_end INTEGER;       -- Diameter end-to-end id (joins the legs of a relay)
ALTER TABLE dialogues ADD COLUMN seq INTEGER;              -- GTP sequence number
ALTER TABLE dialogues ADD COLUMN apn TEXT;
ALTER TABLE dialogues ADD COLUMN teid INTEGER;             -- GTP header TEID of the request
ALTER TABLE dialogues ADD COLUMN req_ctrl_teid INTEGER;    -- sender control-plane TEID in the request
ALTER TABLE dialogues ADD COLUMN rsp_ctrl_teid INTEGER;    -- ... in the response
ALTER TABLE dialogues ADD COLUMN imei_tac TEXT;            -- type allocation code only; the IMEI is not kept

DROP VIEW dialogues_human;
CREATE VIEW dialogues_human AS
SELECT id, protocol, procedure, status, result_code, result_name, end_reason,
       strftime('%Y-%m-%dT%H:%M:%f', req_time_us / 1e6, 'unixepoch') || 'Z' AS req_time,
       strftime('%Y-%m-%dT%H:%M:%f', rsp_time_us / 1e6, 'unixepoch') || 'Z' AS rsp_time,
       round(latency_us / 1000.0, 3) AS latency_ms,
       imsi, msisdn, home_mcc, home_mnc, visited_mcc, visited_mnc, rat_type, apn,
       calling_gt, called_gt, responder_gt, vlr_number, sgsn_number,
       origin_host, origin_realm, dest_host, dest_realm, app_id, result_source, result_vendor,
       src_ip, dst_ip, src_port, dst_port, opc, dpc, calling_ssn, called_ssn, app_context,
       otid, dtid, hop_by_hop, end_to_end, seq, teid, req_ctrl_teid, rsp_ctrl_teid, imei_tac,
       messages, nested_ops, retransmissions, orphan, req_frame, rsp_frame, site, source
FROM dialogues;

-- One row per GTP tunnel (PDP context / EPS session), Create to Delete.
CREATE TABLE tunnels (
  id               INTEGER PRIMARY KEY,
  protocol         TEXT NOT NULL,          -- gtpv1 | gtpv2
  imsi             TEXT,                   -- pseudonymized like dialogues.imsi
  msisdn           TEXT,
  home_mcc         TEXT,
  home_mnc         TEXT,
  visited_mcc      TEXT,
  visited_mnc      TEXT,
  apn              TEXT,
  rat_type         TEXT,
  sgsn_ip          TEXT,                   -- SGSN / SGW control address (the creator)
  ggsn_ip          TEXT,                   -- GGSN / PGW control address
  sgsn_ctrl_teid   INTEGER,
  ggsn_ctrl_teid   INTEGER,
  sgsn_data_teid   INTEGER,
  ggsn_data_teid   INTEGER,
  create_cause     INTEGER,
  create_time_us   INTEGER NOT NULL,
  setup_delay_us   INTEGER,                -- create request -> response
  end_time_us      INTEGER,
  duration_us      INTEGER,                -- create -> delete
  delete_cause     INTEGER,
  end_reason       TEXT NOT NULL,          -- delete | delete_bearer | error_indication | idle_timeout | evicted | create_rejected | capture_end | shutdown
  create_frame     INTEGER,
  end_frame        INTEGER,
  site             TEXT NOT NULL,
  source           TEXT NOT NULL
);
CREATE INDEX tunnels_time ON tunnels (create_time_us);
CREATE INDEX tunnels_imsi ON tunnels (imsi);

-- Tunnels still active when the probe stopped, reloaded at the next start (opaque JSON per tunnel).
CREATE TABLE gtp_active_tunnels (
  id     INTEGER PRIMARY KEY,
  state  TEXT NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'shipper state and retention bookkeeping',
    sql: `
-- Random id of this spool file: records are (probe, spool, id) centrally, so a spool created anew
-- at a PoP (ids restarting at 1) never collides with what its predecessor shipped.
CREATE TABLE spool_meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
INSERT INTO spool_meta (key, value) VALUES ('spool_id', lower(hex(randomblob(16))));

-- One row per shipped table (src/ship): the watermark and the batch in flight.
CREATE TABLE ship_state (
  tbl              TEXT PRIMARY KEY,               -- dialogues | tunnels
  shipped_id       INTEGER NOT NULL DEFAULT 0,     -- every record with id <= this was acknowledged by Redis
  pending          TEXT NOT NULL DEFAULT '[]',     -- JSON [[first, last], ...]: batches being added; after a
                                                   -- crash they are re-added with the same bounds (same job ids)
  shipped_records  INTEGER NOT NULL DEFAULT 0,
  shipped_batches  INTEGER NOT NULL DEFAULT 0,
  deleted_shipped  INTEGER NOT NULL DEFAULT 0,     -- removed by retention after shipping
  deleted_unshipped INTEGER NOT NULL DEFAULT 0,    -- removed by the size limit before shipping (lost)
  updated_at       TEXT
);
INSERT INTO ship_state (tbl) VALUES ('dialogues'), ('tunnels');

-- Every retention pass that deleted records (age or size), and what it deleted.
CREATE TABLE retention_log (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  tbl        TEXT NOT NULL,
  reason     TEXT NOT NULL,                        -- age | size
  shipped    INTEGER NOT NULL,                     -- records deleted that had been shipped
  unshipped  INTEGER NOT NULL,                     -- records deleted that had NOT been shipped
  first_id   INTEGER,
  last_id    INTEGER
);
`,
  },
  {
    version: 4,
    name: 'visited network on dialogues and tunnels; GTP-U user-plane counters on tunnels',
    sql: `
-- Visited network (src/correlate/networks.ts): countries ISO 3166-1 alpha-2, upper case.
ALTER TABLE dialogues ADD COLUMN home_country TEXT;      -- country of the IMSI's MCC (E.212)
ALTER TABLE dialogues ADD COLUMN visited_country TEXT;   -- of visited_mcc; MAP: E.164 country code of the VLR / SGSN number or visited-side GT
ALTER TABLE dialogues ADD COLUMN visited_operator TEXT;  -- operator name from networks.yaml (GT prefix, realm, PLMN); NULL when unknown
ALTER TABLE dialogues ADD COLUMN cell_id TEXT;           -- reserved for device profiles

ALTER TABLE tunnels ADD COLUMN home_country TEXT;
ALTER TABLE tunnels ADD COLUMN visited_country TEXT;
ALTER TABLE tunnels ADD COLUMN visited_operator TEXT;
-- GTP-U (TS 29.281) G-PDUs of the tunnel's user-plane TEIDs; bytes = T-PDU octets (the user IP
-- packet, without outer IP / UDP / GTP-U header and extension headers); up = to the GGSN / PGW.
ALTER TABLE tunnels ADD COLUMN packets_up INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tunnels ADD COLUMN packets_down INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tunnels ADD COLUMN bytes_up INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tunnels ADD COLUMN bytes_down INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tunnels ADD COLUMN first_user_us INTEGER;    -- packet time of the first / last G-PDU; NULL when none
ALTER TABLE tunnels ADD COLUMN last_user_us INTEGER;

DROP VIEW dialogues_human;
CREATE VIEW dialogues_human AS
SELECT id, protocol, procedure, status, result_code, result_name, end_reason,
       strftime('%Y-%m-%dT%H:%M:%f', req_time_us / 1e6, 'unixepoch') || 'Z' AS req_time,
       strftime('%Y-%m-%dT%H:%M:%f', rsp_time_us / 1e6, 'unixepoch') || 'Z' AS rsp_time,
       round(latency_us / 1000.0, 3) AS latency_ms,
       imsi, msisdn, home_mcc, home_mnc, home_country, visited_mcc, visited_mnc, visited_country, visited_operator,
       rat_type, apn, calling_gt, called_gt, responder_gt, vlr_number, sgsn_number,
       origin_host, origin_realm, dest_host, dest_realm, app_id, result_source, result_vendor,
       src_ip, dst_ip, src_port, dst_port, opc, dpc, calling_ssn, called_ssn, app_context,
       otid, dtid, hop_by_hop, end_to_end, seq, teid, req_ctrl_teid, rsp_ctrl_teid, imei_tac, cell_id,
       messages, nested_ops, retransmissions, orphan, req_frame, rsp_frame, site, source
FROM dialogues;
`,
  },
  {
    version: 5,
    name: 'imsi indexes by id bucket (insert rate that does not fall as the spool grows)',
    sql: `
-- The pseudonyms are random: one B-tree over all of them takes each insert at a random leaf, and
-- once it outgrows the page cache every commit rewrites thousands of its pages into the WAL
-- (measured here: 19 -> 34 us per row from 0.5M to 2M rows). Led by (id >> 16), each insert lands
-- in the subtree of the newest 65,536 ids, which stays in cache: a flat ~11 us per row (bench
-- --spool-scale, README "The spool"). "WHERE imsi = ?" still uses the index, by skip-scan (one
-- seek per bucket: 763 for 50M rows); the planner needs the sqlite_stat1 rows below to know that
-- the leading column has few values (ANALYZE, if an operator runs it, writes rows of that kind).
DROP INDEX dialogues_imsi;
CREATE INDEX dialogues_imsi ON dialogues ((id >> 16), imsi);
DROP INDEX tunnels_imsi;
CREATE INDEX tunnels_imsi ON tunnels ((id >> 16), imsi);
ANALYZE sqlite_schema;
DELETE FROM sqlite_stat1 WHERE idx IN ('dialogues_imsi', 'tunnels_imsi');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('dialogues', 'dialogues_imsi', '1048576 65536 1'), ('tunnels', 'tunnels_imsi', '1048576 65536 1');
`,
  },
];
