import { Layer, LAYER_COUNT, LAYER_NAMES } from './layers';

/** Max reason codes per layer (codes are small const-enum values). */
const MAX_CODES = 64;

/**
 * Anomaly and per-layer decode counters of one pipeline. Plain typed arrays indexed by
 * (layer, code) so that counting on the hot path is one increment, no strings, no maps.
 * Names come from each layer's `*_ANOMALY_NAMES` table, registered once at start-up.
 */
export class Counters {
  /** anomalies[layer * MAX_CODES + code] */
  readonly anomalies = new Float64Array(LAYER_COUNT * MAX_CODES);
  /** Messages successfully decoded at each layer. */
  readonly decoded = new Float64Array(LAYER_COUNT);
  private readonly names: (readonly string[] | undefined)[] = new Array(LAYER_COUNT);
  /** Optional hook, called for each anomaly (debug pcap sampling); set once, not per packet. */
  onAnomaly: ((layer: Layer, code: number) => void) | null = null;

  registerNames(layer: Layer, names: readonly string[]): void {
    this.names[layer] = names;
  }

  anomaly(layer: Layer, code: number): void {
    this.anomalies[layer * MAX_CODES + (code < MAX_CODES ? code : MAX_CODES - 1)]++;
    if (this.onAnomaly !== null) this.onAnomaly(layer, code);
  }

  ok(layer: Layer): void {
    this.decoded[layer]++;
  }

  reasonName(layer: Layer, code: number): string {
    const n = this.names[layer];
    return (n && n[code]) || `code_${code}`;
  }

  /** Non-zero anomaly counters as {layer, reason, count}, for summaries and metrics. */
  anomalyList(): { layer: string; reason: string; count: number }[] {
    const out: { layer: string; reason: string; count: number }[] = [];
    for (let l = 0; l < LAYER_COUNT; l++) {
      for (let c = 1; c < MAX_CODES; c++) {
        const v = this.anomalies[l * MAX_CODES + c];
        if (v > 0) out.push({ layer: LAYER_NAMES[l], reason: this.reasonName(l as Layer, c), count: v });
      }
    }
    return out;
  }

  decodedList(): { layer: string; count: number }[] {
    const out: { layer: string; count: number }[] = [];
    for (let l = 0; l < LAYER_COUNT; l++) if (this.decoded[l] > 0) out.push({ layer: LAYER_NAMES[l], count: this.decoded[l] });
    return out;
  }
}
