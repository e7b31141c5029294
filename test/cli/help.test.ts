/**
 * CLI convention: every subcommand answers `--help` (and `-h`, and `sigprobe help <command>`)
 * with its own usage on stdout and exit 0, without running. The commands are enumerated from the
 * registry in src/cli/main.ts, so a command added there is covered here without a new test.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/main';

const MAIN = resolve(__dirname, '../../dist/cli/main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });
const names = Object.keys(COMMANDS);

describe('sigprobe <command> --help', () => {
  it('knows the documented subcommands', () => {
    expect(names).toEqual(expect.arrayContaining(['replay', 'run', 'gen', 'ship', 'collect']));
  });

  it.each(names)('%s --help prints its own usage and exits 0', (name) => {
    const want = COMMANDS[name].usage;
    expect(want).toMatch(new RegExp(`^usage: sigprobe ${name}\\b`));
    for (const args of [[name, '--help'], [name, '-h'], ['help', name]]) {
      const r = cli(...args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')[0]).toBe(want);
    }
    // --help wins over any other argument (none is validated, nothing runs)
    const r = cli(name, '--config', '/nonexistent/x.yaml', '--no-such-option', '--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(want);
  });

  it('the top-level help lists every subcommand; an unknown option is still a usage error', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    for (const n of names) expect(r.stdout).toContain(COMMANDS[n].usage.replace(/^usage: /, ''));
    const bad = cli('ship', '--confgi', 'x.yaml');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('sigprobe: unknown option --confgi\n');
    const unknown = cli('frobnicate', '--help');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^sigprobe: unknown command 'frobnicate'/);
  });
});

describe('wantsHelp', () => {
  it('is --help or -h before a `--` (after it, an operand)', async () => {
    const { wantsHelp } = await import('../../src/cli/args');
    expect(wantsHelp(['--config', 'x', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['--helpful'])).toBe(false);
  });
});
