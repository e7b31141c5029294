// Traffic profiles: the knobs of the generator (procedure mix, outcome rates, transport features)
// for the realistic 'mix' and for each named fault scenario.
import { LinkKind } from './transport';

export type ProcName =
  | 'sendAuthenticationInfo'
  | 'updateLocation'
  | 'cancelLocation'
  | 'updateGprsLocation'
  | 'purgeMS'
  | 'insertSubscriberData'
  | 'sendRoutingInfoForSM'
  | 'mt-ForwardSM'
  | 'mo-ForwardSM';

export const SCENARIOS = [
  'mix',
  'bundling',
  'sctp-fragments',
  'xudt-segments',
  'tid-reuse-two-vlrs',
  'abort',
  'timeout',
  'orphan',
  'retransmitted-begin',
  'ac-fallback',
  'tid-reuse-after-end',
  'vlan',
  'qinq',
  'ipv6',
  'sll',
  'sll2',
  'ip-fragments',
  'cap',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Profile {
  /** relative weights of the MAP procedures */
  procWeights: Record<ProcName, number>;
  /** share of all dialogues that are CAP initialDP */
  capShare: number;
  /** multiplies the per-procedure error probabilities */
  errorScale: number;
  /** per dialogue: TC-P-ABORT / TC-U-ABORT answer */
  abortRate: number;
  /** per dialogue: Reject of the first invoke */
  rejectRate: number;
  /** per dialogue: Begin never answered */
  timeoutRate: number;
  /** per updateLocation slot: start a steering-of-roaming episode (4 x roamingNotAllowed, then ok) */
  sorRate: number;
  /** per arrival: a burst of 2-4 Begins sent at the same instant (bundled in one SCTP packet) */
  bundleRate: number;
  /** per message: SCTP-fragment the user message into 2-3 DATA chunks in separate packets */
  sctpFragmentRate: number;
  /** per fragmented message: all its DATA fragments in one packet rather than one packet each */
  sctpFragmentsInOnePacketRate: number;
  /** per message: unsegmented XUDT instead of UDT */
  xudtPlainRate: number;
  /** per SAI result / ISD: make it big enough to need XUDT segmentation */
  bigMessageRate: number;
  /** per message of >= 60 octets: XUDT-segment it even though it would fit a UDT */
  forceSegmentRate: number;
  /** per SCTP packet: bundle a SACK for the peer's DATA */
  sackRate: number;
  /** per nested insertSubscriberData: the VLR answers with returnError (the UL still succeeds) */
  isdErrorRate: number;
  /** dialogue fragments whose Begin precedes the capture (per 1000 dialogues) */
  orphanPerMille: number;
  /** orphans only at the start of the capture (true) or spread over it */
  orphansAtStart: boolean;
  /** per arrival probabilities of the special flows */
  retransmittedBeginRate: number;
  acFallbackRate: number;
  tidReuseAfterEndRate: number;
  tidReuseTwoVlrsRate: number;
  link: LinkKind;
  mtu: number;
  mtuRange?: [number, number];
  v6ext: boolean;
  maxOperators?: number;
  /** at most this many operators per country (the first ones of the table) */
  maxPerCountry?: number;
  /** default capture duration per dialogue (s) when spanSeconds is not given */
  secondsPerDialogue: number;
}

const MIX_WEIGHTS: Record<ProcName, number> = {
  // SIGCOMM'21 IPX study: SAI ~45 % of MAP, UL and CL ~20 % each, the rest a few % each
  sendAuthenticationInfo: 45,
  updateLocation: 18,
  cancelLocation: 20,
  updateGprsLocation: 4,
  purgeMS: 4,
  insertSubscriberData: 3,
  sendRoutingInfoForSM: 3,
  'mt-ForwardSM': 2,
  'mo-ForwardSM': 1,
};

export const MIX: Profile = {
  procWeights: MIX_WEIGHTS,
  capShare: 0.02,
  errorScale: 1,
  abortRate: 0.004,
  rejectRate: 0.002,
  timeoutRate: 0.001,
  sorRate: 0.025,
  bundleRate: 0.03,
  sctpFragmentRate: 0.003,
  sctpFragmentsInOnePacketRate: 0.1,
  xudtPlainRate: 0.03,
  bigMessageRate: 0.01,
  forceSegmentRate: 0,
  sackRate: 0.2,
  isdErrorRate: 0.01,
  orphanPerMille: 2,
  orphansAtStart: true,
  retransmittedBeginRate: 0,
  acFallbackRate: 0,
  tidReuseAfterEndRate: 0,
  tidReuseTwoVlrsRate: 0,
  link: 'ethernet',
  mtu: 1500,
  v6ext: false,
  secondsPerDialogue: 0.02,
};

/** profile of a named scenario: the mix with a few knobs turned */
export function profileFor(name: ScenarioName): Profile {
  const small: Partial<Profile> = { maxOperators: 8, secondsPerDialogue: 0.25, orphanPerMille: 0, sorRate: 0, bundleRate: 0, timeoutRate: 0, abortRate: 0, rejectRate: 0, capShare: 0 };
  const p = (o: Partial<Profile>): Profile => ({ ...MIX, ...small, ...o });
  switch (name) {
    case 'mix':
      return { ...MIX };
    case 'bundling':
      return p({ bundleRate: 0.6 });
    case 'sctp-fragments':
      return p({ sctpFragmentRate: 0.4, sctpFragmentsInOnePacketRate: 0.25 });
    case 'xudt-segments':
      return p({ bigMessageRate: 0.5, forceSegmentRate: 0.1, xudtPlainRate: 0.2 });
    case 'tid-reuse-two-vlrs':
      return p({ tidReuseTwoVlrsRate: 0.25 });
    case 'abort':
      return p({ abortRate: 0.4 });
    case 'timeout':
      return p({ timeoutRate: 0.4 });
    case 'orphan':
      return p({ orphanPerMille: 300, orphansAtStart: false });
    case 'retransmitted-begin':
      return p({ retransmittedBeginRate: 0.25 });
    case 'ac-fallback':
      return p({ acFallbackRate: 0.25 });
    case 'tid-reuse-after-end':
      return p({ tidReuseAfterEndRate: 0.25 });
    case 'vlan':
    case 'qinq':
    case 'sll':
    case 'sll2':
      return p({ link: name, bundleRate: 0.1, sctpFragmentRate: 0.05 });
    case 'ipv6':
      return p({ link: 'ipv6', v6ext: true, mtuRange: [600, 1500], bigMessageRate: 0.2, bundleRate: 0.1 });
    case 'ip-fragments':
      return p({ mtuRange: [200, 400], bigMessageRate: 0.2, bundleRate: 0.1 });
    case 'cap':
      return p({ capShare: 0.8, errorScale: 2 });
  }
}
