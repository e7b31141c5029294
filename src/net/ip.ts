/**
 * IP layer: dispatches IPv4 / IPv6 by EtherType, reassembles fragments.
 *
 * Result convention: decode() returns an IpResult saying what to do with the packet, and sets
 * the layer's fields anomalyLayer / anomalyCode (Layer.Ipv4, Layer.Ipv6 or Layer.IpReassembly of
 * src/metrics/layers.ts, with that layer's reason code) to the anomaly to count for this
 * packet, anomalyCode 0 when none. The two are independent: an Ok datagram may carry an
 * anomaly (captured shorter than its total length, `truncated`: the payload is usable up to the
 * capture end), and FragmentHeld / Drop may come without one (a duplicate fragment is Drop +
 * ip_reassembly/duplicate; a fragment waiting for the others is FragmentHeld + none).
 *
 *   const r = ip.decode(link.etherType, buf, link.start, end, tsUs, view);
 *   if (ip.anomalyCode !== 0) count(ip.anomalyLayer, ip.anomalyCode);
 *   if (r === IpResult.Ok) climb(view);
 */
import { Layer } from '../metrics/layers';
import { EtherType } from './constants';
import { DEFAULT_IP_REASSEMBLY_LIMITS, IpReassembler, IpReassemblyAnomaly, IpReassemblyLimits } from './ipReassembly';
import { decodeIpv4, Ipv4Anomaly, ipv4HeaderChecksumOk } from './ipv4';
import { decodeIpv6, Ipv6Anomaly, walkIpv6Extensions } from './ipv6';
import { IpView } from './types';

export const enum IpResult {
  /** `out` holds a whole datagram's payload (possibly reassembled, possibly truncated). */
  Ok = 0,
  /** A fragment was stored: not an anomaly, the datagram is not complete yet. */
  FragmentHeld = 1,
  /** Nothing to pass up (see IpLayer.anomalyLayer / anomalyCode for why). */
  Drop = 2,
  /** The EtherType is neither IPv4 nor IPv6 (not an anomaly; the caller counts "not IP"). */
  NotIp = 3,
}

export interface IpLayerOptions extends IpReassemblyLimits {
  /** Verify the IPv4 header checksum (off by default: offload garbage on mirror ports). */
  verifyIpv4Checksum?: boolean;
}

export class IpLayer {
  readonly reassembler: IpReassembler;
  /** The anomaly of the last decode(): layer (Layer.Ipv4 / Ipv6 / IpReassembly) and its code (0 = none). */
  anomalyLayer: number = Layer.Ipv4;
  anomalyCode = 0;
  private readonly verifyChecksum: boolean;

  constructor(limits: IpLayerOptions = DEFAULT_IP_REASSEMBLY_LIMITS) {
    this.reassembler = new IpReassembler(limits);
    this.verifyChecksum = limits.verifyIpv4Checksum === true;
  }

  /** Decodes the network header of type `etherType` at buf[start, end) received at tsUs. */
  decode(etherType: number, buf: Buffer, start: number, end: number, tsUs: number, out: IpView): number {
    this.anomalyCode = 0;
    let layer: number;
    let code: number;
    if (etherType === EtherType.Ipv4) {
      layer = Layer.Ipv4;
      code = decodeIpv4(buf, start, end, out);
      if (code === Ipv4Anomaly.Ok && this.verifyChecksum && !ipv4HeaderChecksumOk(buf, start, out.start - start)) {
        code = Ipv4Anomaly.BadChecksum;
      }
    } else if (etherType === EtherType.Ipv6) {
      layer = Layer.Ipv6;
      code = decodeIpv6(buf, start, end, out);
    } else {
      return IpResult.NotIp;
    }
    if (code !== 0) {
      this.anomalyLayer = layer;
      this.anomalyCode = code;
      // Truncated (same value for both versions) is the only non-fatal code; a cut fragment is useless.
      if (code !== Ipv4Anomaly.Truncated || out.isFragment) return IpResult.Drop;
    }
    if (!out.isFragment) return IpResult.Ok;
    const r = this.reassembler.add(out, tsUs);
    if (r !== 0) {
      this.anomalyLayer = Layer.IpReassembly;
      this.anomalyCode = r;
    }
    if (out.reassembled) {
      if (out.version === 6) {
        // RFC 8200 §4.5: the fragmentable part may begin with more extension headers
        const c6 = walkIpv6Extensions(out.buf, out.start, out.end, out.proto, false, out);
        if (c6 !== Ipv6Anomaly.Ok) {
          this.anomalyLayer = Layer.Ipv6;
          this.anomalyCode = c6;
          return IpResult.Drop;
        }
        if (out.isFragment) {
          this.anomalyLayer = Layer.Ipv6;
          this.anomalyCode = Ipv6Anomaly.NestedFragment;
          return IpResult.Drop;
        }
      }
      return IpResult.Ok;
    }
    // Ok or EvictedLimit (an older datagram went; this fragment was stored) → held
    return r === IpReassemblyAnomaly.Ok || r === IpReassemblyAnomaly.EvictedLimit ? IpResult.FragmentHeld : IpResult.Drop;
  }

  /** Expires incomplete datagrams (see IpReassembler.expire). */
  expire(nowUs: number): void {
    this.reassembler.expire(nowUs);
  }
}
