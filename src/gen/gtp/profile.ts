// GTP-C traffic profile (SIGCOMM'21 IPX study, TNSM'24 IoT signalling study): tunnel setup delay
// log-normal with median ≈ 150 ms and 80 % under 1 s, tunnel duration median ≈ 30 min, ~0.1 % of
// requests never answered, IoT permanent roamers next to smartphones, synchronised IoT bursts at
// midnight during which Create success drops below 90 % ("no resources").
import { Z80, sigmaFor } from '../ip/random';

export interface GtpProfile {
  /** Create request → response, µs: log-normal median and σ, clamped to [min, max] */
  setupMedianUs: number;
  setupSigma: number;
  setupMinUs: number;
  setupMaxUs: number;
  /** tunnel lifetime (Create → Delete), µs: log-normal median and σ */
  durationMedianUs: number;
  durationSigma: number;
  /** Update PDP Context / Modify Bearer per hour of tunnel life (Poisson) */
  updatesPerHour: number;
  /** per tunnel: the GGSN deletes it (GTPv1; GTPv2 deletes come from the SGW) */
  networkDeleteRate: number;
  /** per GTPv2 tunnel: the PGW adds a dedicated bearer (Create Bearer Request) */
  createBearerRate: number;
  /** per Create outside bursts: rejected (missing APN, authentication, address pool...) */
  createRejectRate: number;
  /** per request: never answered (sent once) */
  timeoutRate: number;
  /** per request: the first copy gets lost beyond the capture point and is retransmitted after T3 */
  retransmitRate: number;
  /** per tunnel: an IoT device of a permanent-roamer fleet rather than a smartphone */
  iotShare: number;
  /** per arrival: an Echo Request on a path */
  echoRate: number;
  /** per GTPv2 arrival: a Release Access Bearers exchange (S11 of an IPX-hosted SGW) */
  rabRate: number;
  /** midnight IoT burst: share of the version's dialogues, spread over this window, reject rate */
  burstShare: number;
  burstWindowUs: number;
  burstRejectRate: number;
  /** when both versions are generated, the share of GTPv2 (v1 gets the rest) */
  v2Share: number;
  maxOperators?: number;
  /** capture duration per dialogue when no span is given, s */
  secondsPerDialogue: number;
}

export const GTP_MIX: GtpProfile = {
  setupMedianUs: 150_000,
  setupSigma: sigmaFor(150_000, 1_000_000, Z80),
  setupMinUs: 2_000,
  setupMaxUs: 9_000_000,
  durationMedianUs: 30 * 60 * 1_000_000,
  durationSigma: 1.2,
  updatesPerHour: 1.2,
  networkDeleteRate: 0.08,
  createBearerRate: 0.05,
  createRejectRate: 0.03,
  timeoutRate: 0.001,
  retransmitRate: 0,
  iotShare: 0.25,
  echoRate: 0.01,
  rabRate: 0,
  burstShare: 0.15,
  burstWindowUs: 1_000_000,
  burstRejectRate: 0.22,
  v2Share: 0.6,
  secondsPerDialogue: 0.02,
};

export type GtpScenario = 'gtpv1-lifecycle' | 'gtpv2-lifecycle' | 'gtp-retransmission' | 'gtp-timeout' | 'gtp-iot-burst';

export function gtpProfileFor(name: GtpScenario | 'mix'): GtpProfile {
  // small captures that show whole lifecycles: tunnels of seconds, updates every few seconds
  const lifecycle: Partial<GtpProfile> = {
    maxOperators: 6, secondsPerDialogue: 0.5, durationMedianUs: 20_000_000, durationSigma: 0.6, updatesPerHour: 600, timeoutRate: 0, echoRate: 0.15,
  };
  switch (name) {
    case 'mix':
      return { ...GTP_MIX };
    case 'gtpv1-lifecycle':
      return { ...GTP_MIX, ...lifecycle, networkDeleteRate: 0.2 };
    case 'gtpv2-lifecycle':
      return { ...GTP_MIX, ...lifecycle, createBearerRate: 0.3, rabRate: 0.08 };
    case 'gtp-retransmission':
      return { ...GTP_MIX, ...lifecycle, retransmitRate: 0.25, setupMaxUs: 2_500_000 };
    case 'gtp-timeout':
      return { ...GTP_MIX, ...lifecycle, timeoutRate: 0.3 };
    case 'gtp-iot-burst':
      return { ...GTP_MIX, maxOperators: 8, secondsPerDialogue: 0.2, burstShare: 0.6, iotShare: 0.5, echoRate: 0.02, timeoutRate: 0 };
  }
}
