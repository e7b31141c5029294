#!/usr/bin/env node
import { SigprobeError, reportFailure } from '../config/errors';
import { wantsHelp } from './args';
import { replayMain, REPLAY_USAGE } from './replay';
import { runMain, RUN_USAGE } from './run';
import { genMain, GEN_USAGE } from './gen';
import { shipMain, SHIP_USAGE } from './ship';
import { collectMain, COLLECT_USAGE } from './collect';
import { reportMain, REPORT_SUMMARY, REPORT_USAGE } from './report';
import { devicesMain, DEVICES_SUMMARY, DEVICES_USAGE } from './devices';
import { traceMain, TRACE_SUMMARY, TRACE_USAGE } from './trace';
import { serveMain, SERVE_SUMMARY, SERVE_USAGE } from './serve';

type Out = (s: string) => void;

/**
 * A subcommand. Declaring it here is all it takes: `sigprobe <name> --help` (or `-h`) prints
 * `usage` (+ `summary`) on stdout and exits 0 without running it, the top-level help lists it,
 * and `daemon` commands exit as soon as they have stopped (see the end of this file).
 */
export interface Command {
  /** one line, `usage: sigprobe <name> ...` */
  usage: string;
  /** what it does, a few lines (printed under the usage by --help) */
  summary?: string;
  /** exit code (undefined = 0) */
  run(argv: readonly string[], out: Out): number | void | Promise<number | void>;
  /** long-running: exit explicitly once main resolves */
  daemon?: boolean;
}

export const COMMANDS: Record<string, Command> = {
  replay: {
    usage: REPLAY_USAGE,
    summary: 'Decodes capture files into the spool (dialogues, tunnels) and prints a summary.',
    // exit 3: replayed, but a capture file was damaged (reading it stopped there; README "Capture input")
    run: async (a, out) => ((await replayMain(a, out)).capture.damaged > 0 ? 3 : 0),
  },
  run: {
    usage: RUN_USAGE,
    summary: 'The live probe: captures on an interface into the spool until SIGTERM; SIGHUP reloads the config.',
    run: runMain,
    daemon: true,
  },
  gen: {
    usage: GEN_USAGE,
    summary: 'Generates a synthetic capture with its ground truth (x.truth.jsonl, x.tunnels.jsonl).',
    run: genMain,
  },
  ship: {
    usage: SHIP_USAGE,
    summary: "The shipper daemon: the spool's records to the central Redis queue (BullMQ), until SIGTERM.",
    run: shipMain,
    daemon: true,
  },
  collect: {
    usage: COLLECT_USAGE,
    summary:
      'The collector daemon: batches from the central queue into PostgreSQL (records and rollups), until SIGTERM; --requeue re-queues failed batches, --rebuild-rollups recomputes rollups from raw, --apply-retention drops old raw days, and exit.',
    run: collectMain,
    daemon: true,
  },
  devices: {
    usage: DEVICES_USAGE,
    summary: DEVICES_SUMMARY,
    run: async (a, out) => void (await devicesMain(a, out)),
  },
  report: {
    usage: REPORT_USAGE,
    summary: REPORT_SUMMARY,
    run: reportMain,
  },
  trace: {
    usage: TRACE_USAGE,
    summary: TRACE_SUMMARY,
    run: traceMain,
  },
  serve: {
    usage: SERVE_USAGE,
    summary: SERVE_SUMMARY,
    run: serveMain,
    daemon: true,
  },
};

/** The text `sigprobe <name> --help` prints. */
export function commandHelp(name: string): string {
  const c = COMMANDS[name];
  return c.summary ? `${c.usage}\n\n${c.summary}` : c.usage;
}

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  ${c.usage.replace(/^usage: /, '')}`);
  return `sigprobe — passive signaling probe (SIGTRAN/MAP, Diameter, GTP-C dialogues → SQLite spool → central PostgreSQL)

${lines.join('\n')}
  sigprobe help | --help | --version
  sigprobe <command> --help`;
}

/** Exit codes: 0 ok, 1 runtime failure, 2 usage / input errors, 3 replay of a damaged capture file. */
export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s + '\n');
  try {
    const c = cmd !== undefined && Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    if (c) {
      if (wantsHelp(rest)) {
        out(commandHelp(cmd as string));
        return 0;
      }
      return (await c.run(rest, out)) ?? 0;
    }
    switch (cmd) {
      case '--version':
      case 'version':
        out(require('../../package.json').version);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        // `sigprobe help <command>` = `sigprobe <command> --help`
        if (cmd === 'help' && rest[0] !== undefined && Object.hasOwn(COMMANDS, rest[0])) out(commandHelp(rest[0]));
        else out(usage());
        return cmd === undefined ? 2 : 0;
      default:
        throw new SigprobeError('E_USAGE', `unknown command '${cmd}'\n${usage()}`);
    }
  } catch (e) {
    return reportFailure(e);
  }
}

/**
 * The daemons exit as soon as they have stopped gracefully (spool flushed, acknowledged batches
 * recorded, jobs in progress finished): client libraries may keep handles alive after that —
 * ioredis reconnect timers while Redis is unreachable, a capture handle — and a stop must never
 * hang until systemd's SIGKILL.
 */
if (require.main === module) {
  const argv = process.argv.slice(2);
  const daemon = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) && COMMANDS[argv[0]].daemon === true;
  const done = (code: number) => {
    process.exitCode = code;
    if (daemon) process.exit(code);
  };
  main(argv).then(done, (e) => {
    process.stderr.write(`sigprobe: ${String(e)}\n`);
    done(1);
  });
}
