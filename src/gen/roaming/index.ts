// `sigprobe gen --scenario roaming`: a world of operators, a population of roaming devices
// (driver.ts) on MAP, Diameter S6a, GTPv1 / GTPv2 with their user plane, and the planted truth:
// `x.truth.jsonl` (one line per dialogue, + req_time_us and the visited network), `x.tunnels.jsonl`
// (+ create time, serving network, T-PDU counters), `x.networks.yaml` (replay with --networks)
// and `x.roaming.json` (matrix, steering, silent roamers, storms, data sessions; truth.ts).
import { Engine } from '../map/engine';
import { profileFor, Profile } from '../map/profile';
import { LinkKind } from '../map/transport';
import { IpWire } from '../ip/wire';
import { Flushable } from '../ip/env';
import { Budget } from '../ip/budget';
import { buildIpWorld } from '../ip/topology';
import { DIAMETER_MIX, DiameterProfile } from '../diameter/profile';
import { buildLinks } from '../diameter/links';
import { startDwr } from '../diameter/flows';
import { GTP_MIX, GtpProfile } from '../gtp/profile';
import { GtpNet } from '../gtp/net';
import { GtpEnv } from '../gtp/lifecycle';
import { TunnelWriter } from '../gtp/tunnels';
import { buildMatrix, writeNetworksYaml } from './world';
import { ROAMING, ROAMING_DEFAULT_DEVICES, ROAMING_DEFAULT_HOURS, RoamingProfile } from './profile';
import { RoamingTruth, RoamingTruthFile } from './truth';
import { RoamingEnv, driveIot, drivePhones } from './driver';

export interface RoamingGenOptions {
  out: string;
  truthPath: string;
  tunnelsPath: string;
  networksPath: string;
  roamingPath: string;
  seed: number;
  devices?: number;
  hours?: number;
  startUs: number;
  link?: LinkKind;
  profile?: Partial<RoamingProfile>;
  onProgress?: (p: { dialogues: number; packets: number }) => void;
  progressEvery?: number;
}

export interface RoamingGenResult {
  engine: Engine;
  packets: number;
  bytes: number;
  tunnels: TunnelWriter;
  truth: RoamingTruthFile;
  spanUs: number;
}

/** GTP for the roaming population: causes, durations and user plane come from the driver */
const GTP_ROAMING: GtpProfile = { ...GTP_MIX, timeoutRate: 0, retransmitRate: 0, createBearerRate: 0, updatesPerHour: 0.5, networkDeleteRate: 0.05, echoRate: 0, rabRate: 0, burstShare: 0 };
const DIAMETER_ROAMING: DiameterProfile = { ...DIAMETER_MIX, timeoutRate: 0, sorRate: 0, burstRate: 0 };

/** smartphone dialogues per device (attach, sessions), for the background rate estimate */
const DIALOGUES_PER_PHONE = 7;
/** background dialogues per minute the capture keeps at least (a sparse population alone would be too bursty) */
const BACKGROUND_FLOOR_PER_MIN = 12;

/**
 * Device-Watchdog exchanges (RFC 6733 §5.5, RFC 3539 Tw) on the peer connections in turn, evenly
 * spaced, topping a sparse population's background up to BACKGROUND_FLOOR_PER_MIN per minute:
 * a steady rate, so that only the hourly IoT bursts are storms.
 */
function watchdogFloor(rx: RoamingEnv, phones: number, spanUs: number): void {
  const perMin = BACKGROUND_FLOOR_PER_MIN - (phones * DIALOGUES_PER_PHONE) / (spanUs / 60e6);
  if (perMin <= 0 || rx.dx.all.length === 0) return;
  const gapUs = 60e6 / perMin;
  let k = 0;
  const tick = (t: number): void => {
    startDwr(rx.dx, t, rx.dx.all[k++ % rx.dx.all.length]);
    const next = Math.round(t + gapUs * (0.9 + 0.2 * rx.rng.next()));
    if (next < rx.cutoffUs) rx.engine.at(next, () => tick(next));
  };
  const first = Math.round(rx.startUs + gapUs * rx.rng.next());
  rx.engine.at(first, () => tick(first));
}

export function runRoaming(o: RoamingGenOptions): RoamingGenResult {
  const devices = o.devices ?? ROAMING_DEFAULT_DEVICES;
  const hours = o.hours ?? ROAMING_DEFAULT_HOURS;
  if (!Number.isInteger(devices) || devices < 1) throw new Error('devices must be a positive integer');
  if (!(hours > 0)) throw new Error('hours must be positive');
  // the GTP encoders put IPv4 GSN addresses / F-TEIDs in the Creates: G-PDUs over IPv6 would not match them
  if (o.link === 'ipv6') throw new Error('the roaming scenario runs on IPv4 links only (its GTP F-TEIDs carry IPv4 addresses)');
  const spanUs = Math.round(hours * 3600e6);
  const p: RoamingProfile = { ...ROAMING, ...(o.profile ?? {}) };
  const profile: Profile = { ...profileFor('mix'), maxPerCountry: 3, orphanPerMille: 0, ...(o.link ? { link: o.link } : {}) };
  let truth: RoamingTruth | null = null;
  const format = /\.pcapng$/i.test(o.out) ? 'pcapng' : 'pcap';
  const engine = new Engine({
    out: o.out, truthPath: o.truthPath, format, seed: o.seed, profile,
    truth: { extended: true, onEmit: (item, r) => truth!.onDialogue(item, r) },
  });
  if (o.onProgress) engine.onProgress(o.progressEvery ?? 10000, o.onProgress);
  const iso = new Map(engine.world.operators.map((op) => [op.mcc, op.iso]));
  truth = new RoamingTruth((mcc) => iso.get(mcc) ?? null);
  const rt = truth;
  const rng = engine.rng.fork();
  const matrix = buildMatrix(rng.fork(), engine.world);
  const ipw = buildIpWorld(rng.fork(), engine.world);
  writeNetworksYaml(o.networksPath, ipw);
  const wire = new IpWire(engine, profile.link);
  const flushList: Flushable[] = [];
  engine.onClockMove(() => {
    for (let i = 0; i < flushList.length; i++) flushList[i].flush();
    flushList.length = 0;
  });
  const unlimited = (): Budget => new Budget(Number.MAX_SAFE_INTEGER);
  const drng = rng.fork();
  const links = buildLinks(engine, drng, wire, ipw, DIAMETER_ROAMING, flushList);
  const dx = { env: engine, rng: drng, p: DIAMETER_ROAMING, ipw, budget: unlimited(), links, all: [...links.values()].flat() };
  const tunnels = new TunnelWriter(o.tunnelsPath, { extended: true, onWrite: (l, t) => rt.onTunnel(l, t) });
  const net = new GtpNet(rng.fork(), wire, ipw, 1500);
  const cutoffUs = o.startUs + spanUs;
  const gtp = (version: 'gtpv1' | 'gtpv2'): GtpEnv => ({ env: engine, rng: rng.fork(), p: GTP_ROAMING, ipw, net, budget: unlimited(), version, cutoffUs, tunnels });
  const rx: RoamingEnv = { engine, rng: rng.fork(), p, matrix, ipw, dx, g1: gtp('gtpv1'), g2: gtp('gtpv2'), truth: rt, startUs: o.startUs, cutoffUs, imsis: new Set() };
  // a fleet big enough for its hourly burst to stand out of the floor below, even in a small population
  // (≈ 4.5 dialogues per module and hour): at least 5 × the smartphones' per-minute rate, at most 30 % of the devices
  const share = Math.min(0.3, Math.max(p.iotShare, (5 * DIALOGUES_PER_PHONE) / (4.5 * (spanUs / 60e6))));
  const nIot = Math.min(devices, Math.max(Math.round(devices * share), Math.min(10, Math.floor(devices / 4))));
  driveIot(rx, nIot);
  watchdogFloor(rx, devices - nIot, spanUs);
  // smartphones arrive over the first 90 % of the span (the last ones still register and browse)
  drivePhones(rx, devices - nIot, spanUs * 0.9);
  engine.run();
  tunnels.close();
  const { packets, bytes } = engine.finish();
  return { engine, packets, bytes, tunnels, truth: rt.write(o.roamingPath), spanUs };
}
