// What the IP protocols (Diameter, GTP) need from the generator's event loop (src/gen/map/engine.ts
// implements it): time, scheduling, the shared packet heap and capture, the truth queue.
import { Prng } from '../prng';
import type { Mark } from '../map/transport';
import type { TruthItem } from '../map/truth';
import type { World } from '../map/topology';

export interface IpEnv {
  readonly rng: Prng;
  /** the simulated operators (countries, MCC/MNC, E.164 ranges) shared with MAP */
  readonly world: World;
  /** current time, µs since the epoch */
  readonly now: number;
  at(t: number, fn: () => void): void;
  emit(t: number, data: Buffer, marks: Mark[] | null): void;
  onClockMove(fn: () => void): void;
  transactionStarted(): void;
  transactionDone(): void;
  readonly truth: { enqueue(d: TruthItem): void };
}

/** something holding what was written at the current instant, closed when the clock moves on */
export interface Flushable {
  flush(): void;
}

export type { Mark, TruthItem };
