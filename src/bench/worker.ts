// Child-process entry of the in-process measurements: `node worker.js <step> <json params>`
// runs one function of measure.ts and prints its result as JSON on stdout.
import { measureDecode, measureFraming, measurePending } from './measure';
import type { IdentityRun } from './measure';
import type { TcapLimits } from '../correlate/tcapDialogues';
import { measureShipCollect, type ShipCollectParams } from './shipCollect';
import { measureSpoolScale, type SpoolScaleParams } from './spoolScale';

export interface FramingParams {
  path: string;
}
export interface DecodeParams {
  path: string;
  identities: IdentityRun;
}
export interface PendingParams {
  path: string;
  tcap: TcapLimits;
}

function run(step: string, params: string): unknown {
  switch (step) {
    case 'framing': {
      const p = JSON.parse(params) as FramingParams;
      return measureFraming(p.path);
    }
    case 'decode': {
      const p = JSON.parse(params) as DecodeParams;
      return measureDecode(p.path, p.identities);
    }
    case 'pending': {
      const p = JSON.parse(params) as PendingParams;
      return measurePending(p.path, p.tcap);
    }
    case 'spoolscale':
      return measureSpoolScale(JSON.parse(params) as SpoolScaleParams);
    case 'shipcollect':
      return measureShipCollect(JSON.parse(params) as ShipCollectParams);
    default:
      throw new Error(`unknown bench step '${step}'`);
  }
}

// ship+collect is asynchronous (servers, child daemons): every result goes through a promise.
Promise.resolve()
  .then(() => run(process.argv[2] ?? '', process.argv[3] ?? '{}'))
  .then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (e) => {
      process.stderr.write(`bench worker: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
