import { z } from 'zod';

/**
 * The probe's configuration file (YAML). Every key is documented in config/sigprobe.reference.yaml;
 * unknown keys are errors (strict objects), so a typo never silently falls back to a default.
 */
const positiveInt = z.number().int().positive();

// ---- shipper and collector (src/ship, src/collector) ------------------------------------------

/** Queue / job names end up in Redis keys: BullMQ forbids ':' in them. */
const queueName = z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');

/** TLS towards Redis or PostgreSQL: PEM files (read at start), server name check on by default. */
const tlsSection = z
  .object({
    /** CA bundle that signed the server certificate (default: the system store). */
    caFile: z.string().min(1).optional(),
    /** Client certificate and key, when the server asks for one (mutual TLS). */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** Name checked against the server certificate (default: host). */
    servername: z.string().min(1).optional(),
    rejectUnauthorized: z.boolean().default(true),
  })
  .strict();

export const RedisSectionSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: positiveInt.max(65535).default(6379),
    db: z.number().int().min(0).default(0),
    /** Redis 6 ACL user (default: the "default" user). */
    username: z.string().min(1).optional(),
    /** Prefer passwordFile: the secret stays out of the config (mode 0600 file, one line). */
    password: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    /** Present: TLS (Redis 6+ tls-port, or a TLS proxy in front of Redis). */
    tls: tlsSection.optional(),
    connectTimeoutMs: positiveInt.default(10_000),
  })
  .strict();

/** BullMQ "keep jobs" limits: Redis memory stays bounded however long the system runs. */
const keepJobs = z
  .object({ count: z.number().int().min(0), ageSeconds: positiveInt.optional() })
  .strict();

export const ShipSectionSchema = z
  .object({
    /** Probe id in job ids and central rows (default: site). */
    probeId: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ - only').optional(),
    redis: RedisSectionSchema.default({}),
    queue: queueName.default('sigprobe'),
    batch: z
      .object({
        /** A batch is cut at this many records... */
        maxRecords: positiveInt.max(100_000).default(5000),
        /** ... or when its oldest record has waited this long (ms), whichever comes first. */
        maxAgeMs: positiveInt.default(1000),
        /** Payload compression: brotli (half gzip's CPU at level 1, smaller) or gzip (CRC-checked, zcat-able). */
        compression: z.enum(['gzip', 'brotli']).default('brotli'),
        /** 1 fastest ... 9 smallest (brotli: its quality). */
        level: z.number().int().min(1).max(9).default(1),
      })
      .strict()
      .default({}),
    /** Batches added to Redis without waiting for the previous acknowledgement (hides WAN latency). */
    inFlight: positiveInt.max(64).default(4),
    /** Backoff while Redis is unreachable: doubles from baseMs up to maxMs, with jitter. */
    retry: z
      .object({ baseMs: positiveInt.default(500), maxMs: positiveInt.default(30_000) })
      .strict()
      .default({}),
    /** Queue hygiene, set on every job: completed / failed jobs kept in Redis at most. */
    removeOnComplete: keepJobs.default({ count: 1000, ageSeconds: 3600 }),
    removeOnFail: keepJobs.default({ count: 10_000, ageSeconds: 7 * 86400 }),
    retention: z
      .object({
        /** Shipped records older than this (record time) are deleted. Unshipped ones never are for age. */
        maxAgeHours: z.number().positive().default(72),
        /** Spool size (pages in use) above which the oldest records are deleted: shipped first,
         *  then - counted and logged as errors - unshipped ones. */
        maxBytes: positiveInt.default(20 * 1024 ** 3),
        intervalSeconds: positiveInt.default(60),
      })
      .strict()
      .default({}),
    /** A stats line (lag, counts) is logged this often. */
    statsIntervalSeconds: positiveInt.default(10),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** host:port of this daemon's Prometheus endpoint (GET /metrics); empty string: none. */
    metricsListen: z.string().default(''),
  })
  .strict();

export const CollectorSectionSchema = z
  .object({
    redis: RedisSectionSchema.default({}),
    queue: queueName.default('sigprobe'),
    postgres: z
      .object({
        /** libpq-style URL; the password may come from passwordFile instead. */
        url: z.string().min(1).default('postgres://sigprobe@127.0.0.1:5432/sigprobe'),
        passwordFile: z.string().min(1).optional(),
        tls: tlsSection.optional(),
        /** Schema that holds the central tables (created by the migrations). */
        schema: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'lower-case identifier').default('sigprobe'),
      })
      .strict()
      .default({}),
    /** Batches stored in parallel by this process (one PostgreSQL connection each). */
    concurrency: positiveInt.max(64).default(2),
    /** A batch whose worker died is given to another after lockDurationMs (checked every stalledIntervalMs). */
    lockDurationMs: positiveInt.default(30_000),
    stalledIntervalMs: positiveInt.default(30_000),
    maxStalledCount: positiveInt.default(20),
    /** Retry of a batch that failed for a transient reason (PostgreSQL down...): capped backoff with jitter. */
    retry: z
      .object({ baseMs: positiveInt.default(1000), maxMs: positiveInt.default(60_000) })
      .strict()
      .default({}),
    /** Raw day partitions older than this are dropped (0: keep everything); the rollups stay (raw_dropped_days). */
    retentionDays: z.number().int().min(0).default(0),
    /** Maintain the rollups (hourly dialogues/tunnels, device_day) in each batch's transaction (src/collector/rollups.ts). */
    rollups: z.boolean().default(true),
    statsIntervalSeconds: positiveInt.default(10),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** host:port of this daemon's Prometheus endpoint (GET /metrics); empty string: none. */
    metricsListen: z.string().default(''),
  })
  .strict();

/** `sigprobe collect --config`: a central-site file needs only `collector` (other sections are ignored). */
export const CollectorFileSchema = z.object({ collector: CollectorSectionSchema }).passthrough();
export type CollectorConfig = z.infer<typeof CollectorSectionSchema>;
export type ShipConfig = z.infer<typeof ShipSectionSchema>;
export type RedisConfig = z.infer<typeof RedisSectionSchema>;
export type TlsConfig = z.infer<typeof tlsSection>;

// -----------------------------------------------------------------------------------------------

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
        /** worker threads that correlate (src/dispatch/shard.ts); 1 = the capture thread does everything */
        workers: positiveInt.max(64).default(1),
        promiscuous: z.boolean().default(true),
        /** Rolling store of the captured packets (src/capture/packetRing.ts) for `trace --pcap`; absent: off. */
        packetRing: z
          .object({
            /** default: packet-ring next to the spool; files go to <dir>/<site>/<interface>/ */
            dir: z.string().min(1).optional(),
            /** whole ring (pcapng + index files) at most; the oldest files are deleted beyond it */
            maxBytes: positiveInt.default(1024 ** 3),
            /** files whose last packet is older than this are deleted */
            maxAgeSeconds: positiveInt.default(3600),
            /** a ring file is closed and a new one started at this size (or a quarter of maxAgeSeconds) */
            fileBytes: positiveInt.min(65536).default(64 * 1024 ** 2),
          })
          .strict()
          .optional(),
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
        gtp: z
          .object({
            /** Pending GTP-C requests at most (least recently active closed as evicted beyond it). */
            maxPending: positiveInt.default(200_000),
            /** A GTP-C request unanswered this long is closed as timeout (T3-RESPONSE × N3-REQUESTS). */
            timeoutSeconds: z.number().positive().default(20),
            /** Active tunnels (PDP contexts / PDN connections) at most. */
            maxTunnels: positiveInt.default(1_000_000),
            /** A tunnel with no control message for this long is closed (end_reason idle_timeout). */
            tunnelIdleTimeoutHours: z.number().positive().default(24),
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
    /** Diameter (RFC 6733): TCP ports besides 3868 (SCTP is found by PPID 46/47, port 3868, heuristic). */
    diameter: z
      .object({
        tcpPorts: z.array(positiveInt.max(65535)).default([]),
        /** Pending requests at most (least recently active evicted as timeout) and the answer timeout. */
        maxPending: positiveInt.default(500_000),
        timeoutSeconds: z.number().positive().default(60),
      })
      .strict()
      .default({}),
    /** TCP stream reassembly (Diameter over TCP). */
    tcp: z
      .object({
        maxConnections: positiveInt.default(16_384),
        maxBufferedBytesPerDirection: positiveInt.default(1024 * 1024),
        maxTotalBytes: positiveInt.default(256 * 1024 * 1024),
        idleTimeoutSeconds: z.number().positive().default(600),
      })
      .strict()
      .default({}),
    /** GTP (TS 29.060 / 29.274 / 29.281) UDP ports besides the IANA ones (2123, 2152, 3386). */
    gtp: z
      .object({
        /** Extra GTP-C ports (GTPv1-C and GTPv2-C). */
        controlPorts: z.array(positiveInt.max(65535)).default([]),
        /** Extra GTP-U ports (Echo / Error Indication decoded, G-PDUs counted). */
        userPorts: z.array(positiveInt.max(65535)).default([]),
      })
      .strict()
      .default({}),
    /**
     * Operators of the site (config/networks.yaml format: GT prefixes, Diameter realms, PLMN ids →
     * operator name): `visited_operator`, and `visited_mcc` / `visited_mnc` of MAP records.
     * Without it, countries still come from the built-in E.164 / E.212 tables.
     */
    networks: z
      .object({ file: z.string().min(1) })
      .strict()
      .optional(),
    /** `sigprobe serve`: the read-only web UI (src/serve). */
    serve: z
      .object({
        /** host:port; default 127.0.0.1:8080 (--listen overrides) */
        listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'host:port').optional(),
        /** HTTP basic auth: one user, its password in a file (one line, mode 0600) */
        auth: z.object({ user: z.string().min(1).regex(/^[^:]+$/, 'no colon'), passwordFile: z.string().min(1) }).strict().optional(),
        /** HTTPS with these PEM files */
        tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).strict().optional(),
      })
      .strict()
      .optional(),
    /** `sigprobe ship`: spool → Redis (BullMQ). */
    ship: ShipSectionSchema.optional(),
    /** `sigprobe collect`: Redis → PostgreSQL (usually in a central-site file of its own). */
    collector: CollectorSectionSchema.optional(),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
