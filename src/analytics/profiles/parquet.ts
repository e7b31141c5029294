// features.parquet next to features.csv (issue 14): the same table — `device` (STRING, required)
// then every feature (DOUBLE, optional: NA = null) — written with hyparquet-writer (maintained,
// pure JavaScript, no native build, no dependencies) row group by row group as the devices stream,
// so memory holds one row group (PARQUET_ROW_GROUP devices), not the period.
// The CSV keeps 10 significant digits; Parquet keeps the full double.
import { FEATURE_NAMES, FeatureVector } from './features';

/** devices per row group (one group = ~140 columns × this many doubles in memory) */
export const PARQUET_ROW_GROUP = 50_000;

// hyparquet-writer is an ES module; this CommonJS build loads it with a real dynamic import()
// (TypeScript's commonjs output would turn `import()` into require(), which cannot load it on Node 20).
const esmImport = new Function('s', 'return import(s)') as (s: string) => Promise<unknown>;

interface Writer {
  finish(): void;
}
interface ParquetWriterLike {
  write(o: { columnData: unknown[]; rowGroupSize?: number }): void | Promise<void>;
  finish(): void;
}
interface HyparquetWriterModule {
  ParquetWriter: new (o: { writer: Writer; schema: unknown[]; codec?: string; createdBy?: string }) => ParquetWriterLike;
  fileWriter(filename: string): Writer;
  schemaFromColumnData(o: { columnData: unknown[] }): unknown[];
}

export class FeaturesParquet {
  private devices: string[] = [];
  private cols: (number | null)[][] = FEATURE_NAMES.map(() => []);
  rows = 0;

  private constructor(private readonly w: ParquetWriterLike) {}

  static async open(path: string): Promise<FeaturesParquet> {
    const m = (await esmImport('hyparquet-writer')) as HyparquetWriterModule;
    const schema = m.schemaFromColumnData({ columnData: columnData([], FEATURE_NAMES.map(() => [])) });
    return new FeaturesParquet(new m.ParquetWriter({ writer: m.fileWriter(path), schema, codec: 'SNAPPY', createdBy: 'sigprobe devices' }));
  }

  async add(device: string, f: FeatureVector): Promise<void> {
    this.devices.push(device);
    for (let j = 0; j < f.length; j++) {
      const v = f[j];
      this.cols[j].push(v !== null && Number.isFinite(v) ? v : null);
    }
    this.rows++;
    if (this.devices.length >= PARQUET_ROW_GROUP) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.devices.length === 0) return;
    await this.w.write({ columnData: columnData(this.devices, this.cols), rowGroupSize: this.devices.length });
    this.devices = [];
    this.cols = FEATURE_NAMES.map(() => []);
  }

  async close(): Promise<void> {
    await this.flush();
    this.w.finish();
  }
}

function columnData(devices: string[], cols: (number | null)[][]): unknown[] {
  return [
    { name: 'device', data: devices, type: 'STRING', nullable: false },
    ...FEATURE_NAMES.map((name, j) => ({ name, data: cols[j], type: 'DOUBLE', nullable: true })),
  ];
}
