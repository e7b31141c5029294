// Ground truth per GTP tunnel (PDP context / PDN connection), `<name>.tunnels.jsonl`: one line per
// tunnel whose Create Request is in the capture.
//   create_frame    frame of the (first copy of the) Create request
//   end_frame       Delete: frame of the Delete response (of the Delete request when unanswered);
//                   rejected Create: frame of the Create response (null when unanswered); open: null
//   setup_delay_us  Create request → response (null when unanswered)
//   duration_us     create_frame → end_frame time, for deleted tunnels only
//   create_cause / delete_cause   Cause of the responses (null when none)
//   end_reason      'delete' | 'capture_end' (still open when the capture ends) | 'create_rejected'
//   (a Create never answered makes no tunnel line: its dialogue line says timeout)
//                   (Create answered with a reject cause, or never answered)
// A line is written as soon as the tunnel's fate is known: a refused / unanswered Create at its
// response (request), a tunnel that no Delete will end inside the capture at its Create response,
// a deleted tunnel when its Delete exchange is written. So memory holds only tunnels awaiting a Delete.
import * as fs from 'fs';
import { Transaction } from '../ip/transaction';
import type { VisitedPlmn } from '../map/truth';

/** user-plane totals of a tunnel (T-PDU = the user IP packet; up = towards the GGSN / PGW data TEID) */
export interface UserCounters {
  packetsUp: number;
  packetsDown: number;
  bytesUp: number;
  bytesDown: number;
}

export interface TunnelLine {
  protocol: 'gtpv1' | 'gtpv2';
  imsi: string;
  apn: string;
  create_frame: number;
  end_frame: number | null;
  setup_delay_us: number | null;
  duration_us: number | null;
  create_cause: number | null;
  delete_cause: number | null;
  end_reason: 'delete' | 'capture_end' | 'create_rejected';
}

export class Tunnel {
  create: Transaction | null = null;
  ended = false;
  /** serving network of the Create (extended lines) */
  visited: VisitedPlmn | null = null;
  /** planned T-PDUs (null: none) */
  user: UserCounters | null = null;

  constructor(
    readonly protocol: 'gtpv1' | 'gtpv2',
    readonly imsi: string,
    readonly apn: string,
    /** accepted-cause range of the version (GTPv1 128-191, GTPv2 16-63) */
    private readonly okLo: number,
    private readonly okHi: number,
  ) {}

  accepted(cause: number | null): boolean {
    return cause !== null && cause >= this.okLo && cause <= this.okHi;
  }

  /** The tunnel's truth line; null for a Create never answered (no tunnel: the dialogue truth has its timeout). */
  line(del: Transaction | null): TunnelLine | null {
    const c = this.create!;
    if (!c.answered) return null;
    const base = { protocol: this.protocol, imsi: this.imsi, apn: this.apn, create_frame: c.reqFrame, setup_delay_us: c.latencyUs, create_cause: c.resultCode };
    if (!this.accepted(c.resultCode)) {
      return { ...base, end_frame: c.rspFrame, duration_us: null, delete_cause: null, end_reason: 'create_rejected' };
    }
    if (!del) return { ...base, end_frame: null, duration_us: null, delete_cause: null, end_reason: 'capture_end' };
    const endFrame = del.rspFrame ?? del.reqFrame;
    const endT = del.rspFrame !== null ? del.rspT : del.reqT;
    return { ...base, end_frame: endFrame, duration_us: endT - c.reqT, delete_cause: del.resultCode, end_reason: 'delete' };
  }
}

const FLUSH_BYTES = 1 << 16;

export interface TunnelWriterOptions {
  /** append create_time_us, visited_mcc / visited_mnc and the user-plane counters to every line (roaming scenario) */
  extended?: boolean;
  /** sees every line as it is written */
  onWrite?: (l: TunnelLine, t: Tunnel) => void;
}

export class TunnelWriter {
  lines = 0;
  readonly byEndReason: Record<string, number> = {};
  private readonly fd: number;
  private buf = '';
  /** tunnels created whose line is not written yet, in Create order */
  private readonly open = new Set<Tunnel>();

  constructor(
    readonly path: string,
    private readonly o: TunnelWriterOptions = {},
  ) {
    this.fd = fs.openSync(path, 'w');
  }

  opened(t: Tunnel): void {
    this.open.add(t);
  }

  /** the tunnel is over: its Create was refused / unanswered, or its Delete exchange was written */
  ended(t: Tunnel, del: Transaction | null): void {
    if (t.ended) return;
    t.ended = true;
    this.open.delete(t);
    this.write(t.line(del), t);
  }

  /** write the tunnels still open (capture end) and close the file */
  close(): void {
    for (const t of this.open) {
      t.ended = true;
      this.write(t.line(null), t);
    }
    this.open.clear();
    if (this.buf.length > 0) fs.writeSync(this.fd, this.buf);
    this.buf = '';
    fs.closeSync(this.fd);
  }

  private write(l: TunnelLine | null, t: Tunnel): void {
    if (l === null) return;
    this.lines++;
    this.byEndReason[l.end_reason] = (this.byEndReason[l.end_reason] ?? 0) + 1;
    if (this.o.onWrite) this.o.onWrite(l, t);
    this.buf += (this.o.extended ? formatExtendedTunnelLine(l, t) : formatTunnelLine(l)) + '\n';
    if (this.buf.length >= FLUSH_BYTES) {
      fs.writeSync(this.fd, this.buf);
      this.buf = '';
    }
  }
}

/** keys in the fixed order, Python json.dumps spacing (like the truth file) */
export function formatTunnelLine(l: TunnelLine): string {
  const v = (x: unknown) => JSON.stringify(x);
  return (
    `{"protocol": ${v(l.protocol)}, "imsi": ${v(l.imsi)}, "apn": ${v(l.apn)}, "create_frame": ${l.create_frame}, "end_frame": ${v(l.end_frame)}, ` +
    `"setup_delay_us": ${v(l.setup_delay_us)}, "duration_us": ${v(l.duration_us)}, "create_cause": ${v(l.create_cause)}, ` +
    `"delete_cause": ${v(l.delete_cause)}, "end_reason": ${v(l.end_reason)}}`
  );
}

/**
 * The roaming scenario's line: the fixed keys, then the Create request's packet time, the serving
 * network and the T-PDU counters (bytes = the user IP packets, without outer IP / UDP / GTP-U).
 */
export function formatExtendedTunnelLine(l: TunnelLine, t: Tunnel): string {
  const u = t.user ?? { packetsUp: 0, packetsDown: 0, bytesUp: 0, bytesDown: 0 };
  const v = t.visited;
  const accepted = l.end_reason !== 'create_rejected';
  return (
    `${formatTunnelLine(l).slice(0, -1)}, "create_time_us": ${t.create!.reqT}, "visited_mcc": ${v ? JSON.stringify(v.mcc) : 'null'}, ` +
    `"visited_mnc": ${v ? JSON.stringify(v.mnc) : 'null'}, "packets_up": ${accepted ? u.packetsUp : 0}, "packets_down": ${accepted ? u.packetsDown : 0}, ` +
    `"bytes_up": ${accepted ? u.bytesUp : 0}, "bytes_down": ${accepted ? u.bytesDown : 0}}`
  );
}
