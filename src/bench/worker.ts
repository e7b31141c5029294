// Child-process entry of the in-process measurements: `node worker.js <step> <json params>`
// runs one function of measure.ts and prints its result as JSON on stdout.
import { measureDecode, measureFraming, measurePending } from './measure';
import type { IdentityRun } from './measure';
import type { TcapLimits } from '../correlate/tcapDialogues';

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
    default:
      throw new Error(`unknown bench step '${step}'`);
  }
}

process.stdout.write(JSON.stringify(run(process.argv[2] ?? '', process.argv[3] ?? '{}')) + '\n');
