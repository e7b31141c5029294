// Sets up the IP protocols of one generator run on the shared event loop: the IP topology, the
// Diameter peer connections and arrival process, the GTPv1 / GTPv2 arrival processes and the
// tunnels file; and collects their counters at the end.
import { IpEnv, Flushable } from './ip/env';
import { IpWire } from './ip/wire';
import { LinkKind } from './ip/link';
import { Budget } from './ip/budget';
import { buildIpWorld } from './ip/topology';
import { DiameterProfile } from './diameter/profile';
import { DiameterEnv, buildLinks } from './diameter/links';
import { driveDiameter } from './diameter/driver';
import { GtpProfile } from './gtp/profile';
import { GtpNet } from './gtp/net';
import { GtpEnv, GtpVersion } from './gtp/lifecycle';
import { driveGtp } from './gtp/driver';
import { TunnelWriter } from './gtp/tunnels';

export interface IpRunOptions {
  link: LinkKind;
  startUs: number;
  spanUs: number;
  counts: { diameter: number; gtpv1: number; gtpv2: number };
  diameter: DiameterProfile;
  gtp: GtpProfile;
  /** where to write the tunnels (null: no GTP in this run) */
  tunnelsPath: string | null;
}

export interface IpStats {
  tcpSegments: number;
  tcpMultiMessageSegments: number;
  tcpSplitMessages: number;
  diameterSctpPackets: number;
  diameterSctpBundled: number;
  diameterSctpFragmented: number;
  tunnels: number;
  tunnelsByEndReason: Record<string, number>;
}

export class IpRun {
  private readonly flushList: Flushable[] = [];
  private readonly dx: DiameterEnv | null = null;
  private readonly tunnels: TunnelWriter | null = null;

  constructor(env: IpEnv, o: IpRunOptions) {
    const rng = env.rng.fork();
    const ipw = buildIpWorld(rng.fork(), env.world);
    const wire = new IpWire(env, o.link);
    env.onClockMove(() => {
      const l = this.flushList;
      for (let i = 0; i < l.length; i++) l[i].flush();
      l.length = 0;
    });
    if (o.counts.diameter > 0) {
      const drng = rng.fork();
      const links = buildLinks(env, drng, wire, ipw, o.diameter, this.flushList);
      const all = [...links.values()].flat();
      this.dx = { env, rng: drng, p: o.diameter, ipw, budget: new Budget(o.counts.diameter), links, all };
      driveDiameter(this.dx, o.counts.diameter, o.startUs, o.spanUs);
    }
    if (o.tunnelsPath !== null) {
      this.tunnels = new TunnelWriter(o.tunnelsPath);
      const net = new GtpNet(rng.fork(), wire, ipw, 1500);
      for (const version of ['gtpv1', 'gtpv2'] as GtpVersion[]) {
        const n = o.counts[version];
        if (n <= 0) continue;
        const gx: GtpEnv = { env, rng: rng.fork(), p: o.gtp, ipw, net, budget: new Budget(n), version, cutoffUs: o.startUs + o.spanUs, tunnels: this.tunnels };
        driveGtp(gx, n, o.startUs, o.spanUs);
      }
    }
  }

  get tunnelsPath(): string | null {
    return this.tunnels ? this.tunnels.path : null;
  }

  /** close the tunnels file (after the event loop has run) and report the counters */
  finish(): IpStats {
    const s: IpStats = {
      tcpSegments: 0, tcpMultiMessageSegments: 0, tcpSplitMessages: 0, diameterSctpPackets: 0, diameterSctpBundled: 0, diameterSctpFragmented: 0,
      tunnels: 0, tunnelsByEndReason: {},
    };
    if (this.dx) {
      for (const l of this.dx.all) {
        if (l.tcp) {
          s.tcpSegments += l.tcp.counters.segments;
          s.tcpMultiMessageSegments += l.tcp.counters.multiMessageSegments;
          s.tcpSplitMessages += l.tcp.counters.splitMessages;
        } else {
          s.diameterSctpPackets += l.sctp!.counters.packets;
          s.diameterSctpBundled += l.sctp!.counters.bundledPackets;
          s.diameterSctpFragmented += l.sctp!.counters.fragmentedMessages;
        }
      }
    }
    if (this.tunnels) {
      this.tunnels.close();
      s.tunnels = this.tunnels.lines;
      s.tunnelsByEndReason = { ...this.tunnels.byEndReason };
    }
    return s;
  }
}
