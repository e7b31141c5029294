// Traffic generator entry point: writes a synthetic SIGTRAN capture (MAP / CAP over
// TCAP / SCCP / M3UA / SCTP / IP) and its ground truth `<out without extension>.truth.jsonl`.
// Synchronous and streaming: memory holds only the dialogues in flight.
import { Engine } from './map/engine';
import { drive } from './map/driver';
import { Profile, ScenarioName, SCENARIOS, profileFor } from './map/profile';
import { LinkKind } from './map/transport';

export interface GenOptions {
  /** capture path, .pcap or .pcapng */
  out: string;
  seed: number;
  /** dialogues in the truth file (orphan fragments come on top) */
  dialogues: number;
  /** capture start, µs since the epoch (default 2023-11-14T22:13:20Z) */
  startUs?: number;
  /** arrivals are spread over this many seconds (default: depends on the scenario) */
  spanSeconds?: number;
  link?: LinkKind;
  scenario?: ScenarioName;
  /** override individual knobs of the scenario's profile (rates, MTU...) */
  profile?: Partial<Profile>;
  /** called every `progressEvery` (default 10000) truth lines written */
  onProgress?: (p: { dialogues: number; packets: number }) => void;
  progressEvery?: number;
}

export interface GenSummary {
  packets: number;
  dialogues: number;
  orphans: number;
  bytes: number;
  byProcedure: Record<string, number>;
  byStatus: Record<string, number>;
  truthPath: string;
  stats: {
    sctpPackets: number;
    dataChunks: number;
    bundledPackets: number;
    fragmentedMessages: number;
    ipFragments: number;
    peakDialoguesInFlight: number;
  };
}

export const DEFAULT_START_US = 1_700_000_000_000_000;

export function truthPathFor(out: string): string {
  return out.replace(/\.(pcapng|pcap)$/i, '') + '.truth.jsonl';
}

export function generate(opts: GenOptions): GenSummary {
  const scenario: ScenarioName = opts.scenario ?? 'mix';
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
  if (!Number.isInteger(opts.dialogues) || opts.dialogues < 0) throw new Error('dialogues must be a non-negative integer');
  const profile: Profile = { ...profileFor(scenario), ...(opts.profile ?? {}) };
  if (opts.link) profile.link = opts.link;
  const format = /\.pcapng$/i.test(opts.out) ? 'pcapng' : 'pcap';
  const truthPath = truthPathFor(opts.out);
  const engine = new Engine({ out: opts.out, truthPath, format, seed: opts.seed, profile });
  if (opts.onProgress) engine.onProgress(opts.progressEvery ?? 10000, opts.onProgress);
  const startUs = opts.startUs ?? DEFAULT_START_US;
  const spanUs = Math.round((opts.spanSeconds ?? Math.max(1, opts.dialogues * profile.secondsPerDialogue)) * 1e6);
  drive(engine, opts.dialogues, startUs, spanUs);
  engine.run();
  const { packets, bytes } = engine.finish();
  const c = engine.transportCounters;
  return {
    packets,
    dialogues: engine.truth.lines,
    orphans: engine.orphans,
    bytes,
    byProcedure: { ...engine.truth.byProcedure },
    byStatus: { ...engine.truth.byStatus },
    truthPath,
    stats: {
      sctpPackets: c.sctpPackets,
      dataChunks: c.dataChunks,
      bundledPackets: c.bundledPackets,
      fragmentedMessages: c.fragmentedMessages,
      ipFragments: c.ipFragments,
      peakDialoguesInFlight: engine.peakInFlight,
    },
  };
}

export { SCENARIOS };
export type { ScenarioName, Profile, LinkKind };
