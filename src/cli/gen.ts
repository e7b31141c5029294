import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SigprobeError } from '../config/errors';
import { ALL_PROTOCOLS, ALL_SCENARIOS, GenProtocol, generate } from '../gen/index';
import { intOption, parseArgs, strOption } from './args';
import { devicesGenMain, isDevicesScenario } from '../gen/devices/cli';

export const GEN_USAGE =
  'usage: sigprobe gen --out <file.pcap|file.pcapng> [--dialogues N] [--seed N] [--span-seconds N] [--link ethernet|vlan|qinq|sll|sll2|ipv6] ' +
  `[--scenario ${ALL_SCENARIOS.join('|')}] [--protocols ${ALL_PROTOCOLS.join(',')}] ('mix' = MAP/CAP only, 'ipx' = all four protocols)` +
  ` [--devices N] [--hours H] ('roaming': a device population over H hours, default 2000 devices, 3 hours)`;

export function genMain(argv: readonly string[], out: (s: string) => void): void {
  if (isDevicesScenario(argv)) return devicesGenMain(argv, out); // device population (src/gen/devices)
  const p = parseArgs(argv, { out: 'string', dialogues: 'string', seed: 'string', 'span-seconds': 'string', link: 'string', scenario: 'string', protocols: 'string', devices: 'string', hours: 'string' });
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
  const roaming = scenario === 'roaming';
  if (!roaming && (p.options.has('devices') || p.options.has('hours'))) throw new SigprobeError('E_USAGE', `--devices and --hours are for --scenario roaming (or devices)\n${GEN_USAGE}`);
  if (roaming && (p.options.has('dialogues') || p.options.has('protocols') || p.options.has('span-seconds'))) {
    throw new SigprobeError('E_USAGE', `--scenario roaming is sized by --devices and --hours (not --dialogues / --protocols / --span-seconds)\n${GEN_USAGE}`);
  }
  if (roaming && strOption(p, 'link') === 'ipv6') throw new SigprobeError('E_USAGE', `--scenario roaming runs on IPv4 links only (its GTP F-TEIDs carry IPv4 addresses): drop --link ipv6`);
  const hoursOpt = strOption(p, 'hours');
  const hours = hoursOpt === undefined ? undefined : Number(hoursOpt);
  if (hours !== undefined && !(Number.isFinite(hours) && hours > 0 && hours <= 24 * 31)) throw new SigprobeError('E_USAGE', `--hours expects a number of hours > 0 (at most 744), got '${hoursOpt}'`);
  const t0 = Date.now();
  const s = generate({
    out: file,
    seed: intOption(p, 'seed', 1),
    dialogues: intOption(p, 'dialogues', 10000, 1),
    spanSeconds: p.options.has('span-seconds') ? intOption(p, 'span-seconds', 3600, 1) : undefined,
    link: strOption(p, 'link') as never,
    scenario: scenario as never,
    protocols,
    devices: roaming ? intOption(p, 'devices', 2000, 1) : undefined,
    hours,
  });
  out(
    `sigprobe gen: ${file}: ${s.packets} packets, ${s.dialogues} dialogues (${((Date.now() - t0) / 1000).toFixed(1)} s); truth in ${s.truthPath}` +
      (s.tunnelsPath ? `; ${s.tunnels} tunnels in ${s.tunnelsPath}` : '') +
      (s.roamingPath ? `; networks in ${s.networksPath}, planted analytics in ${s.roamingPath}` : ''),
  );
}
