// Diameter S6a traffic profile: the command mix (SIGCOMM'21 IPX study: AIR the most frequent
// Diameter command, then ULR, PUR, CLR; NOR / IDR some), outcome rates, transport features.

export type S6aCommand = 'air' | 'ulr' | 'pur' | 'clr' | 'idr' | 'nor' | 'dsr' | 'rsr' | 'dwr';

export interface DiameterProfile {
  /** relative weights of what an arrival starts (an AIR may be followed by its ULR: attachRate) */
  weights: Record<S6aCommand, number>;
  /** per successful AIR: the same MME sends the ULR of the attach for that IMSI */
  attachRate: number;
  /** per ULR slot: a steering-of-roaming episode (ULR rejected 5004 up to 4 times, then accepted elsewhere) */
  sorRate: number;
  /** multiplies the per-command error probabilities */
  errorScale: number;
  /** per request: never answered */
  timeoutRate: number;
  /** per request: the IPX DRA relays it, both legs captured (different hop-by-hop, same end-to-end) */
  relayShare: number;
  /** share of the operator–IPX peer connections over SCTP (the rest over TCP) */
  sctpShare: number;
  /** share of the TCP connections already up before the capture (the others start with a handshake and CER/CEA) */
  preOpenedShare: number;
  /** per arrival: a burst of 2-6 requests written at the same instant on one connection (answered together) */
  burstRate: number;
  /** TCP: per message, cut it inside so that it spans segments */
  splitRate: number;
  /** SCTP: per packet, bundle a SACK */
  sackRate: number;
  /** link MTU of the peer connections: [lo, hi] */
  mtu: [number, number];
  /** AIA with 5 vectors instead of 1-2 (larger messages) */
  bigRate: number;
  maxOperators?: number;
  /** capture duration per dialogue when no span is given, s */
  secondsPerDialogue: number;
}

export const DIAMETER_MIX: DiameterProfile = {
  weights: { air: 42, ulr: 6, pur: 13, clr: 10, idr: 5, nor: 4, dsr: 1.5, rsr: 0.1, dwr: 1 },
  attachRate: 0.45,
  sorRate: 0.03,
  errorScale: 1,
  timeoutRate: 0.001,
  relayShare: 0.5,
  sctpShare: 0.6,
  preOpenedShare: 0.9,
  burstRate: 0.02,
  splitRate: 0.02,
  sackRate: 0.2,
  mtu: [1500, 1500],
  bigRate: 0.05,
  secondsPerDialogue: 0.02,
};

export type DiameterScenario = 'diameter-tcp-split' | 'diameter-sctp' | 'diameter-relay';

export function diameterProfileFor(name: DiameterScenario | 'mix'): DiameterProfile {
  const small: Partial<DiameterProfile> = { maxOperators: 6, secondsPerDialogue: 0.25, timeoutRate: 0, sorRate: 0 };
  switch (name) {
    case 'mix':
      return { ...DIAMETER_MIX };
    case 'diameter-tcp-split':
      return { ...DIAMETER_MIX, ...small, maxOperators: 4, sctpShare: 0, relayShare: 0, preOpenedShare: 0, burstRate: 0.35, splitRate: 0.45, bigRate: 0.3, mtu: [600, 1500] };
    case 'diameter-sctp':
      return { ...DIAMETER_MIX, ...small, sctpShare: 1, relayShare: 0.3, burstRate: 0.3, bigRate: 0.4, sackRate: 0.4, mtu: [576, 900] };
    case 'diameter-relay':
      return { ...DIAMETER_MIX, ...small, relayShare: 1, sctpShare: 0.5, preOpenedShare: 0.5, timeoutRate: 0.03 };
  }
}
