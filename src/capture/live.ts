/**
 * Live capture through node_pcap (libpcap). node_pcap copies each packet into one reusable
 * buffer and its pcap_pkthdr into a 16-byte header buffer (pcap_session.cc PacketReady:
 * tv_sec(4) tv_usec(4) caplen(4) len(4), host byte order, tv_sec = low 32 bits of time_t).
 *
 * node_pcap limitation: close() can only ask libpcap to stop (pcap_breakloop); the handle is
 * released when libpcap next returns from a read, i.e. on the next packet the kernel hands over.
 * Until then the poll handle keeps the event loop alive: a process that wants to exit after
 * close() must call process.exit().
 */
import * as os from 'os';
import { CaptureError, oneLine, unsupportedLinkTypeError } from './errors';
import { isSupportedLinkType, LinkType, supportedLinkTypesText } from './linkTypes';
import type { PacketHandler } from './types';

export interface LiveOptions {
  iface: string;
  /** BPF filter expression ('' = everything). */
  filter: string;
  snaplen: number;
  /** Kernel ring buffer size (pcap_set_buffer_size). */
  bufferSizeBytes: number;
  /** default true (a probe on a mirror port sees frames addressed to others) */
  promiscuous?: boolean;
  /** pcap_set_timeout: how long the kernel holds a partly filled ring block (default 200 ms;
   *  0 = immediate mode, one wake-up per packet). */
  bufferTimeoutMs?: number;
  /** Called once if libpcap reports a read error after the capture started (interface removed
   *  or gone down): the capture delivers nothing more. */
  onError?: (err: CaptureError) => void;
}

export interface LiveStats {
  /** Packets the kernel handed to the capture (pcap_stats ps_recv; on Linux: passed the filter). */
  received: number;
  /** Dropped because the ring buffer was full (ps_drop). */
  dropped: number;
  /** Dropped by the interface / driver (ps_ifdrop; 0 where unsupported). */
  ifDropped: number;
}

export const DEFAULT_BUFFER_TIMEOUT_MS = 200;

/** pcap_dispatch results (pcap.h). */
const PCAP_ERROR = -1;
const PCAP_ERROR_BREAK = -2;

// The parts of node_pcap 3.1 used here (pcap.js; `session` is the native PcapSession).
interface NativeSession {
  dispatch(buf: Buffer, header: Buffer): number;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
}
interface NodePcapSession {
  link_type: string;
  buf: Buffer;
  header: Buffer;
  session: NativeSession;
  on(event: 'packet', fn: (p: { buf: Buffer; header: Buffer }) => void): void;
  close(): void;
}
interface NodePcapModule {
  createSession(
    device: string,
    options: { filter: string; buffer_size: number; snap_length: number; promiscuous: boolean; buffer_timeout: number },
  ): NodePcapSession;
  findalldevs(): { name: string }[];
  warningHandler: (warning: string) => void;
}

let nodePcap: NodePcapModule | undefined;

function loadNodePcap(iface: string): NodePcapModule {
  if (nodePcap === undefined) {
    try {
      nodePcap = require('pcap') as NodePcapModule;
    } catch (err) {
      throw new CaptureError(
        'E_CAPTURE_LIVE',
        iface,
        `live capture unavailable: the pcap (node_pcap) native module failed to load: ${(err as Error).message}`,
        err,
      );
    }
  }
  return nodePcap;
}

/** node_pcap's link_type string → LINKTYPE_* number (pcap_session.cc names five; others come
 *  as "Unknown linktype <DLT>", where the DLT equals the LINKTYPE for the types we decode). */
export function linkTypeFromNodePcap(name: string): number {
  switch (name) {
    case 'LINKTYPE_NULL': return LinkType.Null;
    case 'LINKTYPE_ETHERNET': return LinkType.Ethernet;
    case 'LINKTYPE_IEEE802_11_RADIO': return LinkType.Ieee80211Radiotap;
    case 'LINKTYPE_RAW': return LinkType.Raw; // DLT_RAW (12 on Linux) is LINKTYPE_RAW 101
    case 'LINKTYPE_LINUX_SLL': return LinkType.LinuxSll;
    default: {
      const m = /^Unknown linktype (\d+)$/.exec(name);
      return m ? Number(m[1]) : -1;
    }
  }
}

/**
 * Maps a libpcap open/activate/filter error message to a CaptureError:
 * permission ("socket: Operation not permitted"), missing device ("No such device exists"),
 * anything else (bad filter, interface down...) E_CAPTURE_LIVE.
 */
export function classifyLiveError(iface: string, filter: string, message: string, devices?: readonly string[]): CaptureError {
  const msg = oneLine(message);
  if (/not permitted|permission|EPERM|EACCES|CAP_NET_RAW/i.test(msg)) {
    return new CaptureError(
      'E_CAPTURE_PERMISSION',
      iface,
      `no permission to capture on ${iface} (run as root or grant CAP_NET_RAW and CAP_NET_ADMIN): ${msg}`,
    );
  }
  if (/no such device|does not exist|doesn't exist/i.test(msg)) {
    const avail = devices && devices.length > 0 ? `; available: ${devices.join(', ')}` : '';
    return new CaptureError('E_NO_DEVICE', iface, `capture interface ${iface} does not exist (${msg})${avail}`);
  }
  if (/filter|syntax error/i.test(msg)) {
    return new CaptureError('E_CAPTURE_LIVE', iface, `bad capture filter '${filter}' on ${iface}: ${msg}`);
  }
  return new CaptureError('E_CAPTURE_LIVE', iface, `cannot capture on ${iface}: ${msg}`);
}

export class LiveCapture {
  readonly iface: string;
  /** LINKTYPE_* of the interface. */
  readonly linkType: number;
  /** libpcap warnings raised while opening (e.g. "eth1: no IPv4 address assigned"). */
  readonly warnings: readonly string[];
  /** true once libpcap has released the handle (see the module comment). */
  released = false;

  private readonly session: NodePcapSession;
  private readonly onPacket: PacketHandler;
  private readonly onError: ((err: CaptureError) => void) | undefined;
  private readonly littleEndian = os.endianness() === 'LE';
  private frame = 0;
  private closed = false;
  private delivering = false;
  private failed = false;
  private lastStats: LiveStats = { received: 0, dropped: 0, ifDropped: 0 };

  private constructor(opts: LiveOptions, session: NodePcapSession, linkType: number, warnings: string[], onPacket: PacketHandler) {
    this.iface = opts.iface;
    this.session = session;
    this.linkType = linkType;
    this.warnings = warnings;
    this.onPacket = onPacket;
    this.onError = opts.onError;
    this.wrapDispatch();
    session.on('packet', (p) => this.deliver(p.buf, p.header));
  }

  /**
   * Starts capturing on opts.iface; onPacket is called for every packet (the capture owns its
   * buffer: valid during the callback only). An exception thrown by onPacket is fatal (node_pcap
   * raises it as an uncaught exception). Throws CaptureError: E_CAPTURE_PERMISSION (not root /
   * no CAP_NET_RAW), E_NO_DEVICE, E_LINKTYPE (an interface sigprobe cannot decode), E_CAPTURE_LIVE.
   */
  static open(opts: LiveOptions, onPacket: PacketHandler): LiveCapture {
    const iface = opts.iface;
    if (!iface) throw new CaptureError('E_NO_DEVICE', '', 'no capture interface given');
    const pcap = loadNodePcap(iface);
    const warnings: string[] = [];
    const prevWarn = pcap.warningHandler;
    pcap.warningHandler = (w: string) => warnings.push(oneLine(String(w)));
    let session: NodePcapSession;
    try {
      session = pcap.createSession(iface, {
        filter: opts.filter,
        buffer_size: opts.bufferSizeBytes,
        snap_length: opts.snaplen,
        promiscuous: opts.promiscuous ?? true,
        buffer_timeout: opts.bufferTimeoutMs ?? DEFAULT_BUFFER_TIMEOUT_MS,
      });
    } catch (err) {
      throw classifyLiveError(iface, opts.filter, (err as Error).message ?? String(err), listDevices(pcap));
    } finally {
      pcap.warningHandler = prevWarn;
    }
    const linkType = linkTypeFromNodePcap(session.link_type);
    const capture = new LiveCapture(opts, session, linkType, warnings, onPacket);
    if (!isSupportedLinkType(linkType)) {
      capture.close();
      throw unsupportedLinkTypeError(`interface ${iface}`, linkType, supportedLinkTypesText());
    }
    return capture;
  }

  /** Kernel counters since open (the last values read before close() once closed). */
  stats(): LiveStats {
    if (!this.closed && !this.released) {
      try {
        const s = this.session.session.stats();
        this.lastStats = { received: s.ps_recv, dropped: s.ps_drop, ifDropped: s.ps_ifdrop };
      } catch {
        // handle already released: keep the last values
      }
    }
    return { ...this.lastStats };
  }

  /** Stops delivering packets at once and asks libpcap to release the handle (see module note). */
  close(): void {
    if (this.closed) return;
    this.stats();
    this.closed = true;
    this.session.close(); // removes the listeners, pcap_breakloop()
    if (this.delivering) setImmediate(() => this.tryRelease());
    else this.tryRelease();
  }

  private deliver(buf: Buffer, header: Buffer): void {
    if (this.closed) return;
    const le = this.littleEndian;
    const sec = le ? header.readUInt32LE(0) : header.readUInt32BE(0);
    const usec = le ? header.readUInt32LE(4) : header.readUInt32BE(4);
    const capLen = Math.min(le ? header.readUInt32LE(8) : header.readUInt32BE(8), buf.length);
    const origLen = le ? header.readUInt32LE(12) : header.readUInt32BE(12);
    this.delivering = true;
    try {
      this.onPacket(buf, 0, capLen, origLen, sec * 1e6 + usec, this.linkType, ++this.frame);
    } finally {
      this.delivering = false;
    }
  }

  /**
   * Every path into libpcap (node_pcap's poll callback and its start-up kick) goes through
   * native.dispatch: wrap it to learn when the handle is released (PCAP_ERROR_BREAK, after
   * which calling into it again would dereference a closed pcap_t) and to report read errors.
   */
  private wrapDispatch(): void {
    const native = this.session.session;
    const real = native.dispatch;
    native.dispatch = (buf: Buffer, header: Buffer): number => {
      if (this.released) return PCAP_ERROR_BREAK;
      const r = real.call(native, buf, header);
      if (r === PCAP_ERROR_BREAK) this.released = true;
      else if (r === PCAP_ERROR && !this.closed) this.fail();
      return r;
    };
  }

  private tryRelease(): void {
    if (this.released) return;
    this.session.session.dispatch(this.session.buf, this.session.header);
  }

  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    const err = new CaptureError(
      'E_CAPTURE_LIVE',
      this.iface,
      `live capture on ${this.iface} failed: libpcap read error (interface removed or down?)`,
    );
    if (this.onError) this.onError(err);
  }
}

function listDevices(pcap: NodePcapModule): string[] {
  try {
    return pcap.findalldevs().map((d) => d.name);
  } catch {
    return [];
  }
}
