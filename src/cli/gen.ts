import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SigprobeError } from '../config/errors';
import { ALL_PROTOCOLS, ALL_SCENARIOS, GenProtocol, generate } from '../gen/index';
import { intOption, parseArgs, strOption } from './args';

export const GEN_USAGE =
  'usage: sigprobe gen --out <file.pcap|file.pcapng> [--dialogues N] [--seed N] [--span-seconds N] [--link ethernet|vlan|qinq|sll|sll2|ipv6] ' +
  `[--scenario ${ALL_SCENARIOS.join('|')}] [--protocols ${ALL_PROTOCOLS.join(',')}] ('mix' = MAP/CAP only, 'ipx' = all four protocols)`;

export function genMain(argv: readonly string[], out: (s: string) => void): void {
  const p = parseArgs(argv, { out: 'string', dialogues: 'string', seed: 'string', 'span-seconds': 'string', link: 'string', scenario: 'string', protocols: 'string' });
  const file = strOption(p, 'out') ?? p.positional[0];
  if (!file) throw new SigprobeError('E_USAGE', `--out <file> is required\n${GEN_USAGE}`);
  const scenario = strOption(p, 'scenario');
  if (scenario !== undefined && !(ALL_SCENARIOS as readonly string[]).includes(scenario)) throw new SigprobeError('E_USAGE', `unknown scenario '${scenario}'\n${GEN_USAGE}`);
  const protoOpt = strOption(p, 'protocols');
  const protocols = protoOpt === undefined ? undefined : (protoOpt.split(',').map((x) => x.trim()).filter((x) => x !== '') as GenProtocol[]);
  if (protocols && (protocols.length === 0 || protocols.some((x) => !ALL_PROTOCOLS.includes(x)))) {
    throw new SigprobeError('E_USAGE', `--protocols expects a comma-separated subset of ${ALL_PROTOCOLS.join(',')}, got '${protoOpt}'`);
  }
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
    scenario: scenario as never,
    protocols,
  });
  out(
    `sigprobe gen: ${file}: ${s.packets} packets, ${s.dialogues} dialogues (${((Date.now() - t0) / 1000).toFixed(1)} s); truth in ${s.truthPath}` +
      (s.tunnelsPath ? `; ${s.tunnels} tunnels in ${s.tunnelsPath}` : ''),
  );
}
