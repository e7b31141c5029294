/**
 * LiveCapture for real (needs root / CAP_NET_RAW): capture on `lo` with a BPF filter while
 * sending UDP datagrams, error classification with real libpcap messages, link types.
 */
import { spawnSync } from 'child_process';
import * as dgram from 'dgram';
import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/capture/errors';
import { classifyLiveError, linkTypeFromNodePcap, LiveCapture } from '../../src/capture/live';

const IS_ROOT = process.getuid?.() === 0;
const PORT = 45999;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(10);
  return cond();
}

function send(sock: dgram.Socket, msg: string): Promise<void> {
  return new Promise((res, rej) => sock.send(Buffer.from(msg), PORT, '127.0.0.1', (e) => (e ? rej(e) : res())));
}

interface Got {
  frame: number;
  tsUs: number;
  capLen: number;
  origLen: number;
  linkType: number;
  dstPort: number;
  text: string;
}

describe('linkTypeFromNodePcap', () => {
  it('maps node_pcap link_type strings to LINKTYPE numbers', () => {
    expect(linkTypeFromNodePcap('LINKTYPE_ETHERNET')).toBe(1);
    expect(linkTypeFromNodePcap('LINKTYPE_LINUX_SLL')).toBe(113);
    expect(linkTypeFromNodePcap('LINKTYPE_RAW')).toBe(101);
    expect(linkTypeFromNodePcap('LINKTYPE_NULL')).toBe(0);
    expect(linkTypeFromNodePcap('LINKTYPE_IEEE802_11_RADIO')).toBe(127);
    expect(linkTypeFromNodePcap('Unknown linktype 276')).toBe(276); // SLL2
    expect(linkTypeFromNodePcap('Unknown linktype 239')).toBe(239); // nflog
    expect(linkTypeFromNodePcap('garbage')).toBe(-1);
  });
});

describe('classifyLiveError (messages measured from libpcap 1.10.3 through node_pcap)', () => {
  it('permission', () => {
    const e = classifyLiveError('eth0', '', 'socket: Operation not permitted');
    expect(e.code).toBe('E_CAPTURE_PERMISSION');
    expect(e.message).toBe('no permission to capture on eth0 (run as root or grant CAP_NET_RAW and CAP_NET_ADMIN): socket: Operation not permitted');
  });
  it('missing device', () => {
    const e = classifyLiveError('eth9', '', 'No such device exists', ['eth0', 'lo']);
    expect(e.code).toBe('E_NO_DEVICE');
    expect(e.message).toBe('capture interface eth9 does not exist (No such device exists); available: eth0, lo');
  });
  it('bad filter, interface down', () => {
    const f = classifyLiveError('lo', 'udp port', "can't parse filter expression: syntax error");
    expect(f.code).toBe('E_CAPTURE_LIVE');
    expect(f.message).toBe("bad capture filter 'udp port' on lo: can't parse filter expression: syntax error");
    const d = classifyLiveError('ifb0', '', 'That device is not up');
    expect(d.code).toBe('E_CAPTURE_LIVE');
    expect(d.message).toBe('cannot capture on ifb0: That device is not up');
  });
  it('multi-line messages become one line', () => {
    expect(classifyLiveError('x', '', 'a\n  b\r\nc').message).toBe('cannot capture on x: a b c');
  });
});

describe.skipIf(!IS_ROOT)('LiveCapture on lo (root)', () => {
  it('captures UDP datagrams to 127.0.0.1:45999 with sane timestamps, frames and stats', async () => {
    const got: Got[] = [];
    const cap = LiveCapture.open(
      { iface: 'lo', filter: `udp port ${PORT}`, snaplen: 65535, bufferSizeBytes: 2 << 20, promiscuous: false, bufferTimeoutMs: 10 },
      (buf, start, capLen, origLen, tsUs, linkType, frame) => {
        // lo is Ethernet on Linux: 14-byte header, IPv4 (20 bytes, no options), UDP
        got.push({
          frame, tsUs, capLen, origLen, linkType,
          dstPort: buf.readUInt16BE(start + 14 + 20 + 2),
          text: buf.toString('latin1', start + 42, start + capLen),
        });
      },
    );
    expect(cap.linkType).toBe(1);
    const sock = dgram.createSocket('udp4');
    const t0 = Date.now() * 1000;
    for (let i = 1; i <= 5; i++) await send(sock, `sigprobe-live-${i}`);
    expect(await until(() => got.length >= 5, 5000)).toBe(true);
    const t1 = Date.now() * 1000;
    expect(got.map((g) => g.text)).toEqual([1, 2, 3, 4, 5].map((i) => `sigprobe-live-${i}`));
    expect(got.map((g) => g.frame)).toEqual([1, 2, 3, 4, 5]);
    for (const g of got) {
      expect(g.linkType).toBe(1);
      expect(g.dstPort).toBe(PORT);
      expect(g.capLen).toBe(42 + g.text.length);
      expect(g.origLen).toBe(g.capLen);
      expect(Number.isInteger(g.tsUs)).toBe(true);
      expect(g.tsUs).toBeGreaterThanOrEqual(t0 - 1000); // µs; clocks may differ by scheduling only
      expect(g.tsUs).toBeLessThanOrEqual(t1 + 1000);
    }
    for (let i = 1; i < got.length; i++) expect(got[i].tsUs).toBeGreaterThanOrEqual(got[i - 1].tsUs);
    const st = cap.stats();
    expect(st.received).toBeGreaterThanOrEqual(5);
    expect(st.dropped).toBe(0);
    expect(st.ifDropped).toBe(0);

    cap.close();
    const closedStats = cap.stats(); // the values read by close(), no native call
    expect(closedStats.received).toBeGreaterThanOrEqual(st.received);
    // node_pcap releases the handle when libpcap next returns: the next packet does it
    await send(sock, 'after-close');
    expect(await until(() => cap.released, 5000)).toBe(true);
    expect(got.length).toBe(5); // nothing delivered after close()
    cap.close(); // idempotent
    expect(cap.stats()).toEqual(closedStats); // still answers once the handle is gone
    sock.close();
  });

  it('an interface removed during the capture: onError(E_CAPTURE_LIVE), once', async () => {
    const a = `spv${process.pid % 100000}a`;
    const b = `spv${process.pid % 100000}b`;
    const ip = (args: string): number => spawnSync('ip', args.split(' '), { encoding: 'utf8' }).status ?? -1;
    if (ip(`link add ${a} type veth peer name ${b}`) !== 0) return; // no CAP_NET_ADMIN / veth: nothing to test
    try {
      expect(ip(`link set ${a} up`)).toBe(0);
      expect(ip(`link set ${b} up`)).toBe(0);
      const errors: CaptureError[] = [];
      const cap = LiveCapture.open(
        { iface: a, filter: '', snaplen: 256, bufferSizeBytes: 1 << 20, bufferTimeoutMs: 10, onError: (e) => errors.push(e) },
        () => undefined,
      );
      expect(cap.linkType).toBe(1);
      expect(cap.warnings).toEqual([`${a}: no IPv4 address assigned`]); // libpcap's, not printed
      await sleep(50);
      expect(ip(`link del ${a}`)).toBe(0);
      expect(await until(() => errors.length > 0, 5000)).toBe(true);
      await sleep(100);
      expect(errors.length).toBe(1);
      expect(errors[0].code).toBe('E_CAPTURE_LIVE');
      expect(errors[0].message).toBe(`live capture on ${a} failed: libpcap read error (interface removed or down?)`);
      cap.close();
    } finally {
      ip(`link del ${a}`);
    }
  });

  it('a nonexistent interface: E_NO_DEVICE naming it and listing the available ones', () => {
    let err: unknown;
    try {
      LiveCapture.open({ iface: 'sigprobe-nx0', filter: '', snaplen: 65535, bufferSizeBytes: 1 << 20 }, () => undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as CaptureError).code).toBe('E_NO_DEVICE');
    expect((err as CaptureError).message).toMatch(/^capture interface sigprobe-nx0 does not exist \(No such device exists\); available: .*\blo\b/);
  });

  it('a bad filter: E_CAPTURE_LIVE naming the filter', () => {
    expect(() => LiveCapture.open({ iface: 'lo', filter: 'udp port', snaplen: 65535, bufferSizeBytes: 1 << 20 }, () => undefined))
      .toThrow(expect.objectContaining({ code: 'E_CAPTURE_LIVE', message: "bad capture filter 'udp port' on lo: can't parse filter expression: syntax error" }));
  });

  it('no interface given: E_NO_DEVICE', () => {
    expect(() => LiveCapture.open({ iface: '', filter: '', snaplen: 65535, bufferSizeBytes: 1 << 20 }, () => undefined))
      .toThrow(expect.objectContaining({ code: 'E_NO_DEVICE' }));
  });

  it('an interface of an undecoded link type (nflog, DLT 239): E_LINKTYPE', () => {
    expect(() => LiveCapture.open({ iface: 'nflog', filter: '', snaplen: 65535, bufferSizeBytes: 1 << 20 }, () => undefined))
      .toThrow(expect.objectContaining({ code: 'E_LINKTYPE', message: expect.stringMatching(/^interface nflog has link type 239, which sigprobe does not decode \(supported: ETHERNET\(1\)/) }));
  });

  it('without CAP_NET_RAW libpcap says "socket: Operation not permitted" → E_CAPTURE_PERMISSION', () => {
    // a child process as user nobody opens lo through node_pcap directly
    const script = `const p = require(${JSON.stringify(require.resolve('pcap'))}); p.warningHandler = () => {};
      try { p.createSession('lo', { filter: '', buffer_size: 1 << 20, snap_length: 100, promiscuous: false }); console.log('OPENED'); }
      catch (e) { console.log(e.message); } process.exit(0);`;
    const r = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 10000 });
    const msg = r.stdout.trim();
    expect(msg).toBe('socket: Operation not permitted');
    expect(classifyLiveError('lo', '', msg).code).toBe('E_CAPTURE_PERMISSION');
  });
});
