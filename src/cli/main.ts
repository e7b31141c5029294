#!/usr/bin/env node
import { SigprobeError } from '../config/errors';
import { replayMain, REPLAY_USAGE } from './replay';
import { runMain, RUN_USAGE } from './run';
import { genMain, GEN_USAGE } from './gen';
import { shipMain, SHIP_USAGE } from './ship';
import { collectMain, COLLECT_USAGE } from './collect';

const USAGE = `sigprobe — passive signaling probe (SIGTRAN/MAP dialogues → SQLite spool)

  ${REPLAY_USAGE.replace('usage: ', '')}
  ${RUN_USAGE.replace('usage: ', '')}
  ${GEN_USAGE.replace('usage: ', '')}
  ${SHIP_USAGE.replace('usage: ', '')}
  ${COLLECT_USAGE.replace('usage: ', '')}
  sigprobe help | --help | --version`;

/** Exit codes: 0 ok, 1 runtime failure, 2 usage / input errors. */
export async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s + '\n');
  try {
    switch (cmd) {
      case 'replay':
        replayMain(rest, out);
        return 0;
      case 'run':
        return await runMain(rest, out);
      case 'gen':
        genMain(rest, out);
        return 0;
      case 'ship':
        return await shipMain(rest, out);
      case 'collect':
        return await collectMain(rest, out);
      case '--version':
      case 'version':
        out(require('../../package.json').version);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new SigprobeError('E_USAGE', `unknown command '${cmd}'\n${USAGE}`);
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof SigprobeError || (typeof err.code === 'string' && err.code.startsWith('E_'))) {
      process.stderr.write(`sigprobe: ${err.message}\n`);
      return err.code === 'E_USAGE' || err.code === 'E_CONFIG' || err.code === 'E_CAPTURE_OPEN' || err.code === 'E_NOT_A_CAPTURE' || err.code === 'E_LINKTYPE' ? 2 : 1;
    }
    process.stderr.write(`sigprobe: internal error: ${err.stack ?? String(e)}\n`);
    return 1;
  }
}

/**
 * The daemons exit as soon as they have stopped gracefully (spool flushed, acknowledged batches
 * recorded, jobs in progress finished): client libraries may keep handles alive after that —
 * ioredis reconnect timers while Redis is unreachable, a capture handle — and a stop must never
 * hang until systemd's SIGKILL.
 */
const DAEMONS: ReadonlySet<string | undefined> = new Set(['run', 'ship', 'collect']);

if (require.main === module) {
  const argv = process.argv.slice(2);
  const done = (code: number) => {
    process.exitCode = code;
    if (DAEMONS.has(argv[0])) process.exit(code);
  };
  main(argv).then(done, (e) => {
    process.stderr.write(`sigprobe: ${String(e)}\n`);
    done(1);
  });
}
