import { describe, expect, it } from 'vitest';
import { decodeSctpHeader, MAX_SCTP_CHUNKS, nextSctpChunk, SCTP_ANOMALY_NAMES, SctpAnomaly } from '../../src/net/sctp';
import { createSctpChunkView, createSctpHeaderView, SctpChunkView } from '../../src/net/types';
import { capture, chunk, dataChunk, hex, idataChunk, Prng, sctp } from './packets';

const hdr = createSctpHeaderView();
const c = createSctpChunkView();

/** Walks all chunks; returns [type, code] pairs and a snapshot of DATA-ish views. */
function walk(buf: Buffer, start = 0, end = buf.length): { codes: number[]; chunks: SctpChunkView[]; header: number } {
  const header = decodeSctpHeader(buf, start, end, hdr);
  const codes: number[] = [];
  const chunks: SctpChunkView[] = [];
  if (header !== SctpAnomaly.Ok) return { codes, chunks, header };
  while (hdr.next < hdr.end) {
    codes.push(nextSctpChunk(buf, hdr, c));
    chunks.push({ ...c });
  }
  return { codes, chunks, header };
}

describe('SCTP common header and chunk walker: annotated vectors', () => {
  it('zeek/sctp.pcap frame 1: INIT (checked against tshark -V)', () => {
    const p = hex(
      '0007 0007', // source port 7, destination port 7
      '00000000', //  Verification Tag 0 (INIT)
      '3761a746', //  checksum (not verified)
      '01', '00', '0020', // INIT, flags 0, Chunk Length 32
      '43232544', //  Initiate Tag
      '0000ffff', //  a_rwnd 65535
      '0011 0011', // outbound streams 17, inbound streams 17
      '5cfe379f', //  Initial TSN 1560164255
      'c000 0004', // Forward-TSN-Supported parameter
      '000c 0006 0005 0000', // Supported Address Types (IPv4) + padding
    );
    const { codes, chunks, header } = walk(p);
    expect(header).toBe(SctpAnomaly.Ok);
    expect([hdr.srcPort, hdr.dstPort, hdr.vtag, hdr.checksum]).toEqual([7, 7, 0, 0x3761a746]);
    expect(codes).toEqual([SctpAnomaly.Ok]);
    expect(chunks[0]).toMatchObject({ type: 1, flags: 0, length: 32, start: 12, initiateTag: 0x43232544, initialTsn: 1560164255 });
  });

  it('zeek/sctp.pcap frame 6: SACK + 2 DATA bundled (tshark: TSN 13844 SID 0, TSN 13845 SID 1, U B E)', () => {
    const r = capture('zeek/sctp.pcap')[5];
    const s = 14 + 20; // Ethernet + IPv4
    expect(r.data.subarray(s + 12, s + 28)).toEqual(
      hex(
        '03', '00', '0010', // SACK, Chunk Length 16
        '5cfe37a0', //         Cumulative TSN Ack 1560164256
        '00001000', //         a_rwnd 4096
        '0000 0000', //        gap blocks 0, duplicate TSNs 0
      ),
    );
    expect(r.data.subarray(s + 28, s + 44)).toEqual(
      hex(
        '00', '07', '0210', // DATA, flags U|B|E, Chunk Length 528
        '00003614', //         TSN 13844
        '0000', '0000', //     Stream Identifier 0, SSN 0
        '00000000', //         PPID 0
      ),
    );
    const { codes, chunks } = walk(r.data, s, r.data.length);
    expect(hdr.vtag).toBe(0x43232544);
    expect(codes).toEqual([0, 0, 0]);
    expect(chunks.map((x) => x.type)).toEqual([3, 0, 0]);
    expect(chunks[1]).toMatchObject({ tsn: 13844, streamId: 0, ssn: 0, ppid: 0, unordered: true, beginning: true, ending: true, length: 528 });
    expect(chunks[1].payloadEnd - chunks[1].payloadStart).toBe(512);
    expect(chunks[2]).toMatchObject({ tsn: 13845, streamId: 1, start: chunks[1].start + 528 });
    expect(chunks[2].payloadEnd).toBe(r.data.length);
  });

  it('I-DATA (tcpdump/sctp-i-data.pcap frame 5: TSN 2906273895, SID 0, MID 0, B, PPID 0)', () => {
    const r = capture('tcpdump/sctp-i-data.pcap')[4];
    const s = 14 + 20 + 12;
    expect(r.data.subarray(s, s + 20)).toEqual(
      hex(
        '40', '02', '05bc', // I-DATA, flags B, Chunk Length 1468
        'ad3a3867', //         TSN 2906273895
        '0000', '0000', //     Stream Identifier 0, reserved
        '00000000', //         MID 0
        '00000000', //         PPID 0 (B set)
      ),
    );
    const { codes, chunks } = walk(r.data, 34, r.data.length);
    expect(codes).toEqual([0]);
    expect(chunks[0]).toMatchObject({ type: 64, tsn: 2906273895, streamId: 0, mid: 0, fsn: 0, ppid: 0, ssn: -1, beginning: true, ending: false });
    expect(chunks[0].payloadEnd - chunks[0].payloadStart).toBe(1448);
  });

  it('I-DATA middle fragment: the 4th word is the FSN', () => {
    const p = sctp(1, 2, 3, [idataChunk(hex('abcdef'), { tsn: 9, sid: 4, mid: 77, ppidOrFsn: 5, flags: 0x04 /* U */ })]);
    const { codes, chunks } = walk(p);
    expect(codes).toEqual([0]);
    expect(chunks[0]).toMatchObject({ tsn: 9, streamId: 4, mid: 77, fsn: 5, ppid: 0, unordered: true, beginning: false, ending: false });
    expect(chunks[0].payloadEnd - chunks[0].payloadStart).toBe(3);
  });

  it('PAD chunk (tcpdump/sctp-pad.pcap frame 17: HEARTBEAT 60 + PAD 1128)', () => {
    const r = capture('tcpdump/sctp-pad.pcap')[16];
    const { codes, chunks } = walk(r.data, 34, r.data.length);
    expect(codes).toEqual([0, 0]);
    expect(chunks.map((x) => [x.type, x.length])).toEqual([[4, 60], [132, 1128]]);
    expect(hdr.next).toBe(r.data.length);
  });

  it('4-octet padding between chunks; missing padding after the last chunk tolerated', () => {
    const p = sctp(1, 2, 3, [dataChunk(hex('aabbcc'), { tsn: 1 }), dataChunk(hex('dd'), { tsn: 2 })]);
    expect(p.length).toBe(12 + 20 + 20);
    const { codes, chunks } = walk(p, 0, p.length - 3); // the last 3 padding octets not captured
    expect(codes).toEqual([0, 0]);
    expect(chunks[1]).toMatchObject({ tsn: 2, start: 32, length: 17 });
    expect(hdr.next).toBe(p.length - 3);
  });
});

describe('SCTP anomalies', () => {
  it('header: truncated, no chunks', () => {
    expect(decodeSctpHeader(hex('0001 0002 00000000 000000'), 0, 11, hdr)).toBe(SctpAnomaly.Truncated);
    expect(decodeSctpHeader(hex('0001 0002 00000000 00000000'), 0, 12, hdr)).toBe(SctpAnomaly.NoChunks);
    expect(SCTP_ANOMALY_NAMES[SctpAnomaly.NoChunks]).toBe('no_chunks');
  });

  it('chunk length < 4 and past the end stop the walk', () => {
    expect(walk(sctp(1, 2, 3, [hex('0300 0002')])).codes).toEqual([SctpAnomaly.BadChunkLength]);
    expect(walk(sctp(1, 2, 3, [hex('0300 0020 00000000')])).codes).toEqual([SctpAnomaly.ChunkTruncated]);
    expect(walk(sctp(1, 2, 3, [hex('0300 0004'), hex('03')])).codes).toEqual([SctpAnomaly.Ok, SctpAnomaly.ChunkTruncated]);
  });

  it('type-specific short chunks are skipped, the walk goes on', () => {
    const p = sctp(1, 2, 3, [
      chunk(0, 3, hex('00000001 0000 0000')), // DATA of 12 octets (< 16)
      chunk(0, 3, hex('00000002 0000 0000 00000000')), // DATA without user data
      chunk(64, 3, hex('00000003 0000 0000 00000000')), // I-DATA of 16 octets (< 20)
      chunk(1, 0, hex('00000000')), // INIT of 8 octets (< 20)
      chunk(3, 0, hex('00000000 00000000 00000000')), // SACK fine
    ]);
    const { codes, chunks } = walk(p);
    expect(codes).toEqual([SctpAnomaly.BadChunkLength, SctpAnomaly.EmptyData, SctpAnomaly.BadChunkLength, SctpAnomaly.BadChunkLength, SctpAnomaly.Ok]);
    expect(chunks[4].type).toBe(3);
  });

  it(`more than ${MAX_SCTP_CHUNKS} chunks: too_many_chunks`, () => {
    const many = (n: number): Buffer => sctp(1, 2, 3, Array.from({ length: n }, () => hex('0c00 0004'))); // COOKIE ACK ×n
    expect(walk(many(MAX_SCTP_CHUNKS)).codes.every((x) => x === 0)).toBe(true);
    const { codes } = walk(many(MAX_SCTP_CHUNKS + 5));
    expect(codes.length).toBe(MAX_SCTP_CHUNKS + 1);
    expect(codes[MAX_SCTP_CHUNKS]).toBe(SctpAnomaly.TooManyChunks);
  });
});

describe('SCTP chunk walker: real captures', () => {
  function countChunks(rel: string): { byType: Map<number, number>; twoData: number } {
    const byType = new Map<number, number>();
    let twoData = 0;
    for (const r of capture(rel)) {
      const ihl = (r.data[14] & 15) * 4;
      const { codes, chunks } = walk(r.data, 14 + ihl, 14 + r.data.readUInt16BE(16));
      expect(codes.every((x) => x === 0)).toBe(true);
      let data = 0;
      for (const ch of chunks) {
        byType.set(ch.type, (byType.get(ch.type) ?? 0) + 1);
        if (ch.type === 0) data++;
      }
      if (data === 2) twoData++;
    }
    return { byType, twoData };
  }

  it('zeek/sctp.pcap: 120 DATA, 49 SACK, 51 packets with 2 DATA', () => {
    // tshark -T fields -e sctp.chunk_type: 120 × 0, 49 × 3, one each of 1 2 10 11; 51 frames with two DATA
    const { byType, twoData } = countChunks('zeek/sctp.pcap');
    expect(byType.get(0)).toBe(120);
    expect(byType.get(3)).toBe(49);
    expect(twoData).toBe(51);
  });

  it('tcpdump/sctp-pad.pcap: 8 PAD, 14 HEARTBEAT, 12 HEARTBEAT ACK', () => {
    // tshark: sctp.chunk_type 132 ×8, 4 ×14, 5 ×12
    const { byType } = countChunks('tcpdump/sctp-pad.pcap');
    expect([byType.get(132), byType.get(4), byType.get(5)]).toEqual([8, 14, 12]);
  });

  it('arkime/sctp-www.pcap: 35 DATA, 32 SACK', () => {
    // capture README / tshark: 35 DATA, 32 SACK
    const { byType } = countChunks('arkime/sctp-www.pcap');
    expect([byType.get(0), byType.get(3)]).toEqual([35, 32]);
  });
});

describe('SCTP chunk walker: robustness', () => {
  const sample = sctp(2905, 2905, 7, [
    dataChunk(hex('0100010100000008'), { tsn: 1, ppid: 3 }),
    idataChunk(hex('aa'), { tsn: 2, mid: 1, ppidOrFsn: 3, flags: 1 }),
    chunk(1, 0, hex('00000001 0000ffff 000a 000a 00000005')),
    hex('8400 0006 0000 0000'),
  ]);

  function check(buf: Buffer, start: number, end: number): void {
    const h = decodeSctpHeader(buf, start, end, hdr);
    if (h < 0 || h >= SCTP_ANOMALY_NAMES.length) throw new Error(`bad header code ${h}`);
    if (h !== 0) return;
    let n = 0;
    while (hdr.next < hdr.end) {
      const prev = hdr.next;
      const code = nextSctpChunk(buf, hdr, c);
      if (code < 0 || code >= SCTP_ANOMALY_NAMES.length) throw new Error(`bad chunk code ${code}`);
      if (hdr.next <= prev || hdr.next > end) throw new Error('walk does not advance or overruns');
      if (c.start < start || c.payloadStart < c.start || c.payloadEnd > end || c.payloadStart > c.payloadEnd) {
        throw new Error('chunk offsets out of range');
      }
      if (++n > MAX_SCTP_CHUNKS + 1) throw new Error('cap not enforced');
    }
  }

  it('truncation at every byte boundary: clean only at chunk ends', () => {
    // chunk ends: DATA 12..36, I-DATA 36..57 (+3 padding), INIT 60..80, PAD 80..86 (+2 padding)
    const clean = new Set([36, 57, 58, 59, 60, 80, 86, 87, 88]);
    expect(sample.length).toBe(88);
    for (let n = 0; n <= sample.length; n++) {
      check(sample, 0, n);
      const { codes, header } = walk(sample, 0, n);
      if (n < 12) expect(header).toBe(SctpAnomaly.Truncated);
      else if (n === 12) expect(header).toBe(SctpAnomaly.NoChunks);
      else expect(codes.every((x) => x === 0)).toBe(clean.has(n));
    }
  });

  it('fuzz: 120k random and mutated packets', () => {
    const rng = new Prng(0x5c);
    for (let i = 0; i < 120_000; i++) {
      const f = i & 1 ? rng.mutate(sample) : Buffer.concat([sample.subarray(0, 12), rng.bytes(rng.int(80))]);
      const pre = rng.int(3);
      const buf = Buffer.concat([Buffer.alloc(pre), f, Buffer.alloc(4, 0xee)]);
      check(buf, pre, pre + f.length);
    }
    expect(true).toBe(true);
  });
});
