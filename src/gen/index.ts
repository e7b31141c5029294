// Traffic generator entry point: writes a synthetic capture and its ground truth
// `<out without extension>.truth.jsonl` (one line per dialogue / request-answer exchange).
// Protocols: MAP / CAP over TCAP / SCCP / M3UA / SCTP, Diameter S6a over SCTP and TCP, GTPv1-C
// and GTPv2-C over UDP (all on IPv4 or IPv6 and the chosen link layer). With GTP, also
// `<out without extension>.tunnels.jsonl` (one line per tunnel, see gtp/tunnels.ts).
// Synchronous and streaming: memory holds only the dialogues and tunnels in flight.
import { Engine } from './map/engine';
import { drive } from './map/driver';
import { Profile, ScenarioName, SCENARIOS, profileFor } from './map/profile';
import { LinkKind } from './map/transport';
import { DiameterProfile } from './diameter/profile';
import { GtpProfile } from './gtp/profile';
import { IpRun } from './ipRun';
import { runRoaming } from './roaming/index';
import { RoamingProfile } from './roaming/profile';
import {
  ALL_PROTOCOLS,
  ALL_SCENARIOS,
  AnyScenario,
  GenProtocol,
  IP_SCENARIOS,
  IpScenarioName,
  defaultProtocols,
  diameterProfileOf,
  gtpProfileOf,
  isIpScenario,
  isRoamingScenario,
  ROAMING_SCENARIOS,
  scenarioStartUs,
  splitDialogues,
} from './scenarios';

export interface GenOptions {
  /** capture path, .pcap or .pcapng */
  out: string;
  seed: number;
  /** dialogues in the truth file (orphan fragments come on top) */
  dialogues: number;
  /** capture start, µs since the epoch (default 2023-11-14T22:13:20Z; 'gtp-iot-burst': 20 s before the next midnight) */
  startUs?: number;
  /** arrivals are spread over this many seconds (default: depends on the scenario) */
  spanSeconds?: number;
  link?: LinkKind;
  /** a SIGTRAN scenario (SCENARIOS: MAP/CAP only, 'mix' included) or an IP one (IP_SCENARIOS, 'ipx' = all protocols) */
  scenario?: AnyScenario;
  /** protocols to generate (default: the scenario's; 'ipx' all four, 'mix' MAP/CAP) */
  protocols?: GenProtocol[];
  /** override individual knobs of the scenario's MAP profile (rates, MTU...) */
  profile?: Partial<Profile>;
  /** override knobs of the Diameter / GTP profiles */
  diameterProfile?: Partial<DiameterProfile>;
  gtpProfile?: Partial<GtpProfile>;
  /** 'roaming': devices in the population (default 2000) and capture length in hours (default 3); `dialogues` is ignored */
  devices?: number;
  hours?: number;
  roamingProfile?: Partial<RoamingProfile>;
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
  byProtocol: Record<string, number>;
  truthPath: string;
  /** GTP tunnels file, null when the run has no GTP */
  tunnelsPath: string | null;
  tunnels: number;
  /** 'roaming': the operators file (replay --networks) and the planted analytics truth */
  networksPath?: string;
  roamingPath?: string;
  stats: {
    sctpPackets: number;
    dataChunks: number;
    bundledPackets: number;
    fragmentedMessages: number;
    ipFragments: number;
    peakDialoguesInFlight: number;
    /** Diameter over TCP: data segments, segments completing several messages, messages spanning segments */
    tcpSegments: number;
    tcpMultiMessageSegments: number;
    tcpSplitMessages: number;
    /** Diameter over SCTP: packets, packets with several DATA chunks, fragmented messages */
    diameterSctpPackets: number;
    diameterSctpBundled: number;
    diameterSctpFragmented: number;
    tunnelsByEndReason: Record<string, number>;
  };
}

export const DEFAULT_START_US = 1_700_000_000_000_000;

function base(out: string): string {
  return out.replace(/\.(pcapng|pcap)$/i, '');
}

export function truthPathFor(out: string): string {
  return base(out) + '.truth.jsonl';
}

export function tunnelsPathFor(out: string): string {
  return base(out) + '.tunnels.jsonl';
}

export function networksPathFor(out: string): string {
  return base(out) + '.networks.yaml';
}

export function roamingPathFor(out: string): string {
  return base(out) + '.roaming.json';
}

export function generate(opts: GenOptions): GenSummary {
  const scenario: AnyScenario = opts.scenario ?? 'mix';
  if (!ALL_SCENARIOS.includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
  if (isRoamingScenario(scenario)) return generateRoaming(opts);
  if (!Number.isInteger(opts.dialogues) || opts.dialogues < 0) throw new Error('dialogues must be a non-negative integer');
  const protocols = opts.protocols ?? defaultProtocols(scenario);
  if (protocols.length === 0 || protocols.some((p) => !ALL_PROTOCOLS.includes(p))) throw new Error(`protocols must be a non-empty subset of ${ALL_PROTOCOLS.join(', ')}`);
  const ip = isIpScenario(scenario);
  const dia: DiameterProfile = { ...diameterProfileOf(scenario), ...(opts.diameterProfile ?? {}) };
  const gtp: GtpProfile = { ...gtpProfileOf(scenario), ...(opts.gtpProfile ?? {}) };
  const counts = splitDialogues(opts.dialogues, protocols, gtp.v2Share);
  const ipProtocols = protocols.filter((p) => p !== 'map');
  // the SIGTRAN profile (it also sizes the shared world of operators)
  const profile: Profile = { ...profileFor(ip ? 'mix' : (scenario as ScenarioName)), ...(ip ? ipWorldSize(scenario, ipProtocols, dia, gtp) : {}), ...(opts.profile ?? {}) };
  if (opts.link) profile.link = opts.link;
  const format = /\.pcapng$/i.test(opts.out) ? 'pcapng' : 'pcap';
  const truthPath = truthPathFor(opts.out);
  const engine = new Engine({ out: opts.out, truthPath, format, seed: opts.seed, profile });
  if (opts.onProgress) engine.onProgress(opts.progressEvery ?? 10000, opts.onProgress);
  const startUs = opts.startUs ?? scenarioStartUs(scenario, DEFAULT_START_US);
  const spanUs = Math.round((opts.spanSeconds ?? Math.max(1, opts.dialogues * profile.secondsPerDialogue)) * 1e6);
  drive(engine, counts.map, startUs, spanUs);
  const withGtp = counts.gtpv1 + counts.gtpv2 > 0 || ipProtocols.some((p) => p === 'gtpv1' || p === 'gtpv2');
  const ipRun =
    ipProtocols.length > 0
      ? new IpRun(engine, { link: profile.link, startUs, spanUs, counts, diameter: dia, gtp, tunnelsPath: withGtp ? tunnelsPathFor(opts.out) : null })
      : null;
  engine.run();
  const ipStats = ipRun ? ipRun.finish() : null;
  const { packets, bytes } = engine.finish();
  const c = engine.transportCounters;
  return {
    packets,
    dialogues: engine.truth.lines,
    orphans: engine.orphans,
    bytes,
    byProcedure: { ...engine.truth.byProcedure },
    byStatus: { ...engine.truth.byStatus },
    byProtocol: { ...engine.truth.byProtocol },
    truthPath,
    tunnelsPath: ipRun ? ipRun.tunnelsPath : null,
    tunnels: ipStats ? ipStats.tunnels : 0,
    stats: {
      sctpPackets: c.sctpPackets,
      dataChunks: c.dataChunks,
      bundledPackets: c.bundledPackets,
      fragmentedMessages: c.fragmentedMessages,
      ipFragments: c.ipFragments,
      peakDialoguesInFlight: engine.peakInFlight,
      tcpSegments: ipStats?.tcpSegments ?? 0,
      tcpMultiMessageSegments: ipStats?.tcpMultiMessageSegments ?? 0,
      tcpSplitMessages: ipStats?.tcpSplitMessages ?? 0,
      diameterSctpPackets: ipStats?.diameterSctpPackets ?? 0,
      diameterSctpBundled: ipStats?.diameterSctpBundled ?? 0,
      diameterSctpFragmented: ipStats?.diameterSctpFragmented ?? 0,
      tunnelsByEndReason: ipStats?.tunnelsByEndReason ?? {},
    },
  };
}

function generateRoaming(opts: GenOptions): GenSummary {
  const r = runRoaming({
    out: opts.out, truthPath: truthPathFor(opts.out), tunnelsPath: tunnelsPathFor(opts.out), networksPath: networksPathFor(opts.out), roamingPath: roamingPathFor(opts.out),
    seed: opts.seed, devices: opts.devices, hours: opts.hours, startUs: opts.startUs ?? DEFAULT_START_US, link: opts.link, profile: opts.roamingProfile,
    onProgress: opts.onProgress, progressEvery: opts.progressEvery,
  });
  const e = r.engine;
  const c = e.transportCounters;
  return {
    packets: r.packets, dialogues: e.truth.lines, orphans: e.orphans, bytes: r.bytes,
    byProcedure: { ...e.truth.byProcedure }, byStatus: { ...e.truth.byStatus }, byProtocol: { ...e.truth.byProtocol },
    truthPath: truthPathFor(opts.out), tunnelsPath: r.tunnels.path, tunnels: r.tunnels.lines,
    networksPath: networksPathFor(opts.out), roamingPath: roamingPathFor(opts.out),
    stats: {
      sctpPackets: c.sctpPackets, dataChunks: c.dataChunks, bundledPackets: c.bundledPackets, fragmentedMessages: c.fragmentedMessages, ipFragments: c.ipFragments,
      peakDialoguesInFlight: e.peakInFlight, tcpSegments: 0, tcpMultiMessageSegments: 0, tcpSplitMessages: 0, diameterSctpPackets: 0, diameterSctpBundled: 0,
      diameterSctpFragmented: 0, tunnelsByEndReason: { ...r.tunnels.byEndReason },
    },
  };
}

/** world size and default capture duration per dialogue of an IP scenario */
function ipWorldSize(scenario: AnyScenario, ipProtocols: GenProtocol[], dia: DiameterProfile, gtp: GtpProfile): Partial<Profile> {
  if (scenario === 'ipx') return {};
  const onlyDia = ipProtocols.every((p) => p === 'diameter');
  const prof = onlyDia ? dia : gtp;
  const o: Partial<Profile> = { secondsPerDialogue: prof.secondsPerDialogue };
  if (prof.maxOperators !== undefined) o.maxOperators = prof.maxOperators;
  return o;
}

export { SCENARIOS, IP_SCENARIOS, ROAMING_SCENARIOS, ALL_SCENARIOS, ALL_PROTOCOLS };
export type { ScenarioName, IpScenarioName, AnyScenario, GenProtocol, Profile, LinkKind, DiameterProfile, GtpProfile };
