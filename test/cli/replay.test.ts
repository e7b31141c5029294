import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SHARED } from '../helpers/oracle';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const MAP_SYNTH = join(SHARED, 'tools/selftest/map-synthetic.pcap');

function sigprobe(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'sp-cli-'));
}

describe('sigprobe replay (built CLI)', () => {
  it('replays a capture into the spool and prints the summary', () => {
    const d = tmp();
    const spool = join(d, 'spool.db');
    const r = sigprobe(['replay', MAP_SYNTH, '--spool', spool]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^packets: 17 /m);
    expect(r.out).toMatch(/decoded: link 17, ipv4 17, sctp 17, dispatch 17, m3ua 17, sccp 17, tcap 17/);
    expect(r.out).toMatch(/dialogues: 7 \(abort 1, error 1, ok 3, reject 1, timeout 1\); by protocol: cap 1, map 6/);
    expect(r.out).toMatch(/anomalies: none/);
    const db = new Database(spool, { readonly: true });
    const rows = db.prepare('SELECT * FROM dialogues ORDER BY req_frame').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(7);
    // Pseudonymized by default: no raw IMSI/MSISDN anywhere in the spool; MCC/MNC kept.
    const ul = rows[0];
    expect(ul.procedure).toBe('updateLocation');
    expect(ul.imsi).toMatch(/^[0-9a-f]{24}$/);
    expect(ul.msisdn).toMatch(/^[0-9a-f]{24}$/);
    expect(ul.home_mcc).toBe('001');
    expect(ul.home_mnc).toBe('01');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain('001010000000001');
    expect(dump).not.toContain('8613811111111');
    expect(r.out).not.toContain('001010000000001');
    // The key was created next to the spool, 0600, and gives the same pseudonym on a second run.
    expect(existsSync(join(d, 'sigprobe-pseudonym.key'))).toBe(true);
    const spool2 = join(d, 'spool2.db');
    expect(sigprobe(['replay', MAP_SYNTH, '--spool', spool2]).code).toBe(0);
    const db2 = new Database(spool2, { readonly: true });
    expect((db2.prepare('SELECT imsi FROM dialogues WHERE req_frame = 1').get() as { imsi: string }).imsi).toBe(ul.imsi);
    // Human view and runs table.
    const h = db.prepare("SELECT req_time, latency_ms FROM dialogues_human WHERE req_frame = 5").get() as { req_time: string; latency_ms: number };
    expect(h.req_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(h.latency_ms).toBe(15);
    const run = db.prepare('SELECT mode, packets, dialogues, summary FROM runs').get() as { mode: string; packets: number; dialogues: number; summary: string };
    expect(run).toMatchObject({ mode: 'replay', packets: 17, dialogues: 7 });
    expect(JSON.parse(run.summary).written).toBe(7);
    db.close();
    db2.close();
  });

  it('--identities raw keeps identities (lab work), --json prints the summary as JSON', () => {
    const d = tmp();
    const r = sigprobe(['replay', MAP_SYNTH, '--spool', join(d, 's.db'), '--identities', 'raw', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.packets).toBe(17);
    expect(s.dialogues).toEqual({ abort: 1, error: 1, ok: 3, reject: 1, timeout: 1 });
    const db = new Database(join(d, 's.db'), { readonly: true });
    expect(db.prepare("SELECT imsi FROM dialogues WHERE req_frame = 1").get()).toEqual({ imsi: '001010000000001' });
    db.close();
  });

  it('the spool answers the README queries in the sqlite3 shell', () => {
    const d = tmp();
    const spool = join(d, 's.db');
    expect(sigprobe(['replay', MAP_SYNTH, '--spool', spool]).code).toBe(0);
    const q = spawnSync('sqlite3', [spool, "SELECT procedure, result_name, count(*) FROM dialogues WHERE status = 'error' GROUP BY 1, 2;"], { encoding: 'utf8' });
    expect(q.status).toBe(0);
    expect(q.stdout.trim()).toBe('sendAuthenticationInfo|unknownSubscriber|1');
  });

  it('one-line errors for bad arguments and bad files', () => {
    const d = tmp();
    const txt = join(d, 'notes.txt');
    writeFileSync(txt, 'hello, this is not a capture file');
    const cases: [string[], RegExp, number][] = [
      [['replay'], /^sigprobe: no capture file given/, 2],
      [['replay', MAP_SYNTH], /--spool <db> .* is required/, 2],
      [['replay', MAP_SYNTH, '--spool', join(d, 'x.db'), '--bogus'], /^sigprobe: unknown option --bogus/, 2],
      [['replay', MAP_SYNTH, '--spool', join(d, 'x.db'), '--identities', 'clear'], /--identities expects raw, pseudonymize or drop/, 2],
      [['replay', join(d, 'missing.pcap'), '--spool', join(d, 'x.db')], /^sigprobe: .*missing\.pcap/, 2],
      [['replay', txt, '--spool', join(d, 'x.db')], /^sigprobe: .*notes\.txt is not a pcap or pcapng file/, 2],
      [['replay', d, '--spool', join(d, 'x.db')], /^sigprobe: .* directory/, 2],
      [['frobnicate'], /^sigprobe: unknown command 'frobnicate'/, 2],
      [['run'], /^sigprobe: --config <file> is required/, 2],
      [['replay', MAP_SYNTH, '--config', join(d, 'nope.yaml')], /^sigprobe: cannot read config .*nope\.yaml: ENOENT/, 2],
    ];
    for (const [args, re, code] of cases) {
      const r = sigprobe(args);
      expect(r.err, args.join(' ')).toMatch(re);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.err.trim().split('\n')[0]).not.toMatch(/at .*\.js:\d+/); // no stack traces
    }
    expect(existsSync(join(d, 'x.db'))).toBe(false); // nothing written on a bad argument
  });

  it('refuses an unknown link type with a clear error', () => {
    const d = tmp();
    const f = join(d, 'usb.pcap');
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    hdr.writeUInt16LE(2, 4);
    hdr.writeUInt16LE(4, 6);
    hdr.writeUInt32LE(65535, 16);
    hdr.writeUInt32LE(189, 20); // LINKTYPE_USB_LINUX
    writeFileSync(f, hdr);
    const r = sigprobe(['replay', f, '--spool', join(d, 'x.db')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sigprobe: .*usb\.pcap: link type 189 .* is not supported; supported: ETHERNET\(1\)/);
  });

  it('help and version', () => {
    expect(sigprobe(['--help']).out).toMatch(/sigprobe replay <capture>/);
    expect(sigprobe(['--version']).out.trim()).toBe(JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')).version);
  });
});

describe('debug pcap of anomalous packets', () => {
  it('samples the packets that raised anomalies into a pcap tshark reads', () => {
    const d = tmp();
    const cfg = join(d, 'lab.yaml');
    writeFileSync(cfg, `site: lab\nspool:\n  path: spool.db\ndebug:\n  anomalyPcap: anomalies.pcap\n  anomalyPcapPerSecond: 100\n`);
    const cap = join(SHARED, 'captures/public/arkime/m3ua_synthetic.pcap');
    const r = sigprobe(['replay', cap, '--config', cfg, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    const tcapTruncated = s.anomalies.find((a: { layer: string; reason: string }) => a.layer === 'tcap' && a.reason === 'truncated');
    expect(tcapTruncated.count).toBe(13);
    const t = spawnSync('tshark', ['-r', join(d, 'anomalies.pcap'), '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
    expect(t.status).toBe(0);
    const n = t.stdout.trim().split('\n').length;
    // one packet per anomaly occurrence (a packet with two anomalies is written twice at most)
    const total = s.anomalies.reduce((a: number, x: { count: number }) => a + x.count, 0);
    expect(n).toBeGreaterThanOrEqual(13);
    expect(n).toBeLessThanOrEqual(total);
  });
});
