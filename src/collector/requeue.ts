/**
 * Re-queues batches from failed_batches once their cause is fixed (a partition created by hand,
 * a column or a setting changed at the central PostgreSQL...): each goes back on the queue with
 * its whole job data under the job id `<job id>.r<failures>`, and its row is marked
 * (requeued_at, requeued_as) so that a second run adds nothing twice. Records already stored are
 * skipped by the store (idempotent); a batch that fails again is recorded again under its new id.
 * Batches whose data can never be a batch (not even a header) are reported and left alone.
 */
import type { Queue } from 'bullmq';
import { escapeIdentifier, type Pool } from 'pg';
import { batchJobOptions, validateBatch } from '../ship/batch';
import { COLLECTOR_REMOVE_ON_COMPLETE, COLLECTOR_REMOVE_ON_FAIL } from './collector';

export interface RequeueResult {
  /** batches added again: [old job id, new job id, records] */
  requeued: [string, string, number][];
  /** batches left alone: [job id, why] */
  skipped: [string, string][];
}

/** Re-queues failed batch `which` (a job id), or every one not re-queued yet (`all`). */
export async function requeueFailed(pool: Pool, schema: string, queue: Pick<Queue, 'add'>, which: string): Promise<RequeueResult> {
  const s = escapeIdentifier(schema);
  const rows = (
    await pool.query(
      `SELECT job_id, failures, tbl, records, job_data FROM ${s}.failed_batches WHERE requeued_at IS NULL AND ($1 = 'all' OR job_id = $1) ORDER BY first_failed_at, job_id`,
      [which],
    )
  ).rows as { job_id: string; failures: number; tbl: string | null; records: string | null; job_data: string }[];
  const out: RequeueResult = { requeued: [], skipped: [] };
  for (const r of rows) {
    let data: unknown;
    try {
      data = JSON.parse(r.job_data);
    } catch {
      data = null;
    }
    const why = validateBatch(data);
    if (why) {
      out.skipped.push([r.job_id, why]);
      continue;
    }
    const newId = `${r.job_id}.r${r.failures}`;
    await queue.add(r.tbl ?? 'dialogues', data, { ...batchJobOptions(COLLECTOR_REMOVE_ON_COMPLETE, COLLECTOR_REMOVE_ON_FAIL), jobId: newId });
    await pool.query(`UPDATE ${s}.failed_batches SET requeued_at = now(), requeued_as = $2 WHERE job_id = $1`, [r.job_id, newId]);
    out.requeued.push([r.job_id, newId, Number(r.records ?? 0)]);
  }
  return out;
}
