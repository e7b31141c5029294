import { z } from 'zod';

/**
 * The probe's configuration file (YAML). Every key is documented in config/sigprobe.reference.yaml;
 * unknown keys are errors (strict objects), so a typo never silently falls back to a default.
 */
const positiveInt = z.number().int().positive();

export const ConfigSchema = z
  .object({
    /** Site id written into every record (e.g. mia1, mad1, fra1). */
    site: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
    spool: z
      .object({
        path: z.string().min(1),
        batchSize: positiveInt.default(2000),
        /** Live mode: flush buffered records at least this often (ms). */
        flushIntervalMs: positiveInt.default(1000),
      })
      .strict(),
    privacy: z
      .object({
        identities: z.enum(['raw', 'pseudonymize', 'drop']).default('pseudonymize'),
        /** Key file for HMAC pseudonymization; created (0600) on first use when missing. */
        keyFile: z.string().min(1).optional(),
      })
      .strict()
      .default({ identities: 'pseudonymize' }),
    capture: z
      .object({
        interface: z.string().min(1),
        /** BPF filter; "auto" derives it from the dispatch registrations. */
        filter: z.string().default('auto'),
        snaplen: positiveInt.max(262144).default(65535),
        bufferMiB: positiveInt.max(4096).default(64),
        promiscuous: z.boolean().default(true),
      })
      .strict()
      .optional(),
    metrics: z
      .object({
        /** host:port of the Prometheus endpoint (GET /metrics, /healthz) of `sigprobe run`; port 0 = any free port. */
        listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'host:port').default('127.0.0.1:9464'),
        enabled: z.boolean().default(true),
      })
      .strict()
      .default({}),
    debug: z
      .object({
        /** Packets that raise decode anomalies are written here (pcap), rate-limited. */
        anomalyPcap: z.string().min(1).optional(),
        anomalyPcapPerSecond: positiveInt.default(10),
        anomalyPcapMaxPackets: positiveInt.default(10000),
      })
      .strict()
      .default({}),
    limits: z
      .object({
        tcap: z
          .object({ maxPending: positiveInt.default(500_000), idleTimeoutSeconds: z.number().positive().default(60) })
          .strict()
          .default({}),
        xudt: z
          .object({
            maxMessages: positiveInt.default(4096),
            maxBytes: positiveInt.default(16 * 1024 * 1024),
            timeoutSeconds: z.number().positive().default(10),
          })
          .strict()
          .default({}),
        ipReassembly: z
          .object({
            maxDatagrams: positiveInt.default(4096),
            maxBytes: positiveInt.default(64 * 1024 * 1024),
            timeoutSeconds: z.number().positive().default(30),
          })
          .strict()
          .default({}),
        sctp: z
          .object({
            maxAssociations: positiveInt.default(65536),
            maxPendingBytes: positiveInt.default(64 * 1024 * 1024),
            maxMessageBytes: positiveInt.default(256 * 1024),
            timeoutSeconds: z.number().positive().default(120),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
