/**
 * Worker thread of a sharded probe (src/dispatch/shard.ts): correlates the messages of its shard
 * (shardCore.ts) and sends the records back to the capture thread, which owns the spool writer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config/schema';
import { IdentityProtector, type IdentityMode } from '../../correlate/identities';
import type { DialogueRecord } from '../../correlate/record';
import { loadNetworks } from '../../correlate/networks';
import { pipelineOptions } from '../../cli/probe';
import { ShardCore } from './shardCore';
import type { ShardReply } from '../shard';

interface Data {
  index: number;
  cfg: Config;
  identities: IdentityMode;
  key: Uint8Array | null;
}

/** Records per reply message at most. */
const RECORDS_PER_REPLY = 2048;

const d = workerData as Data;
const port = parentPort;
if (port === null) throw new Error('shardWorker: not a worker thread');
let records: DialogueRecord[] = [];
let acks = 0;
const flush = (extra: Partial<ShardReply> = {}) => {
  const r: ShardReply = { acks, ...extra };
  if (records.length > 0) r.records = records;
  records = [];
  acks = 0;
  port.postMessage(r);
};
try {
  const ids = new IdentityProtector(d.identities, d.key === null ? null : Buffer.from(d.key));
  const networks = d.cfg.networks ? loadNetworks(d.cfg.networks.file) : null;
  const core = new ShardCore(
    {
      write: (r) => {
        records.push(r);
        if (records.length >= RECORDS_PER_REPLY) flush();
      },
    },
    ids,
    pipelineOptions(d.cfg, networks),
  );
  port.on('message', (batch: Uint8Array) => {
    try {
      core.onBatch(batch);
      acks++;
      if (core.finished) {
        flush({ stats: core.delta(), done: true });
        return;
      }
      if (core.ticked) {
        core.ticked = false;
        flush({ stats: core.delta() });
      } else {
        flush();
      }
    } catch (e) {
      port.postMessage({ acks, error: (e as Error).stack ?? String(e) } satisfies ShardReply);
    }
  });
} catch (e) {
  port.postMessage({ acks: 0, error: (e as Error).message } satisfies ShardReply);
}
