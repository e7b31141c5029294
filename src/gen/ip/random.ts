// Distributions for the IP protocols' timings.
import { Prng } from '../prng';

/** standard normal variate (Box–Muller) */
export function normal(rng: Prng): number {
  const u = 1 - rng.next(); // (0, 1]
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** log-normal variate with the given median and shape σ (P(X < median·e^{zσ}) = Φ(z)) */
export function logNormal(rng: Prng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** σ of a log-normal with this median whose quantile q lies at x (e.g. 80 % under 1 s) */
export function sigmaFor(median: number, x: number, zq: number): number {
  return Math.log(x / median) / zq;
}

/** z of the 80th percentile of the standard normal */
export const Z80 = 0.8416212335729143;
