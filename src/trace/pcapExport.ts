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

/** The frames of one dialogue that the spool knows: its request and its final answer. */
export function framesOf(r: TraceRecord): number[] {
  const out: number[] = [];
  for (const f of [r.row.req_frame, r.row.rsp_frame]) if (typeof f === 'number' && f > 0 && !out.includes(f)) out.push(f);
  return out;
}

export function exportPcap(records: readonly TraceRecord[], outFile: string, dirs: readonly string[]): ExportResult {
  const warnings: string[] = [];
  // source → frame → packet
  const bySource = new Map<string, Map<number, Wanted>>();
  const pathOf = new Map<string, string | null>();
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
      warnings.push(`${src}: capture file not found (searched ${dirs.join(', ')}): packets of ${String(r.row.procedure)} frame ${frames.join('/')} not exported`);
      continue;
    }
    let m = bySource.get(src);
    if (!m) bySource.set(src, (m = new Map()));
    for (const f of frames) if (!m.has(f)) m.set(f, { frame: f, ts: 0, linkType: 0, origLen: 0, data: null });
  }
  const all: { src: string; w: Wanted }[] = [];
  for (const [src, m] of bySource) {
    const path = pathOf.get(src) as string;
    const max = Math.max(...m.keys());
    const rd = PcapReader.open(path);
    try {
      let done = false;
      const on = (buf: Buffer, start: number, capLen: number, origLen: number, tsUs: number, linkType: number, frame: number) => {
        if (frame >= max) done = true;
        const w = m.get(frame);
        if (w === undefined) return;
        w.data = Buffer.from(buf.subarray(start, start + capLen));
        w.ts = tsUs;
        w.linkType = linkType;
        w.origLen = origLen;
      };
      while (!done && rd.read(on, 65536) > 0) {
        /* stream until the last wanted frame */
      }
    } finally {
      rd.close();
    }
    for (const w of m.values()) {
      if (w.data === null) warnings.push(`${src}: frame ${w.frame} is not in ${path} (file shorter than the spool says: replaced or cut?)`);
      else all.push({ src, w });
    }
  }
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
