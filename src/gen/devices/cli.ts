// `sigprobe gen --scenario devices --devices N --seed S --out x.pcap [--hours H] [--link ...]`:
// a device population with planted profiles (population.ts). Parsed here so that the generic gen
// options of src/cli/gen.ts stay as they are.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SigprobeError } from '../../config/errors';
import { intOption, parseArgs, strOption } from '../../cli/args';
import { generateDevices } from './population';

export const DEVICES_GEN_USAGE =
  'usage: sigprobe gen --scenario devices --out <file.pcap|file.pcapng> [--devices N] [--hours H] [--seed N] [--link ethernet|vlan|qinq|sll|sll2|ipv6]';

/** true when argv selects the devices scenario (`--scenario devices` or `--scenario=devices`) */
export function isDevicesScenario(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return false;
    if (argv[i] === '--scenario=devices' || (argv[i] === '--scenario' && argv[i + 1] === 'devices')) return true;
  }
  return false;
}

export function devicesGenMain(argv: readonly string[], out: (s: string) => void): void {
  const p = parseArgs(argv, { out: 'string', devices: 'string', hours: 'string', seed: 'string', link: 'string', scenario: 'string' });
  const file = strOption(p, 'out') ?? p.positional[0];
  if (!file) throw new SigprobeError('E_USAGE', `--out <file> is required\n${DEVICES_GEN_USAGE}`);
  const hoursOpt = strOption(p, 'hours');
  const hours = hoursOpt === undefined ? 4 : Number(hoursOpt);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 31) throw new SigprobeError('E_USAGE', `--hours expects a number of hours in (0, 744], got '${hoursOpt}'`);
  const link = strOption(p, 'link');
  if (link !== undefined && !['ethernet', 'vlan', 'qinq', 'sll', 'sll2', 'ipv6'].includes(link)) throw new SigprobeError('E_USAGE', `unknown link '${link}'\n${DEVICES_GEN_USAGE}`);
  try {
    mkdirSync(dirname(resolve(file)), { recursive: true });
  } catch (e) {
    throw new SigprobeError('E_USAGE', `cannot create the directory of ${file}: ${(e as Error).message}`);
  }
  const t0 = Date.now();
  const s = generateDevices({ out: file, seed: intOption(p, 'seed', 1), devices: intOption(p, 'devices', 1000, 1), hours, link: link as never });
  out(
    `sigprobe gen: ${file}: ${s.packets} packets, ${s.dialogues} dialogues (${((Date.now() - t0) / 1000).toFixed(1)} s); truth in ${s.truthPath}; ` +
      `${s.tunnels} tunnels in ${s.tunnelsPath}; devices in ${s.devicesPath} (${Object.entries(s.byLabel).map(([k, v]) => `${k} ${v}`).join(', ')})`,
  );
}
