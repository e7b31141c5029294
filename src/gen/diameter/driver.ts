// Diameter arrival process: Poisson arrivals over the capture span, each starting a procedure of
// the profile's mix (or a burst, a steering episode, a watchdog), until exactly the requested
// number of Diameter dialogues has been planned.
import { DiameterEnv, linkReady } from './links';
import { startBurst, startDwr, startS6a, startSor } from './flows';
import { S6aCommand } from './profile';

export function driveDiameter(dx: DiameterEnv, dialogues: number, startUs: number, spanUs: number): void {
  const { rng, p } = dx;
  const cmds = Object.keys(p.weights) as S6aCommand[];
  const weights = cmds.map((k) => p.weights[k]);
  const perDialogueUs = dialogues > 0 ? spanUs / dialogues : 0;
  const spawn = (t: number): number => {
    if (p.burstRate > 0 && dx.budget.free >= 3 && rng.chance(p.burstRate)) return startBurst(dx, t);
    const cmd = cmds[rng.weighted(weights)];
    if (cmd === 'dwr') return startDwr(dx, t, rng.pick(dx.all));
    if (cmd === 'ulr' && p.sorRate > 0 && dx.budget.free >= 12 && rng.chance(p.sorRate)) return startSor(dx, t);
    return startS6a(dx, cmd, t);
  };
  /** the cheapest dialogue there is: a watchdog on a connection that is up, else a capabilities exchange */
  const fallback = (t: number): number => {
    const up = dx.all.filter((l) => !l.needsOpen);
    if (up.length > 0) return startDwr(dx, t, rng.pick(up));
    if (!dx.budget.take(1)) return 0;
    linkReady(dx, rng.pick(dx.all), t);
    return 1;
  };
  const arrival = (t: number): void => {
    let n = spawn(t);
    if (n === 0) n = fallback(t);
    if (dx.budget.free > 0) {
      const next = t + Math.max(1, Math.round(rng.exp(perDialogueUs * Math.max(1, n))));
      dx.env.at(next, () => arrival(next));
    }
  };
  if (dialogues > 0) dx.env.at(startUs, () => arrival(startUs));
}
