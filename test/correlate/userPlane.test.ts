/**
 * GTP-U user-plane statistics per tunnel (TS 29.281): the G-PDU header walk on annotated hex
 * vectors, exact packet / byte counts per direction on synthesized captures (GTPv1 Gn/Gp with an
 * SGSN change, GTPv2 S5/S8 with a Modify Bearer), G-PDUs for unknown TEIDs counted by reason,
 * the counters in the spool (migration 4 columns, via `sigprobe replay`) and across a restart
 * (exportActive / importActive).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GpduMiss, gpduTpduLength, GTPU_MAX_EXT_HEADERS } from '../../src/correlate/userPlane';
import type { TunnelState } from '../../src/correlate/gtpTunnels';
import { collectingPipeline, GtpScenario, gtpv1, gtpv2, v1ie, v2ie } from '../helpers/gtpBuild';
import { hex } from '../helpers/hex';

const CLI = join(resolve(__dirname, '../..'), 'dist/cli/main.js');

describe('G-PDU header walk (TS 29.281 §5.1, §5.2)', () => {
  const len = (...h: string[]) => {
    const b = hex(...h);
    return gpduTpduLength(b, 0, b.length);
  };

  it('mandatory header only: the T-PDU is what Length counts', () => {
    // 30: version 1, PT 1, E S PN 0 | ff: G-PDU | 0004: length | 00000001: TEID | T-PDU (4)
    expect(len('30 ff 0004 00000001', '45000004')).toBe(4);
  });

  it('S flag: the 4 optional octets are header, not user data', () => {
    // 32: S | length 8 = 4 optional + 4 T-PDU | seq 0001, N-PDU 00, next type 00
    expect(len('32 ff 0008 00000001', '0001 00 00', '45000004')).toBe(4);
    // PN alone also brings the optional octets (each field meaningful only under its flag)
    expect(len('31 ff 0008 00000001', '0000 07 00', '45000004')).toBe(4);
    // E set in the next-type octet but flag E clear: no extension header follows
    expect(len('32 ff 0008 00000001', '0001 00 85', '45000004')).toBe(4);
  });

  it('extension headers: PDU Session Container; UDP Port then PDCP PDU Number', () => {
    // 34: E | length 12 = 4 opt + 4 ext + 4 T-PDU | next 85 | ext: len 1 (4 octets), 10 05, next 00
    expect(len('34 ff 000c 00000001', '0000 00 85', '01 1005 00', '45000004')).toBe(4);
    // 36: E S | next 40 (UDP Port) | 01 0868 c0 (next PDCP) | 01 0001 00 | T-PDU (8)
    expect(len('36 ff 0014 00000001', '0001 00 40', '01 0868 c0', '01 0001 00', '4500000800000000')).toBe(8);
    // a 2-unit (8-octet) extension header
    expect(len('34 ff 0010 00000001', '0000 00 85', '02 1005 00000000 00', '45000004')).toBe(4);
  });

  it('a capture cut after the header still gives the T-PDU length from Length', () => {
    // length 0x0578 = 1400 octets of T-PDU, 2 captured
    expect(len('30 ff 0578 00000001', '4500')).toBe(1400);
    expect(len('34 ff 057c 00000001', '0000 00 85', '01 1005 00', '45')).toBe(1396);
  });

  it('malformed headers: each reason', () => {
    expect(len('30 ff 0004 000000')).toBe(-GpduMiss.Truncated); // fewer than 8 octets
    expect(len('32 ff 0002 00000001', '0001')).toBe(-GpduMiss.BadLength); // Length cannot hold the optional octets
    expect(len('32 ff 0008 00000001', '00')).toBe(-GpduMiss.Truncated); // optional octets cut by the capture
    expect(len('34 ff 0004 00000001', '0000 00 85', '01 1005 00')).toBe(-GpduMiss.BadLength); // extension header past Length
    expect(len('34 ff 000c 00000001', '0000 00 85', '00 1005 00', '45000004')).toBe(-GpduMiss.BadExtHeader); // length 0
    expect(len('34 ff 000c 00000001', '0000 00 85', '01')).toBe(-GpduMiss.Truncated); // extension header cut
    expect(len('34 ff 0008 00000001', '0000 00 85', '02 1005 00')).toBe(-GpduMiss.BadLength); // 8-octet ext in a 4-octet room
    const chain = Array.from({ length: GTPU_MAX_EXT_HEADERS + 1 }, () => '01 0000 85').join('');
    expect(len(`34 ff ${(4 + 4 * (GTPU_MAX_EXT_HEADERS + 1) + 4).toString(16).padStart(4, '0')} 00000001`, '0000 00 85', chain, '45000004')).toBe(
      -GpduMiss.TooManyExtHeaders,
    );
  });
});

describe('G-PDU header walk: bounded on any input', () => {
  it('truncation at every byte and 100k random headers: no throw, nothing read past the end, a T-PDU no longer than Length', () => {
    const v = hex('36 ff 0014 00000001', '0001 00 40', '01 0868 c0', '01 0001 00', '4500000800000000');
    for (let cut = 0; cut <= v.length; cut++) {
      // the walk sees only [0, cut): a copy of exactly that size makes any read past it an undefined byte (NaN arithmetic)
      const b = Buffer.from(v.subarray(0, cut));
      const n = gpduTpduLength(b, 0, b.length);
      expect(Number.isInteger(n), String(cut)).toBe(true);
      expect(n === 8 || n === -GpduMiss.Truncated, String(cut)).toBe(true);
    }
    let x = 12345;
    const rnd = () => ((x = Math.imul(x ^ (x >>> 13), 0x5bd1e995) >>> 0) & 0xff);
    for (let i = 0; i < 100_000; i++) {
      const b = Buffer.alloc(8 + (rnd() % 40));
      for (let j = 0; j < b.length; j++) b[j] = rnd();
      b[0] = 0x30 | (b[0] & 0x07);
      const n = gpduTpduLength(b, 0, b.length);
      expect(Number.isInteger(n)).toBe(true);
      expect(n >= -GpduMiss.TeidZero && n <= b.readUInt16BE(2)).toBe(true);
    }
  });
});

// ------------------------------------------------------------------ captures

const SGSN = '10.1.0.1';
const SGSN_U = '10.1.0.101';
const SGSN2 = '10.1.0.2';
const GGSN = '10.2.0.1';
const GGSN_U = '10.2.0.100';
const U = 2152;

/** A user IPv4 packet of n octets (header fields only as far as they fit). */
function userPacket(n: number): Buffer {
  const b = Buffer.alloc(n, 0x61);
  b[0] = 0x45;
  if (n >= 4) b.writeUInt16BE(n, 2);
  return b;
}

/** G-PDU to `teid` carrying an n-octet T-PDU; `form` varies the header (plain, S, E + PDU session container). */
function gpdu(teid: number, n: number, form: 'plain' | 'seq' | 'ext' = 'plain'): Buffer {
  if (form === 'plain') return gtpv1(255, teid, null, [userPacket(n)]);
  if (form === 'seq') return gtpv1(255, teid, 7, [userPacket(n)]);
  return gtpv1(255, teid, null, [userPacket(n)], { flags: 0, ext: [{ type: 0x85, content: Buffer.from([0x10, 0x05]) }] });
}

describe('packets and bytes per tunnel', () => {
  it('GTPv1: up = to the GGSN data TEID, down = to the SGSN one; unknown TEIDs counted; the SGSN change moves the downlink', () => {
    const s = new GtpScenario();
    const sum = { up: [0, 0], down: [0, 0] };
    s.add(0, SGSN, GGSN, gtpv1(16, 0, 1, [
      v1ie.imsi('214070000000001'), v1ie.rai('262', '01'), v1ie.teidData(0x1001), v1ie.teidControl(0x1000), v1ie.nsapi(5), v1ie.eua(),
      v1ie.apn('internet'), v1ie.gsn(SGSN), v1ie.gsn(SGSN_U), v1ie.msisdn('34609000001'), v1ie.rat(1),
    ]));
    s.add(3_000, GGSN, SGSN, gtpv1(17, 0x1000, 1, [v1ie.cause(128), v1ie.teidData(0x2001), v1ie.teidControl(0x2000), v1ie.gsn(GGSN), v1ie.gsn(GGSN_U)]));
    const up = (dt: number, n: number, form: 'plain' | 'seq' | 'ext' = 'plain', from = SGSN_U) => {
      sum.up[0]++;
      sum.up[1] += n;
      return s.add(dt, from, GGSN_U, gpdu(0x2001, n, form), U, U);
    };
    const down = (dt: number, n: number, to: string, teid: number, form: 'plain' | 'seq' | 'ext' = 'plain') => {
      sum.down[0]++;
      sum.down[1] += n;
      return s.add(dt, GGSN_U, to, gpdu(teid, n, form), U, U);
    };
    const firstUser = up(1_000, 60);
    up(10, 1400, 'seq');
    down(10, 1500, SGSN_U, 0x1001);
    down(10, 40, SGSN_U, 0x1001, 'ext');
    up(10, 0); // an empty T-PDU is a packet of 0 octets
    // Not this tunnel: another TEID, the right TEID at another address, TEID 0, a bad header.
    s.add(10, GGSN_U, SGSN_U, gpdu(0x9999, 100), U, U);
    s.add(10, GGSN_U, '10.9.9.9', gpdu(0x1001, 100), U, U);
    s.add(10, SGSN_U, GGSN_U, gpdu(0, 100), U, U);
    s.add(10, SGSN_U, GGSN_U, hex('34 ff 000c 00002001', '0000 00 85', '00 1005 00', '45000004'), U, U);
    // Inter-SGSN update (TS 29.060 §7.3.3): new TEID-C and TEID Data I at SGSN2.
    s.add(1_000_000, SGSN2, GGSN, gtpv1(18, 0x2000, 2, [v1ie.teidData(0x3001), v1ie.teidControl(0x3000), v1ie.nsapi(5), v1ie.gsn(SGSN2), v1ie.gsn(SGSN2)]));
    s.add(2_000, GGSN, SGSN2, gtpv1(19, 0x3000, 2, [v1ie.cause(128), v1ie.teidData(0x2001), v1ie.teidControl(0x2000), v1ie.gsn(GGSN), v1ie.gsn(GGSN_U)]));
    s.add(10, GGSN_U, SGSN_U, gpdu(0x1001, 100), U, U); // the old SGSN's TEID: gone
    down(10, 576, SGSN2, 0x3001);
    const lastUser = up(10, 1200, 'plain', SGSN2);
    s.add(5_000, SGSN2, GGSN, gtpv1(20, 0x2000, 3, [v1ie.nsapi(5)]));
    s.add(2_000, GGSN, SGSN2, gtpv1(21, 0x3000, 3, [v1ie.cause(128)]));
    s.add(10, SGSN2, GGSN_U, gpdu(0x2001, 100), U, U); // after the Delete: unknown
    const { tunnels, pipeline } = s.run('user-plane-v1');
    expect(tunnels).toHaveLength(1);
    const t = tunnels[0];
    expect([t.packetsUp, t.bytesUp, t.packetsDown, t.bytesDown]).toEqual([sum.up[0], sum.up[1], sum.down[0], sum.down[1]]);
    expect([t.firstUserUs, t.lastUserUs]).toEqual([s.pkts[firstUser - 1].tsUs, s.pkts[lastUser - 1].tsUs]);
    expect([t.sgsnDataTeid, t.ggsnDataTeid, t.endReason]).toEqual([0x3001, 0x2001, 'delete']);
    const u = pipeline.gtp.tunnels.userPlane;
    expect([u.packetsUp, u.bytesUp, u.packetsDown, u.bytesDown]).toEqual([sum.up[0], sum.up[1], sum.down[0], sum.down[1]]);
    expect(u.missedByReason()).toEqual({ unknown_teid: 4, teid_zero: 1, bad_ext_header: 1 });
    expect(pipeline.gtp.stats.gpdus).toBe(sum.up[0] + sum.down[0] + 6);
  });

  it('GTPv2 S5/S8: bearer F-TEIDs of Create Session; a Modify Bearer moves the SGW user plane', () => {
    const SGW = '10.3.0.2';
    const SGW_U = '10.3.0.102';
    const SGW2_U = '10.3.0.103';
    const PGW = '10.4.0.1';
    const PGW_U = '10.4.0.101';
    const s = new GtpScenario();
    s.add(0, SGW, PGW, gtpv2(32, 0, 1, [
      v2ie.imsi('334020000000001'), v2ie.rat(6), v2ie.servingNetwork('214', '07'), v2ie.fteid(6, 0x100, SGW), v2ie.apn('internet'),
      v2ie.bearerContext([v2ie.ebi(5), v2ie.fteid(4, 0x101, SGW_U, 2)]),
    ]));
    s.add(5_000, PGW, SGW, gtpv2(33, 0x100, 1, [
      v2ie.cause(16), v2ie.fteid(7, 0x200, PGW, 1), v2ie.bearerContext([v2ie.ebi(5), v2ie.fteid(5, 0x201, PGW_U, 2)]),
    ]));
    s.add(1_000, SGW_U, PGW_U, gpdu(0x201, 300), U, U);
    s.add(10, PGW_U, SGW_U, gpdu(0x101, 1000), U, U);
    s.add(10, PGW_U, SGW_U, gpdu(0x101, 1000, 'ext'), U, U);
    // SGW relocation of the user plane (TS 29.274 §7.2.7): the bearer's new S5/S8-U SGW F-TEID.
    s.add(60_000_000, SGW, PGW, gtpv2(34, 0x200, 2, [v2ie.bearerContext([v2ie.ebi(5), v2ie.fteid(4, 0x111, SGW2_U, 2)])]));
    s.add(3_000, PGW, SGW, gtpv2(35, 0x100, 2, [v2ie.cause(16), v2ie.bearerContext([v2ie.ebi(5), v2ie.cause(16)])]));
    s.add(10, PGW_U, SGW_U, gpdu(0x101, 1000), U, U); // old endpoint: unknown
    s.add(10, PGW_U, SGW2_U, gpdu(0x111, 700), U, U);
    s.add(10, SGW2_U, PGW_U, gpdu(0x201, 90, 'seq'), U, U);
    const { tunnels, pipeline } = s.run('user-plane-v2');
    expect(tunnels.map((t) => [t.packetsUp, t.bytesUp, t.packetsDown, t.bytesDown, t.sgsnDataTeid, t.ggsnDataTeid, t.endReason])).toEqual([
      [2, 300 + 90, 3, 1000 + 1000 + 700, 0x111, 0x201, 'capture_end'],
    ]);
    expect(tunnels[0]).toMatchObject({ homeCountry: 'MX', visitedCountry: 'ES', visitedMcc: '214', visitedMnc: '07' });
    expect(pipeline.gtp.tunnels.userPlane.missedByReason()).toEqual({ unknown_teid: 1 });
  });

  it('a tunnel without user packets has 0 / 0 and NULL times; the counters survive a restart (exportActive → importActive)', () => {
    const s = new GtpScenario();
    s.add(0, SGSN, GGSN, gtpv1(16, 0, 1, [v1ie.imsi('262010000000009'), v1ie.teidData(0x11), v1ie.teidControl(0x10), v1ie.nsapi(5), v1ie.gsn(SGSN), v1ie.gsn(SGSN_U)]));
    s.add(10, GGSN, SGSN, gtpv1(17, 0x10, 1, [v1ie.cause(128), v1ie.teidData(0x21), v1ie.teidControl(0x20), v1ie.gsn(GGSN), v1ie.gsn(GGSN_U)]));
    s.add(10, SGSN, GGSN, gtpv1(16, 0, 2, [v1ie.imsi('262010000000010'), v1ie.teidData(0x31), v1ie.teidControl(0x30), v1ie.nsapi(5), v1ie.gsn(SGSN), v1ie.gsn(SGSN_U)]));
    s.add(10, GGSN, SGSN, gtpv1(17, 0x30, 2, [v1ie.cause(128), v1ie.teidData(0x41), v1ie.teidControl(0x40), v1ie.gsn(GGSN), v1ie.gsn(GGSN_U)]));
    s.add(10, SGSN_U, GGSN_U, gpdu(0x41, 500), U, U); // the second tunnel's
    s.add(10, GGSN_U, SGSN_U, gpdu(0x31, 800), U, U);
    const a = collectingPipeline();
    s.feed('restart-a', a.pipeline);
    const states = JSON.parse(JSON.stringify(a.pipeline.gtp.tunnels.exportActive(true))) as TunnelState[];
    a.pipeline.finish('shutdown');
    expect(states.map((x) => [x.packetsUp, x.bytesUp, x.packetsDown, x.bytesDown, x.firstUserUs, x.lastUserUs])).toEqual([
      [0, 0, 0, 0, null, null],
      [1, 500, 1, 800, s.pkts[4].tsUs, s.pkts[5].tsUs],
    ]);
    const after = new GtpScenario();
    after.t = s.t + 1_000_000;
    after.add(0, SGSN_U, GGSN_U, gpdu(0x41, 100), U, U);
    const b = collectingPipeline();
    b.pipeline.gtp.tunnels.importActive(states);
    after.feed('restart-b', b.pipeline);
    b.pipeline.finish('capture_end');
    expect(b.tunnels.map((t) => [t.imsi, t.packetsUp, t.bytesUp, t.packetsDown, t.bytesDown, t.firstUserUs, t.lastUserUs])).toEqual([
      ['262010000000009', 0, 0, 0, 0, null, null],
      ['262010000000010', 2, 600, 1, 800, s.pkts[4].tsUs, after.pkts[0].tsUs],
    ]);
    // A state saved before migration 4 (no counters) restores with zeros.
    const c = collectingPipeline();
    const old = states.map(({ packetsUp: _a, packetsDown: _b, bytesUp: _c, bytesDown: _d, firstUserUs: _e, lastUserUs: _f, ...rest }) => rest);
    expect(c.pipeline.gtp.tunnels.importActive(old)).toBe(2);
    c.pipeline.finish('capture_end');
    expect(c.tunnels.map((t) => [t.packetsUp, t.bytesDown, t.firstUserUs])).toEqual([[0, 0, null], [0, 0, null]]);
  });

  it('sigprobe replay writes the counters and countries into the spool (migration 4 columns)', () => {
    const s = new GtpScenario();
    s.add(0, SGSN, GGSN, gtpv1(16, 0, 1, [
      v1ie.imsi('214070000000002'), v1ie.rai('724', '10'), v1ie.teidData(0x51), v1ie.teidControl(0x50), v1ie.nsapi(5), v1ie.gsn(SGSN), v1ie.gsn(SGSN_U),
    ]));
    s.add(10, GGSN, SGSN, gtpv1(17, 0x50, 1, [v1ie.cause(128), v1ie.teidData(0x61), v1ie.teidControl(0x60), v1ie.gsn(GGSN), v1ie.gsn(GGSN_U)]));
    let bytes = 0;
    for (let i = 0; i < 25; i++) {
      const n = 40 + 37 * i;
      bytes += n;
      s.add(100, SGSN_U, GGSN_U, gpdu(0x61, n, i % 3 === 0 ? 'ext' : 'plain'), U, U);
    }
    s.add(100, GGSN_U, SGSN_U, gpdu(0x51, 1460), U, U);
    const { file } = s.run('user-plane-spool');
    const spool = join(mkdtempSync(join(tmpdir(), 'sp-userplane-')), 's.db');
    const out = execFileSync(process.execPath, [CLI, 'replay', file, '--spool', spool, '--identities', 'raw'], { encoding: 'utf8' });
    expect(out).toContain(`gtp-u: up 25 packets ${bytes} bytes, down 1 packets 1460 bytes; not counted: none`);
    const db = new Database(spool, { readonly: true });
    const row = db
      .prepare('SELECT home_country, visited_country, visited_mcc, packets_up, packets_down, bytes_up, bytes_down, first_user_us, last_user_us FROM tunnels')
      .get();
    expect(row).toEqual({
      home_country: 'ES', visited_country: 'BR', visited_mcc: '724', packets_up: 25, packets_down: 1, bytes_up: bytes, bytes_down: 1460,
      first_user_us: s.pkts[2].tsUs, last_user_us: s.pkts[s.pkts.length - 1].tsUs,
    });
    const d = db.prepare("SELECT home_country, visited_country, visited_operator FROM dialogues_human WHERE procedure = 'CreatePDPContext'").get();
    expect(d).toEqual({ home_country: 'ES', visited_country: 'BR', visited_operator: null });
    db.close();
  });
});
