import { PcapReader } from '../../src/capture/pcapReader';
import { IdentityProtector } from '../../src/correlate/identities';
import type { DialogueRecord } from '../../src/correlate/record';
import { Pipeline, type PipelineOptions } from '../../src/dispatch/pipeline';
import type { OracleRow } from './oracle';

/** Replays capture files through a fresh pipeline (raw identities unless `ids` says otherwise) and returns the records. */
export function replayRecords(
  files: string[],
  opts: Partial<PipelineOptions> = {},
  ids: IdentityProtector = new IdentityProtector('raw', null),
): { records: DialogueRecord[]; pipeline: Pipeline } {
  const records: DialogueRecord[] = [];
  const p = new Pipeline({ write: (r) => records.push(r) }, ids, { site: 'test', ...opts });
  const onPacket = p.onPacket.bind(p);
  for (const f of files) {
    const r = PcapReader.open(f);
    p.setSource(f);
    while (r.read(onPacket, 65536) > 0) {
      /* stream */
    }
    r.close();
  }
  p.finish('capture_end');
  return { records, pipeline: p };
}

/** Our records in the oracle's --jsonl shape (TCAP only: map / cap, Begin seen, not unidirectional). */
export function asOracleRows(records: DialogueRecord[], protocols: string[]): OracleRow[] {
  return records
    .filter((r) => protocols.includes(r.protocol) && !r.orphan && r.endReason !== 'unidirectional' && r.reqFrame !== null)
    .map((r) => ({
      protocol: r.protocol,
      req_frame: r.reqFrame as number,
      rsp_frame: r.rspFrame,
      opcode: r.opcode,
      // The oracle has no 'reject': a Reject of the first invoke is its 'error' with no code.
      status: r.status === 'reject' ? 'error' : r.status,
      result_code: r.resultCode,
      imsi: r.imsi,
      latency_us: r.latencyUs,
    }))
    .sort((a, b) => a.req_frame - b.req_frame || (a.rsp_frame ?? 0) - (b.rsp_frame ?? 0));
}
