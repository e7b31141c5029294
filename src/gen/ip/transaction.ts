// One request/answer exchange of an IP protocol (a Diameter request on one connection, a GTP-C
// request/response) as the truth file sees it: request frame (the packet completing the first
// copy of the request), response frame, outcome. Enters the truth queue when its request is
// written, is done when its answer is written (or at once when no answer will come).
import { TruthRecord, VisitedPlmn } from '../map/truth';
import { IpEnv, Mark, TruthItem } from './env';

export type IpProtocol = 'diameter' | 'gtpv1' | 'gtpv2';
export type TxStatus = 'ok' | 'error' | 'timeout';

const REQ = 0;
const RSP = 1;

class TxMark implements Mark {
  constructor(
    private readonly tx: Transaction,
    readonly tag: number,
  ) {}
  onWritten(tag: number, frame: number, tUs: number): void {
    if (tag === REQ) this.tx.requestWritten(frame, tUs);
    else this.tx.answerWritten(frame, tUs);
  }
}

export class Transaction implements TruthItem {
  reqFrame = 0;
  reqT = 0;
  rspFrame: number | null = null;
  rspT = 0;
  done = false;
  status: TxStatus = 'ok';
  resultCode: number | null = null;
  /** called once the transaction is over (its last packet written) */
  onDone: ((tx: Transaction) => void) | null = null;
  /** the visited network the exchange is about (extended truth of the roaming scenario) */
  visited: VisitedPlmn | null = null;
  /** the device when the request names none (GTP Update / Delete: the tunnel's IMSI) */
  deviceImsi: string | null = null;

  constructor(
    private readonly env: IpEnv,
    readonly protocol: IpProtocol,
    readonly opcode: number,
    readonly procedure: string,
    readonly imsi: string | null,
  ) {
    env.transactionStarted();
  }

  /** the outcome the answer will carry; 'timeout' = no answer will be sent */
  outcome(status: TxStatus, code: number | null): this {
    this.status = status;
    this.resultCode = status === 'timeout' ? null : code;
    return this;
  }

  get answered(): boolean {
    return this.status !== 'timeout';
  }

  /** the mark for the packet completing the (first copy of the) request */
  reqMark(): Mark {
    return new TxMark(this, REQ);
  }

  /** the mark for the packet completing the answer */
  rspMark(): Mark {
    return new TxMark(this, RSP);
  }

  requestWritten(frame: number, t: number): void {
    if (this.reqFrame !== 0) return; // a retransmitted copy: the dialogue starts at the first one
    this.reqFrame = frame;
    this.reqT = t;
    this.env.truth.enqueue(this);
    if (!this.answered) this.finish();
  }

  answerWritten(frame: number, t: number): void {
    if (this.rspFrame !== null) return;
    this.rspFrame = frame;
    this.rspT = t;
    this.finish();
  }

  get latencyUs(): number | null {
    return this.rspFrame === null ? null : this.rspT - this.reqT;
  }

  toTruth(): TruthRecord {
    return {
      protocol: this.protocol,
      req_frame: this.reqFrame,
      rsp_frame: this.rspFrame,
      opcode: this.opcode,
      procedure: this.procedure,
      status: this.status,
      result_code: this.resultCode,
      imsi: this.imsi,
      latency_us: this.latencyUs,
    };
  }

  private finish(): void {
    this.done = true;
    const fn = this.onDone;
    // drop the callback: it may hold a whole planning context that outlives the exchange
    this.onDone = null;
    if (fn) fn(this);
    this.env.transactionDone();
  }
}
