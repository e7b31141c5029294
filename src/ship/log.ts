/** The shipper and the collector log through the shared structured logger (src/metrics/log.ts). */
export { createLogger, silentLogger, type Logger, type LogLevel, type LogFields, type LogSink } from '../metrics/log';
