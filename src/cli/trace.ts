import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SigprobeError } from '../config/errors';
import { loadConfig } from '../config/load';
import { e164CountryCodeLength, IdentityProtector, loadOrCreateKey, type IdentityMode } from '../correlate/identities';
import { runTrace, type TraceResult, type TraceSelector } from '../trace/query';
import { renderHtml, renderText } from '../trace/render';
import { captureDirs, exportPcap } from '../trace/pcapExport';
import { defaultKeyFile } from './probe';
import { parseArgs, strOption } from './args';
import { parseTime } from './report';

export const TRACE_USAGE =
  'usage: sigprobe trace (--imsi <imsi> | --msisdn <msisdn> | --pseudonym <p> | --gt <gt>) (--spool <db> [<db> ...] | --central <config>) [--from <time>] [--to <time>] [--format text|json|html] [--out <file>] [--pcap <out.pcapng>] [--captures <dir>[,<dir>...]] [--key-file <file> | --config <file>]';

export const TRACE_SUMMARY = `Every dialogue of one subscriber (or one node GT) in the spool files, in time order — MAP/CAP, Diameter, GTP-C —
with the related records that carry no identity (GTP dialogues of its tunnels by TEID, Diameter relay legs by
end-to-end id) and its tunnels.
  --imsi/--msisdn  a raw identity: turned into its pseudonym with the site key (--key-file, or privacy.keyFile of
                   --config, default sigprobe-pseudonym.key next to the first spool); never stored or logged
  --pseudonym      the 24-hex pseudonym of an IMSI as the spool stores it
  --gt             a node GT (HLR, VLR, SGSN...) or a stored subscriber GT (<cc>:<pseudonym>)
  --from/--to      request times, ISO-8601 UTC or epoch seconds
  --format         text (default: one line per dialogue), json (the spool rows), html (ladder diagram, one file)
  --out            write the output to this file instead of stdout
  --central        read the central PostgreSQL store (the collector section of <config>) instead of spool files;
                   a raw --imsi / --msisdn then needs --key-file (the probes' key)
  --pcap           also write the traced dialogues' packets (every message of each: request, TCAP Continues, answer,
                   retransmissions) as pcapng, read back from the capture files named in the records' source
                   (searched in --captures, the spools' directory, cwd); a dialogue without its packets is a warning
Exit 2 with a one-line message for a malformed identity, a missing key, or no records. README "Subscriber trace".`;

/** Exit-2 input errors of trace (main.ts maps E_USAGE to 2). */
function bad(msg: string): SigprobeError {
  return new SigprobeError('E_USAGE', msg);
}

export function traceMain(argv: readonly string[], out: (s: string) => void): number | Promise<number> {
  const p = parseArgs(argv, {
    imsi: 'string', msisdn: 'string', pseudonym: 'string', gt: 'string', spool: 'string', from: 'string', to: 'string',
    format: 'string', out: 'string', pcap: 'string', captures: 'string', 'key-file': 'string', config: 'string', central: 'string',
  });
  const central = strOption(p, 'central');
  const first = strOption(p, 'spool');
  if (central !== undefined && (first !== undefined || p.positional.length > 0)) throw bad('give --spool <db> or --central <config>, not both');
  if (first === undefined && central === undefined) throw bad('--spool <db> (or --central <config>) is required (see sigprobe trace --help)');
  if (central !== undefined && !existsSync(central)) throw bad(`config ${resolve(central)} does not exist`);
  const files = first !== undefined ? [first, ...p.positional].map((f) => resolve(f)) : [];
  for (const f of files) if (!existsSync(f)) throw bad(`spool ${f} does not exist`);
  // the key next to the first spool by default; with --central, --key-file or --config
  const keyBase = files[0] ?? null;
  const given = (['imsi', 'msisdn', 'pseudonym', 'gt'] as const).filter((k) => strOption(p, k) !== undefined);
  if (given.length !== 1) throw bad("give exactly one of --imsi, --msisdn, --pseudonym, --gt (see sigprobe trace --help)");
  const kind = given[0];
  const raw = (strOption(p, kind) as string).trim();
  const format = strOption(p, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'html') throw bad(`--format expects text, json or html, got '${format}'`);
  if (strOption(p, 'key-file') !== undefined && strOption(p, 'config') !== undefined) throw bad('give --key-file or --config, not both');
  const from = strOption(p, 'from');
  const to = strOption(p, 'to');
  const fromUs = from !== undefined ? parseTime('from', from) : undefined;
  const toUs = to !== undefined ? parseTime('to', to) : undefined;
  if (fromUs !== undefined && toUs !== undefined && toUs <= fromUs) throw bad('--to must be after --from');

  // Validate before any key is read: the value typed is never echoed back (it may be an identity).
  let selector: TraceSelector;
  let title: string;
  if (kind === 'imsi') {
    // E.212 §2.2: MCC (3) + MNC (2-3) + MSIN, at most 15 digits
    if (!/^\d{6,15}$/.test(raw)) throw bad(`--imsi expects 6 to 15 digits (E.212 IMSI), got ${raw.length} characters that are not`);
    const ids = protector(p, keyBase);
    selector = { kind: 'imsi', value: ids.protect('imsi', raw) as string };
    title = `IMSI ${raw}`;
  } else if (kind === 'msisdn') {
    // E.164 §6: country code + national number, at most 15 digits, no leading zero
    const digits = raw.replace(/^\+/, '');
    if (!/^[1-9]\d{5,14}$/.test(digits)) throw bad('--msisdn expects an international E.164 number: 6 to 15 digits, country code first (+ allowed), no leading 0');
    const ids = protector(p, keyBase);
    const ps = ids.protect('msisdn', digits) as string;
    const cc = digits.slice(0, e164CountryCodeLength(digits));
    // the subscriber-number GT forms of README Privacy: `<cc>:<pseudonym>`, or the raw GT in a raw spool
    selector = { kind: 'msisdn', value: ps, gtForms: ids.mode === 'raw' ? [digits] : [`${cc}:${ps}`] };
    title = `MSISDN +${digits}`;
  } else if (kind === 'pseudonym') {
    if (!/^[0-9a-f]{24}$/.test(raw)) throw bad('--pseudonym expects the 24 lower-case hex digits the spool stores in imsi');
    selector = { kind: 'imsi', value: raw };
    title = `pseudonym ${raw}`;
  } else {
    if (!/^(\d{1,15}|\d{1,4}(-\d{2,3})?:[0-9a-f]{24})$/.test(raw)) throw bad('--gt expects 1 to 15 digits, or a stored subscriber GT <cc>:<pseudonym>');
    selector = { kind: 'gt', value: raw };
    title = `GT ${raw}`;
  }

  if (central !== undefined) return centralTrace(p, central, { selector, fromUs, toUs }, kind, format, title, out);
  const t0 = process.hrtime.bigint();
  const result = runTrace({ files, selector, fromUs, toUs });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.records.length === 0) {
    const period = fromUs !== undefined || toUs !== undefined ? ' in the period' : '';
    if (period && runTrace({ files, selector }).records.length > 0) throw bad(`no records of that ${kind}${period} (there are some outside it)`);
    throw bad(`no records of that ${kind}${period} in ${files.length === 1 ? files[0] : `${files.length} spool files`}${kind === 'imsi' || kind === 'msisdn' ? ' (is the key file the one the probe used?)' : ''}`);
  }
  return finish(p, result, format, title, `${files.length} spool file${files.length > 1 ? 's' : ''}`, files, ms, out);
}

/** `--central CONF`: the trace from the central store (src/trace/central.ts), the collector section of CONF. */
async function centralTrace(
  p: ReturnType<typeof parseArgs>, cfgFile: string, q: { selector: TraceSelector; fromUs?: number; toUs?: number },
  kind: string, format: string, title: string, out: (s: string) => void,
): Promise<number> {
  // loaded here: pg costs every other command start-up time
  const { loadCollectorConfig } = require('./collect') as typeof import('./collect');
  const { collectorPool } = require('../collector/collector') as typeof import('../collector/collector');
  const { runCentralTrace } = require('../trace/central') as typeof import('../trace/central');
  const { cfg, pgPassword } = loadCollectorConfig(cfgFile);
  const pool = collectorPool({ ...cfg, concurrency: 1 }, pgPassword);
  try {
    const t0 = process.hrtime.bigint();
    let result: TraceResult;
    try {
      result = await runCentralTrace({ pool, schema: cfg.postgres.schema, ...q });
    } catch (e) {
      const m = (e as Error).message.split('\n')[0];
      throw new SigprobeError('E_USAGE', `central store ${cfg.postgres.schema} (${cfgFile}): ${m}`);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (result.records.length === 0) {
      const period = q.fromUs !== undefined || q.toUs !== undefined ? ' in the period' : '';
      if (period && (await runCentralTrace({ pool, schema: cfg.postgres.schema, selector: q.selector })).records.length > 0) {
        throw bad(`no records of that ${kind}${period} (there are some outside it)`);
      }
      throw bad(`no records of that ${kind}${period} in the central store (schema ${cfg.postgres.schema})${kind === 'imsi' || kind === 'msisdn' ? ' (is the key file the one the probes used?)' : ''}`);
    }
    return finish(p, result, format, title, `central store ${cfg.postgres.schema}`, [], ms, out);
  } finally {
    await pool.end().catch(() => {});
  }
}

function finish(
  p: ReturnType<typeof parseArgs>, result: TraceResult, format: string, title: string, where: string, files: string[], ms: number, out: (s: string) => void,
): number {
  const body = render(result, format, title, where, ms);
  const outFile = strOption(p, 'out');
  if (outFile !== undefined) {
    const tmp = `${outFile}.tmp-${process.pid}`;
    writeFileSync(tmp, body);
    renameSync(tmp, outFile);
    process.stderr.write(`sigprobe: trace: ${result.records.length} dialogues, ${result.tunnels.length} tunnels → ${outFile} (${ms.toFixed(0)} ms)\n`);
  } else {
    out(body);
  }
  const pcap = strOption(p, 'pcap');
  if (pcap !== undefined) {
    const dirs = captureDirs((strOption(p, 'captures') ?? '').split(',').filter((d) => d !== ''), files);
    const ex = exportPcap(result.records, pcap, dirs);
    for (const w of ex.warnings) process.stderr.write(`sigprobe: warning: ${w}\n`);
    process.stderr.write(`sigprobe: trace: ${ex.packets} packets → ${pcap}${ex.warnings.length > 0 ? ` (${ex.warnings.length} dialogues without their packets)` : ''}\n`);
  }
  return 0;
}

function render(t: TraceResult, format: string, title: string, where: string, ms: number): string {
  if (format === 'json') return JSON.stringify(t.records.map((r) => r.row), null, 1);
  if (format === 'html') {
    const sub = `${t.records.length} dialogues, ${t.tunnels.length} tunnels; ${where}; ` +
      `${t.imsis.length === 1 ? `pseudonym ${t.imsis[0]}` : `${t.imsis.length} pseudonyms`}; generated by sigprobe trace in ${ms.toFixed(0)} ms`;
    return renderHtml(t, title, sub);
  }
  return renderText(t, title.startsWith('IMSI') || title.startsWith('MSISDN') ? `${title.split(' ')[0]} (pseudonym ${t.imsis[0] ?? '?'})` : title);
}

/** The identity protector of the site: its key file (or raw when the config says identities: raw). */
function protector(p: ReturnType<typeof parseArgs>, firstSpool: string | null): IdentityProtector {
  const cfgFile = strOption(p, 'config');
  let keyFile = strOption(p, 'key-file');
  let mode: IdentityMode = 'pseudonymize';
  if (cfgFile !== undefined) {
    const cfg = loadConfig(cfgFile);
    mode = cfg.privacy.identities;
    if (mode === 'drop') throw bad(`${cfgFile}: privacy.identities is drop: the spool holds no identities to trace`);
    keyFile = cfg.privacy.keyFile ?? defaultKeyFile(cfg.spool.path);
  }
  if (mode === 'raw') return new IdentityProtector('raw', null);
  if (keyFile === undefined && firstSpool === null) throw bad('a raw identity with --central needs the site key: --key-file <file> (or --config with privacy.keyFile), or give --pseudonym');
  const kf = resolve(keyFile ?? defaultKeyFile(firstSpool as string));
  if (!existsSync(kf)) throw bad(`privacy key file ${kf} does not exist: the pseudonym of a raw identity needs the key the probe used (--key-file or --config)`);
  try {
    return new IdentityProtector('pseudonymize', loadOrCreateKey(kf, false));
  } catch (e) {
    throw bad((e as Error).message);
  }
}
