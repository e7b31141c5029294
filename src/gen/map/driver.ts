// Arrival process: decides, dialogue after dialogue, what the scenario starts and when (Poisson
// arrivals spread over the capture span), until exactly the requested number of dialogues that
// belong in the truth file has been started.
import { Engine } from './engine';
import {
  planInitialDp,
  startAcFallback,
  startOrphan,
  startProcedure,
  startRetransmittedBegin,
  startSorEpisode,
  startTidReuseAfterEnd,
  startTidReuseTwoVlrs,
  planProcedure,
} from './flows';
import { ProcName } from './profile';

const BUNDLABLE: readonly ProcName[] = ['sendAuthenticationInfo', 'updateLocation', 'updateGprsLocation', 'purgeMS'];

export function drive(e: Engine, dialogues: number, startUs: number, spanUs: number): void {
  const p = e.profile;
  const rng = e.rng;
  const procs = Object.keys(p.procWeights) as ProcName[];
  const weights = procs.map((k) => p.procWeights[k]);
  const perDialogueUs = dialogues > 0 ? spanUs / dialogues : 0;

  // orphans at the start are the dialogues in flight when the capture began: ~0.3 s of traffic
  let nOrphans = Math.round((dialogues * p.orphanPerMille) / 1000);
  if (p.orphansAtStart && perDialogueUs > 0) nOrphans = Math.min(nOrphans, Math.max(1, Math.round(300_000 / perDialogueUs)));
  for (let i = 0; i < nOrphans; i++) {
    const t = startUs + rng.int(p.orphansAtStart ? Math.min(500_000, Math.max(1, spanUs)) : Math.max(1, spanUs));
    startOrphan(e, t);
  }

  let remaining = dialogues;
  const spawn = (t: number): number => {
    if (remaining >= 2) {
      if (p.acFallbackRate > 0 && rng.chance(p.acFallbackRate)) return startAcFallback(e, t);
      if (p.tidReuseAfterEndRate > 0 && rng.chance(p.tidReuseAfterEndRate)) return startTidReuseAfterEnd(e, t);
      if (p.tidReuseTwoVlrsRate > 0 && rng.chance(p.tidReuseTwoVlrsRate)) return startTidReuseTwoVlrs(e, t);
    }
    if (p.retransmittedBeginRate > 0 && rng.chance(p.retransmittedBeginRate)) return startRetransmittedBegin(e, t);
    if (p.capShare > 0 && rng.chance(p.capShare)) {
      e.start(planInitialDp(e), t);
      return 1;
    }
    if (remaining >= 2 && p.bundleRate > 0 && rng.chance(p.bundleRate)) {
      // several Begins queued at the same instant by nodes behind one gateway: one SCTP packet
      const visited = rng.pick(e.world.operators);
      const assoc = rng.pick(visited.assocs);
      const k = Math.min(remaining, rng.range(2, 4));
      for (let i = 0; i < k; i++) {
        const home = rng.pick(e.world.operators.filter((o) => o !== visited));
        e.start(planProcedure(e, rng.pick(BUNDLABLE), { home, visited, assoc, dir0: 0 }), t);
      }
      return k;
    }
    const proc = procs[rng.weighted(weights)];
    if (proc === 'updateLocation' && remaining >= 5 && p.sorRate > 0 && rng.chance(p.sorRate)) return startSorEpisode(e, t);
    startProcedure(e, proc, t);
    return 1;
  };
  const arrival = (t: number): void => {
    const n = spawn(t);
    remaining -= n;
    if (remaining > 0) {
      const next = t + Math.max(1, Math.round(rng.exp(perDialogueUs * n)));
      e.at(next, () => arrival(next));
    }
  };
  if (remaining > 0) e.at(startUs, () => arrival(startUs));
}

