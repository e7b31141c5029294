import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SigprobeError } from '../config/errors';
import { generate } from '../gen/index';
import { intOption, parseArgs, strOption } from './args';

export const GEN_USAGE =
  'usage: sigprobe gen --out <file.pcap|file.pcapng> [--dialogues N] [--seed N] [--span-seconds N] [--link ethernet|vlan|qinq|sll|sll2|ipv6] [--scenario mix|<fault>]';

export function genMain(argv: readonly string[], out: (s: string) => void): void {
  const p = parseArgs(argv, { out: 'string', dialogues: 'string', seed: 'string', 'span-seconds': 'string', link: 'string', scenario: 'string' });
  const file = strOption(p, 'out') ?? p.positional[0];
  if (!file) throw new SigprobeError('E_USAGE', `--out <file> is required\n${GEN_USAGE}`);
  try {
    mkdirSync(dirname(resolve(file)), { recursive: true });
  } catch (e) {
    throw new SigprobeError('E_USAGE', `cannot create the directory of ${file}: ${(e as Error).message}`);
  }
  const t0 = Date.now();
  const s = generate({
    out: file,
    seed: intOption(p, 'seed', 1),
    dialogues: intOption(p, 'dialogues', 10000, 1),
    spanSeconds: p.options.has('span-seconds') ? intOption(p, 'span-seconds', 3600, 1) : undefined,
    link: strOption(p, 'link') as never,
    scenario: strOption(p, 'scenario') as never,
  });
  out(`sigprobe gen: ${file}: ${s.packets} packets, ${s.dialogues} dialogues (${((Date.now() - t0) / 1000).toFixed(1)} s); truth in ${file.replace(/\.pcap(ng)?$/, '')}.truth.jsonl`);
}
