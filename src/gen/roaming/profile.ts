// Knobs of the roaming scenario: the population (IoT fleets, MAP vs Diameter devices), steering of
// roaming, data sessions and their user plane. Sources for the orders of magnitude: SIGCOMM'21
// IPX study (MAP still the majority, SoR rejections with roamingNotAllowed / 5004 a few % of the
// registrations, tunnel setup ≈ 150 ms median), TNSM'24 IoT study (fleets of permanent roamers
// re-registering in synchronised bursts).
export interface RoamingProfile {
  /** share of the devices in IoT fleets (the rest are smartphones) */
  iotShare: number;
  /** smartphones attaching over Diameter S6a + GTPv2 (the rest: MAP + GTPv1) */
  lteShare: number;
  /** per RNA episode: steered to another partner within the window / gives up / succeeds elsewhere after the window / accepted by the same network after 4 rejections */
  episodeWeights: { steered: number; giveUp: number; late: number; forced: number };
  /** per registered smartphone: moves on to a second country later (counted in both pairs of the matrix) */
  travelShare: number;
  /** MAP devices: also a GPRS attach (updateGprsLocation); without it no data session */
  mapPsShare: number;
  /** per attached smartphone: no data session at all / only a rejected Create (both silent roamers) */
  noSessionShare: number;
  rejectedOnlyShare: number;
  /** per Create: rejected (missing APN, authentication...) */
  createRejectShare: number;
  /** per accepted tunnel: no user packet at all */
  zeroByteShare: number;
  /** T-PDUs per smartphone tunnel: 2 + exponential with this mean (capped) */
  phonePacketsMean: number;
  phonePacketsMax: number;
  /** smartphone session length: log-normal median (µs) and σ */
  sessionMedianUs: number;
  sessionSigma: number;
  /** IoT devices re-register within this many µs after the top of the hour */
  iotWindowUs: number;
  /** share of tunnels whose GTP-U headers carry sequence numbers */
  gtpuSeqShare: number;
}

export const ROAMING: RoamingProfile = {
  iotShare: 0.08,
  lteShare: 0.45,
  episodeWeights: { steered: 0.7, giveUp: 0.1, late: 0.12, forced: 0.08 },
  travelShare: 0.05,
  mapPsShare: 0.9,
  noSessionShare: 0.08,
  rejectedOnlyShare: 0.03,
  createRejectShare: 0.02,
  zeroByteShare: 0.06,
  phonePacketsMean: 18,
  phonePacketsMax: 120,
  sessionMedianUs: 6 * 60_000_000,
  sessionSigma: 0.9,
  iotWindowUs: 40_000_000,
  gtpuSeqShare: 0.3,
};

/** defaults of `sigprobe gen --scenario roaming` */
export const ROAMING_DEFAULT_DEVICES = 2000;
export const ROAMING_DEFAULT_HOURS = 3;
