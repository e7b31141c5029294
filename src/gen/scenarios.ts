// Scenario names of the generator and what each generates. The SIGTRAN scenarios (SCENARIOS,
// src/gen/map/profile.ts) stay MAP/CAP-only — 'mix' included, whose tests assume MAP/CAP output;
// the IP scenarios add Diameter S6a and GTP-C: 'ipx' is the realistic mix of all four protocols.
import { SCENARIOS, ScenarioName } from './map/profile';
import { DiameterProfile, diameterProfileFor } from './diameter/profile';
import { GtpProfile, GtpScenario, gtpProfileFor } from './gtp/profile';

export type GenProtocol = 'map' | 'diameter' | 'gtpv1' | 'gtpv2';
export const ALL_PROTOCOLS: readonly GenProtocol[] = ['map', 'diameter', 'gtpv1', 'gtpv2'];

export const IP_SCENARIOS = [
  'ipx',
  'diameter-tcp-split',
  'diameter-sctp',
  'diameter-relay',
  'gtpv1-lifecycle',
  'gtpv2-lifecycle',
  'gtp-retransmission',
  'gtp-timeout',
  'gtp-iot-burst',
] as const;
export type IpScenarioName = (typeof IP_SCENARIOS)[number];
/** device-population scenarios (src/gen/roaming): sized by --devices / --hours, not --dialogues */
export const ROAMING_SCENARIOS = ['roaming'] as const;
export type RoamingScenarioName = (typeof ROAMING_SCENARIOS)[number];
export type AnyScenario = ScenarioName | IpScenarioName | RoamingScenarioName;
export const ALL_SCENARIOS: readonly AnyScenario[] = [...SCENARIOS, ...IP_SCENARIOS, ...ROAMING_SCENARIOS];

/**
 * Shares of the dialogues per protocol in an all-protocol capture. MAP stays the majority
 * (SIGCOMM'21: SS7 still carries most roaming signalling on the IPX), GTP-C more than GTPv1.
 */
export const PROTOCOL_SHARES: Record<GenProtocol, number> = { map: 0.55, diameter: 0.25, gtpv1: 0.08, gtpv2: 0.12 };

export function defaultProtocols(s: AnyScenario): GenProtocol[] {
  switch (s) {
    case 'ipx':
    case 'roaming':
      return [...ALL_PROTOCOLS];
    case 'diameter-tcp-split':
    case 'diameter-sctp':
    case 'diameter-relay':
      return ['diameter'];
    case 'gtpv1-lifecycle':
      return ['gtpv1'];
    case 'gtpv2-lifecycle':
      return ['gtpv2'];
    case 'gtp-retransmission':
    case 'gtp-timeout':
    case 'gtp-iot-burst':
      return ['gtpv1', 'gtpv2'];
    default:
      return ['map'];
  }
}

export function diameterProfileOf(s: AnyScenario): DiameterProfile {
  return s === 'diameter-tcp-split' || s === 'diameter-sctp' || s === 'diameter-relay' ? diameterProfileFor(s) : diameterProfileFor('mix');
}

export function gtpProfileOf(s: AnyScenario): GtpProfile {
  return s === 'gtpv1-lifecycle' || s === 'gtpv2-lifecycle' || s === 'gtp-retransmission' || s === 'gtp-timeout' || s === 'gtp-iot-burst'
    ? gtpProfileFor(s as GtpScenario)
    : gtpProfileFor('mix');
}

export function isRoamingScenario(s: AnyScenario): s is RoamingScenarioName {
  return (ROAMING_SCENARIOS as readonly string[]).includes(s);
}

export function isIpScenario(s: AnyScenario): s is IpScenarioName {
  return (IP_SCENARIOS as readonly string[]).includes(s);
}

/**
 * Split `total` dialogues over the protocols: one protocol takes all; several share by
 * PROTOCOL_SHARES (GTP-only scenarios: by the GTP profile's v2 share), largest remainders first.
 */
export function splitDialogues(total: number, protocols: readonly GenProtocol[], v2Share: number): Record<GenProtocol, number> {
  const out: Record<GenProtocol, number> = { map: 0, diameter: 0, gtpv1: 0, gtpv2: 0 };
  const set = ALL_PROTOCOLS.filter((p) => protocols.includes(p));
  if (set.length === 0) return out;
  const onlyGtp = set.every((p) => p === 'gtpv1' || p === 'gtpv2');
  const w = (p: GenProtocol): number => (onlyGtp ? (p === 'gtpv2' ? v2Share : 1 - v2Share) : PROTOCOL_SHARES[p]);
  const sum = set.reduce((a, p) => a + w(p), 0);
  const exact = set.map((p) => (total * w(p)) / sum);
  let given = 0;
  set.forEach((p, i) => {
    out[p] = Math.floor(exact[i]);
    given += out[p];
  });
  const order = set.map((p, i) => [p, exact[i] - Math.floor(exact[i])] as const).sort((a, b) => b[1] - a[1]);
  for (let i = 0; given < total; i = (i + 1) % order.length, given++) out[order[i][0]]++;
  return out;
}

const DAY_S = 86_400;

/** capture start of a scenario when none is given: 20 s before midnight for the IoT burst */
export function scenarioStartUs(s: AnyScenario, fallbackUs: number): number {
  if (s !== 'gtp-iot-burst') return fallbackUs;
  const midnight = Math.ceil(fallbackUs / 1e6 / DAY_S) * DAY_S;
  return (midnight - 20) * 1e6;
}
