// One TCAP dialogue as the generator plays it: the two end nodes, where it is captured, the
// ordered steps (TCAP messages built lazily when sent, so that transaction ids are allocated at
// the right time), and the ground truth recorded as its packets are written.
import { SccpAddress } from '../encode/sccp';
import { Association, NetNode } from './topology';
import { TruthItem, TruthRecord, VisitedPlmn, toRecord } from './truth';

export type Side = 0 | 1; // 0 = dialogue initiator, 1 = responder
export type Role = 'req' | 'rsp' | 'msg';
export type Status = 'ok' | 'error' | 'abort' | 'reject' | 'timeout';

export interface Step {
  from: Side;
  /** µs after the previous step was sent */
  delayUs: number;
  role: Role;
  /** End or Abort: the dialogue is over once this is written (ids released) */
  closes: boolean;
  /** the TCAP message; called when the step is sent */
  build: () => Buffer;
  /** SCCP called party override (the first Begin is often routed on an E.214 MGT / MSISDN) */
  called?: SccpAddress;
  /** force XUDT segmentation of this message */
  segment?: boolean;
  /** force SCTP fragmentation into this many DATA chunks */
  sctpFragments?: number;
}

export interface TruthFields {
  protocol: 'map' | 'cap';
  opcode: number;
  procedure: string;
  status: Status;
  resultCode: number | null;
  imsi: string | null;
}

export class Dialogue implements TruthFields, TruthItem {
  protocol: 'map' | 'cap' = 'map';
  opcode = 0;
  procedure = '';
  status: Status = 'ok';
  resultCode: number | null = null;
  imsi: string | null = null;
  /** the visited network the dialogue is about (extended truth of the roaming scenario) */
  visited: VisitedPlmn | null = null;

  /** false for pre-capture fragments (orphans): never in the truth file */
  inTruth = true;
  readonly steps: Step[] = [];
  next = 0;
  outstanding = 0;
  done = false;
  reqFrame = 0;
  reqT = 0;
  rspFrame: number | null = null;
  rspT = 0;
  /** transaction id per side (numeric) and its octet length; null until allocated */
  readonly tid: [number | null, number | null] = [null, null];
  readonly tidLen: [number, number];
  /** whether this dialogue reserved the id in the registry (false when forced onto a busy id) */
  readonly tidOwned: [boolean, boolean] = [false, false];
  /** SCCP signalling link selection per side */
  readonly sls: [number, number];

  constructor(
    readonly id: number,
    readonly nodes: [NetNode, NetNode],
    readonly assoc: Association,
    /** association side (0 gateway, 1 STP) that messages of dialogue side 0 are sent from */
    readonly dir0: number,
    sls: [number, number],
    /** SCCP addresses used by each side as calling party (and as called party for the other) */
    readonly addr: [SccpAddress, SccpAddress],
  ) {
    this.tidLen = [nodes[0].tidLen, nodes[1].tidLen];
    this.sls = sls;
  }

  dirOf(side: Side): number {
    return side === 0 ? this.dir0 : 1 - this.dir0;
  }

  /** point code on the wire (M3UA OPC) of messages sent by `side` */
  pcOf(side: Side): number {
    return this.assoc.pc[this.dirOf(side)];
  }

  add(step: Step): this {
    this.steps.push(step);
    return this;
  }

  hasClosingStep(): boolean {
    return this.steps.some((s) => s.closes);
  }

  toTruth(): TruthRecord {
    return toRecord(this);
  }
}
