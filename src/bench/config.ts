// The two sizes of the benchmark: the full run (numbers for the record) and a quick smoke run.
import type { Profile } from '../gen/index';
import type { CaptureSpec } from './captures';

export interface BenchConfig {
  mode: 'full' | 'quick';
  seed: number;
  /** dialogues of the realistic-mix capture (steps a, b, c, e) */
  dialogues: number;
  /** dialogues of the IPX capture (MAP, Diameter, GTPv1/v2) of the headline (step h) */
  ipxDialogues: number;
  /** spool sizes (rows) at which step s reports the insert rate */
  spoolScaleSizes: number[];
  /** unanswered Begins of the pending-memory capture (step d) */
  pendingBegins: number;
  /** tshark: packets of the first timing run; the whole file is timed when it fits the budget */
  tsharkProbePackets: number;
  /** tshark: longest whole-file run (s) before the bench scales the probe run instead */
  tsharkBudgetSeconds: number;
}

export const FULL: BenchConfig = {
  mode: 'full',
  seed: 20231114,
  dialogues: 1_000_000,
  ipxDialogues: 200_000,
  spoolScaleSizes: [1_000_000, 10_000_000],
  pendingBegins: 1_000_000,
  tsharkProbePackets: 100_000,
  tsharkBudgetSeconds: 240,
};

export const QUICK: BenchConfig = {
  mode: 'quick',
  seed: 20231114,
  dialogues: 50_000,
  ipxDialogues: 20_000,
  spoolScaleSizes: [100_000, 200_000],
  pendingBegins: 50_000,
  // the quick capture (~125k packets) is always timed whole
  tsharkProbePackets: 1_000_000,
  tsharkBudgetSeconds: 240,
};

/** Generator default: capture seconds per dialogue of the mix (see src/gen/map/profile.ts). */
export const SECONDS_PER_DIALOGUE = 0.02;

/**
 * Profile overrides for a capture of Begins only: every dialogue times out (no answer), and the
 * flows that would add other messages are off (steering of roaming forces answered dialogues,
 * orphans are lone Continues/Ends, SACK-only packets, bundling and fragmentation).
 */
export const BEGINS_ONLY: Partial<Profile> = {
  timeoutRate: 1,
  sorRate: 0,
  orphanPerMille: 0,
  capShare: 0,
  sackRate: 0,
  bundleRate: 0,
  sctpFragmentRate: 0,
  bigMessageRate: 0,
};

/** The realistic-mix (MAP) capture, the IPX capture and the Begins-only capture of a bench size. */
export function captureSpecs(cfg: BenchConfig): { mix: CaptureSpec; ipx: CaptureSpec; begins: CaptureSpec } {
  return {
    mix: { name: `mix-${cfg.dialogues}`, seed: cfg.seed, dialogues: cfg.dialogues },
    ipx: { name: `ipx-${cfg.ipxDialogues}`, seed: cfg.seed, dialogues: cfg.ipxDialogues, scenario: 'ipx' },
    begins: {
      name: `begins-${cfg.pendingBegins}`,
      seed: cfg.seed,
      dialogues: cfg.pendingBegins,
      spanSeconds: cfg.pendingBegins * SECONDS_PER_DIALOGUE,
      profile: BEGINS_ONLY,
    },
  };
}
