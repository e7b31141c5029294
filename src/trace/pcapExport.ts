/**
 * The packets of a trace as one pcapng file: the frames the traced dialogues reference
 * (`source` + `req_frame` / `rsp_frame`, 1-based packet ordinals of the capture file, the
 * number tshark shows as frame.number) read back from their capture files, written in time
 * order. pcapng (draft-ietf-opsawg-pcapng-02): one SHB, one IDB per link type met (§4.2), EPBs
 * (§4.3) with µs timestamps; a packet keeps its original length and captured bytes.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PcapReader } from '../capture/pcapReader';
import { PcapWriter } from '../capture/pcapWriter';
import type { TraceRecord } from './query';
import { findRingDir, ringExport, type RingRecord } from '../capture/packetRing';

export interface ExportResult {
  packets: number;
  /** one line per dialogue whose packets could not be written, and why */
  warnings: string[];
}

interface Wanted {
  frame: number;
  ts: number;
  linkType: number;
  origLen: number;
  data: Buffer | null;
}

/** The capture file named `source` in the first directory that holds it. */
export function findSource(source: string, dirs: readonly string[]): string | null {
  for (const d of dirs) {
    const p = resolve(d, source);
    try {
      if (existsSync(p) && statSync(p).isFile()) return p;
    } catch {
      /* unreadable: try the next */
    }
  }
  return null;
}

/**
 * The frames of one dialogue that the spool names: its request and its final answer
 * (exportPcap adds the others it finds while streaming: TCAP Continues, retransmitted copies).
 */
export function framesOf(r: TraceRecord): number[] {
  const out: number[] = [];
  for (const f of [r.row.req_frame, r.row.rsp_frame]) if (typeof f === 'number' && f > 0 && !out.includes(f)) out.push(f);
  return out;
}

/**
 * The frames of a dialogue that the spool does not name, found while the capture is streamed:
 * between its request and its final answer (or, unanswered, within TAIL_US after the request).
 *   TCAP (map / cap / tcap): every Continue of the dialogue — the Continue's OTID + DTID
 *     (Q.773 §3.1: `48 len otid 49 len dtid`, the two TIDs of the dialogue in either order, the
 *     Continue carrying the sender's TID first); e.g. the insertSubscriberData inside an
 *     updateLocation (TS 29.002 §19.1.1.1) and its result.
 *   any protocol with retransmissions > 0: the copies of the request (same length, same bytes
 *     after the first RETRANS_SKIP bytes, where the link and IP headers — IP id and checksum —
 *     may differ).
 */
interface Watcher {
  from: number;
  to: number;
  toUs: number;
  needles: Buffer[];
  retrans: boolean;
  req: Wanted | null;
  /** the dialogue's frames (the watcher adds those it finds) */
  mine: Set<Wanted>;
}

const TAIL_US = 60_000_000;
const RETRANS_SKIP = 42;

function tidBytes(hex: unknown): Buffer | null {
  return typeof hex === 'string' && /^([0-9a-f]{2}){1,4}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

function watcherOf(r: TraceRecord, req: Wanted | null, mine: Set<Wanted>): Watcher | null {
  const row = r.row;
  const reqF = typeof row.req_frame === 'number' ? row.req_frame : null;
  const rspF = typeof row.rsp_frame === 'number' ? row.rsp_frame : null;
  const needles: Buffer[] = [];
  const isTcap = row.protocol === 'map' || row.protocol === 'cap' || row.protocol === 'tcap';
  if (isTcap && typeof row.messages === 'number' && row.messages > (reqF !== null ? 1 : 0) + (rspF !== null ? 1 : 0)) {
    const a = tidBytes(row.otid);
    const b = tidBytes(row.dtid);
    if (a !== null && b !== null) {
      needles.push(Buffer.concat([Buffer.from([0x48, a.length]), a, Buffer.from([0x49, b.length]), b]));
      needles.push(Buffer.concat([Buffer.from([0x48, b.length]), b, Buffer.from([0x49, a.length]), a]));
    }
  }
  const retrans = typeof row.retransmissions === 'number' && row.retransmissions > 0 && req !== null;
  if (needles.length === 0 && !retrans) return null;
  const from = reqF ?? 0;
  const t0 = (row.req_time_us ?? row.rsp_time_us ?? 0) as number;
  return { from, to: rspF ?? Number.MAX_SAFE_INTEGER, toUs: rspF !== null ? Number.MAX_SAFE_INTEGER : t0 + TAIL_US, needles, retrans, req, mine };
}

export function exportPcap(records: readonly TraceRecord[], outFile: string, dirs: readonly string[]): ExportResult {
  const warnings: string[] = [];
  // source → frame → packet
  const bySource = new Map<string, Map<number, Wanted>>();
  const pathOf = new Map<string, string | null>();
  const watchers = new Map<string, Watcher[]>();
  const counted: { r: TraceRecord; frames: Set<Wanted> }[] = [];
  const ringRecs: RingRecord[] = []; // live records: their packets from the packet ring (src/capture/packetRing.ts)
  for (const r of records) {
    const src = r.row.source;
    const frames = framesOf(r);
    if (frames.length === 0) {
      warnings.push(`${src}: ${String(r.row.procedure)} at ${String(r.row.req_time_us ?? r.row.rsp_time_us)}: no frame numbers in the record (live capture): packets not available`);
      continue;
    }
    if (!pathOf.has(src)) pathOf.set(src, findSource(src, dirs));
    const p = pathOf.get(src);
    if (p === null) {
      const ring = findRingDir(String(r.row.site ?? ''), src, dirs);
      if (ring !== null) {
        ringRecs.push({ row: r.row, dir: ring });
        continue;
      }
      warnings.push(`${src}: capture file not found (searched ${dirs.join(', ')}): packets of ${String(r.row.procedure)} frame ${frames.join('/')} not exported`);
      continue;
    }
    let m = bySource.get(src);
    if (!m) bySource.set(src, (m = new Map()));
    const mine = new Set<Wanted>();
    for (const f of frames) {
      let w = m.get(f);
      if (w === undefined) m.set(f, (w = { frame: f, ts: 0, linkType: 0, origLen: 0, data: null }));
      mine.add(w);
    }
    const reqF = r.row.req_frame;
    const wa = watcherOf(r, typeof reqF === 'number' ? (m.get(reqF) ?? null) : null, mine);
    if (wa !== null) {
      let l = watchers.get(src);
      if (!l) watchers.set(src, (l = []));
      l.push(wa);
    }
    counted.push({ r, frames: mine });
  }
  const all: { src: string; w: Wanted }[] = [];
  for (const [src, m] of bySource) {
    const path = pathOf.get(src) as string;
    const max = Math.max(...m.keys());
    const ws = (watchers.get(src) ?? []).sort((a, b) => a.from - b.from);
    let next = 0;
    let active: Watcher[] = [];
    const rd = PcapReader.open(path);
    try {
      let done = false;
      const on = (buf: Buffer, start: number, capLen: number, origLen: number, tsUs: number, linkType: number, frame: number) => {
        let w = m.get(frame);
        if (next < ws.length || active.length > 0) {
          while (next < ws.length && ws[next].from < frame) active.push(ws[next++]);
          active = active.filter((a) => frame < a.to && tsUs <= a.toUs);
          if (w === undefined) {
            const pkt = buf.subarray(start, start + capLen);
            for (const a of active) {
              const hit =
                a.needles.some((n) => pkt.indexOf(n) >= 0) ||
                (a.retrans && a.req !== null && a.req.data !== null && a.req.data.length === capLen && capLen > RETRANS_SKIP &&
                  a.req.data.compare(pkt, RETRANS_SKIP, capLen, RETRANS_SKIP, capLen) === 0);
              if (hit) {
                if (w === undefined) m.set(frame, (w = { frame, ts: 0, linkType: 0, origLen: 0, data: null }));
                a.mine.add(w);
              }
            }
          }
        }
        if (frame >= max && next >= ws.length && active.length === 0) done = true;
        if (w === undefined || w.data !== null) return;
        w.data = Buffer.from(buf.subarray(start, start + capLen));
        w.ts = tsUs;
        w.linkType = linkType;
        w.origLen = origLen;
      };
      while (!done && rd.read(on, 65536) > 0) {
        /* stream until the last wanted frame and the last open dialogue */
      }
    } finally {
      rd.close();
    }
    for (const w of m.values()) {
      if (w.data === null) warnings.push(`${src}: frame ${w.frame} is not in ${path} (file shorter than the spool says: replaced or cut?)`);
      else all.push({ src, w });
    }
  }
  // A dialogue whose messages were not all found (segmented XUDT, a TID the needle misses): say so.
  for (const c of counted) {
    const want = c.r.row.messages;
    const got = [...c.frames].filter((w) => w.data !== null).length;
    if (typeof want === 'number' && got > 0 && got < want && c.r.row.orphan !== 1) {
      warnings.push(`${c.r.row.source}: ${String(c.r.row.procedure)} frame ${String(c.r.row.req_frame)}: ${got} of its ${want} messages found in the capture`);
    }
  }
  const rg = ringExport(ringRecs);
  for (const w of rg.packets) all.push({ src: w.src, w });
  warnings.push(...rg.warnings);
  all.sort((a, b) => a.w.ts - b.w.ts || a.src.localeCompare(b.src) || a.w.frame - b.w.frame);
  writePcapng(outFile, all.map((a) => a.w));
  return { packets: all.length, warnings };
}

/** The packets as pcapng (src/capture/pcapWriter.ts), one interface per link type met, µs times. */
function writePcapng(file: string, pkts: readonly Wanted[]): void {
  const w = PcapWriter.create(file, { linkType: null, format: 'pcapng' });
  try {
    const ifOf = new Map<number, number>();
    for (const p of pkts) {
      let id = ifOf.get(p.linkType);
      if (id === undefined) ifOf.set(p.linkType, (id = w.addInterface(p.linkType)));
      const data = p.data as Buffer;
      w.write(p.ts, data, 0, data.length, p.origLen, id);
    }
  } finally {
    w.close();
  }
}

export function captureDirs(explicit: readonly string[], spools: readonly string[]): string[] {
  const out: string[] = [];
  const add = (d: string) => {
    const r = resolve(d);
    if (!out.includes(r)) out.push(r);
  };
  for (const d of explicit) add(d);
  for (const s of spools) add(join(resolve(s), '..'));
  add(process.cwd());
  return out;
}
