import { PcapWriter } from './pcapWriter';
import { LAYER_COUNT } from '../metrics/layers';

export interface AnomalySamplerOptions {
  /** pcap file the sampled packets go to (created; one link type per file). */
  path: string;
  /** Packets per layer per second of packet time at most (rate limit). */
  maxPerSecondPerLayer: number;
  /** Packets in the file at most; then sampling stops (counted). */
  maxPackets: number;
}

/**
 * Writes packets that raised a decode anomaly to a debug pcap, rate-limited per layer and capped
 * in total, so an operator can open them in Wireshark. Packets of a link type other than the
 * file's first are counted as skipped (a pcap file has one link type).
 */
export class AnomalySampler {
  private writer: PcapWriter | null = null;
  private linkType = -1;
  private readonly windowStart = new Float64Array(LAYER_COUNT);
  private readonly inWindow = new Uint32Array(LAYER_COUNT);
  written = 0;
  rateLimited = 0;
  skippedLinkType = 0;
  capped = 0;

  constructor(private readonly opts: AnomalySamplerOptions) {}

  /** The packet being decoded raised an anomaly at layer. buf is only valid during the call. */
  sample(layer: number, buf: Buffer, start: number, capLen: number, tsUs: number, linkType: number): void {
    if (this.written >= this.opts.maxPackets) {
      this.capped++;
      return;
    }
    if (tsUs - this.windowStart[layer] >= 1_000_000) {
      this.windowStart[layer] = tsUs;
      this.inWindow[layer] = 0;
    }
    if (this.inWindow[layer] >= this.opts.maxPerSecondPerLayer) {
      this.rateLimited++;
      return;
    }
    if (this.writer === null) {
      this.writer = PcapWriter.create(this.opts.path, { linkType, format: 'pcap' });
      this.linkType = linkType;
    } else if (linkType !== this.linkType) {
      this.skippedLinkType++;
      return;
    }
    this.inWindow[layer]++;
    this.written++;
    this.writer.write(tsUs, buf, start, start + capLen);
  }

  close(): void {
    this.writer?.close();
    this.writer = null;
  }
}
