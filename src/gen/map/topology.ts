// The simulated roaming world behind the IPX: countries, operators (MCC/MNC, E.164 CC+NDC),
// their network nodes (HLR, MSC/VLR, SGSN, SMSC, gsmSCF) with global titles, and the SCTP
// associations between each operator's SIGTRAN gateway and the IPX STPs (the capture points).
import { Prng } from '../prng';
import { ipv4Address } from '../encode/ipv4';
import { ipv6Address } from '../encode/ipv6';
import { macFromNumber } from '../encode/ethernet';
import { SSN_GSMSCF, SSN_HLR, SSN_MSC, SSN_SGSN, SSN_VLR } from '../encode/sccp';

export type NodeKind = 'hlr' | 'vlr' | 'sgsn' | 'smsc' | 'scf';

export interface Operator {
  index: number;
  name: string;
  iso: string;
  cc: string;
  ndc: string;
  mcc: string;
  mnc: string;
  /** SIGTRAN gateway signalling point (ITU 14-bit) */
  gwPc: number;
  assocs: Association[];
  hlrs: NetNode[];
  vlrs: NetNode[];
  sgsns: NetNode[];
  smscs: NetNode[];
  scfs: NetNode[];
}

export interface NetNode {
  id: number;
  kind: NodeKind;
  op: Operator;
  /** E.164 global title (VLR number, HLR number, SGSN number, SC address...) */
  gt: string;
  /** MSC number for a VLR node (co-located MSC), else = gt */
  mscGt: string;
  ssn: number;
  /** own point code, put in the SCCP calling address when includePc */
  pc: number;
  includePc: boolean;
  /** transaction id length in octets, 1..4 (Q.773 allows 1..4) */
  tidLen: number;
  tidNext: number;
  /** SGSN IPv4 address (GSN-Address) */
  ip: Buffer;
}

export interface Association {
  id: number;
  op: Operator;
  stp: Stp;
  /** index 0 = operator gateway side, 1 = STP side */
  pc: [number, number];
  ip4: [Buffer, Buffer];
  ip6: [Buffer, Buffer];
  mac: [Buffer, Buffer];
  port: [number, number];
  /** verification tag carried by packets SENT by side i (= the peer's Initiate Tag) */
  vtag: [number, number];
  initTsn: [number, number];
  nextTsn: [number, number];
  streams: number;
  ssn: [Uint16Array, Uint16Array];
  ipId: [number, number];
  routingContext?: number;
  networkAppearance?: number;
  cvid: number;
  /** IP MTU of the link (IP fragmentation above it) */
  mtu: number;
  /** largest SCTP packet the endpoint builds (its PMTU view) */
  sctpMax: number;
  v6ext: ('hbh' | 'dst' | 'frag')[];
  /** time and TSN of the last DATA packet sent by each side (for SACKs) */
  lastT: [number, number];
  lastDataT: [number, number];
  lastDataTsn: [number, number];
}

export interface Stp {
  index: number;
  pc: number;
  ip4: Buffer;
  ip6: Buffer;
  mac: Buffer;
  svid: number;
}

interface OperatorSpec {
  name: string;
  mcc: string;
  mnc: string;
  ndc: string;
}
interface CountrySpec {
  iso: string;
  cc: string;
  /** national significant number length after CC for mobile numbers */
  nsnLen: number;
  ops: OperatorSpec[];
}

// Country codes (ITU-T E.164 assignments) and MCC/MNC (ITU-T E.212) of the roaming partners.
export const COUNTRIES: readonly CountrySpec[] = [
  { iso: 'GB', cc: '44', nsnLen: 10, ops: [
    { name: 'O2 UK', mcc: '234', mnc: '10', ndc: '7802' },
    { name: 'Vodafone UK', mcc: '234', mnc: '15', ndc: '7785' },
    { name: 'EE', mcc: '234', mnc: '30', ndc: '7953' },
    { name: 'Three UK', mcc: '235', mnc: '94', ndc: '7782' },
  ] },
  { iso: 'DE', cc: '49', nsnLen: 11, ops: [
    { name: 'Telekom DE', mcc: '262', mnc: '01', ndc: '171' },
    { name: 'Vodafone DE', mcc: '262', mnc: '02', ndc: '172' },
    { name: 'O2 DE', mcc: '262', mnc: '07', ndc: '176' },
  ] },
  { iso: 'ES', cc: '34', nsnLen: 9, ops: [
    { name: 'Vodafone ES', mcc: '214', mnc: '01', ndc: '607' },
    { name: 'Orange ES', mcc: '214', mnc: '03', ndc: '656' },
    { name: 'Movistar ES', mcc: '214', mnc: '07', ndc: '609' },
  ] },
  { iso: 'NL', cc: '31', nsnLen: 9, ops: [
    { name: 'Vodafone NL', mcc: '204', mnc: '04', ndc: '654' },
    { name: 'KPN', mcc: '204', mnc: '08', ndc: '653' },
    { name: 'Odido', mcc: '204', mnc: '16', ndc: '624' },
  ] },
  { iso: 'MX', cc: '52', nsnLen: 10, ops: [
    { name: 'Telcel', mcc: '334', mnc: '020', ndc: '55' },
    { name: 'Movistar MX', mcc: '334', mnc: '030', ndc: '81' },
    { name: 'AT&T MX', mcc: '334', mnc: '050', ndc: '33' },
  ] },
  { iso: 'BR', cc: '55', nsnLen: 11, ops: [
    { name: 'TIM BR', mcc: '724', mnc: '02', ndc: '31' },
    { name: 'Claro BR', mcc: '724', mnc: '05', ndc: '21' },
    { name: 'Vivo', mcc: '724', mnc: '10', ndc: '11' },
  ] },
  { iso: 'US', cc: '1', nsnLen: 10, ops: [
    { name: 'T-Mobile US', mcc: '310', mnc: '260', ndc: '206' },
    { name: 'AT&T US', mcc: '310', mnc: '410', ndc: '214' },
  ] },
  { iso: 'CO', cc: '57', nsnLen: 10, ops: [
    { name: 'Claro CO', mcc: '732', mnc: '101', ndc: '310' },
    { name: 'Tigo CO', mcc: '732', mnc: '103', ndc: '300' },
    { name: 'Movistar CO', mcc: '732', mnc: '123', ndc: '315' },
  ] },
  { iso: 'VE', cc: '58', nsnLen: 10, ops: [
    { name: 'Digitel', mcc: '734', mnc: '02', ndc: '412' },
    { name: 'Movistar VE', mcc: '734', mnc: '04', ndc: '414' },
    { name: 'Movilnet', mcc: '734', mnc: '06', ndc: '416' },
  ] },
];

/** numeric TIDs at or above this value are never allocated (reserved for pre-capture dialogues) */
export const TID_RESERVED_BASE = 0xff000000;

export interface World {
  operators: Operator[];
  stps: Stp[];
  assocs: Association[];
  nodes: NetNode[];
}

export interface TopologyOptions {
  /** IP MTU of the links (default 1500) */
  mtu?: number;
  /** pick the link MTU per association in [lo, hi] instead */
  mtuRange?: [number, number];
  /** IPv6 extension headers on some associations */
  v6ext?: boolean;
  /** put at most this many operators in the world (small captures stay readable) */
  maxOperators?: number;
  /** at most this many operators per country (the first ones of the table) */
  maxPerCountry?: number;
}

export function buildWorld(rng: Prng, o: TopologyOptions = {}): World {
  const usedPc = new Set<number>();
  const pcAlloc = (): number => {
    for (;;) {
      const pc = rng.range(100, 16383);
      if (!usedPc.has(pc)) {
        usedPc.add(pc);
        return pc;
      }
    }
  };
  const stps: Stp[] = [];
  const nStp = 3;
  for (let i = 0; i < nStp; i++) {
    stps.push({
      index: i,
      pc: pcAlloc(),
      ip4: ipv4Address(`192.0.2.${11 + i}`),
      ip6: ipv6Address(`2001:db8:1::${(11 + i).toString(16)}`),
      mac: macFromNumber(0x0a000000 + i),
      svid: 100 + i * 10,
    });
  }
  const operators: Operator[] = [];
  const nodes: NetNode[] = [];
  const assocs: Association[] = [];
  let specs: { c: CountrySpec; s: OperatorSpec }[] = [];
  for (const c of COUNTRIES) for (const s of c.ops.slice(0, o.maxPerCountry ?? c.ops.length)) specs.push({ c, s });
  if (o.maxOperators !== undefined && o.maxOperators < specs.length) {
    // keep a deterministic spread over countries: every k-th operator
    const k = specs.length / o.maxOperators;
    specs = Array.from({ length: o.maxOperators }, (_, i) => specs[Math.floor(i * k)]);
  }
  const gtFor = (c: CountrySpec, s: OperatorSpec): string => c.cc + s.ndc + rng.digits(c.nsnLen - s.ndc.length);
  for (const { c, s } of specs) {
    const op: Operator = {
      index: operators.length,
      name: s.name,
      iso: c.iso,
      cc: c.cc,
      ndc: s.ndc,
      mcc: s.mcc,
      mnc: s.mnc,
      gwPc: pcAlloc(),
      assocs: [],
      hlrs: [],
      vlrs: [],
      sgsns: [],
      smscs: [],
      scfs: [],
    };
    operators.push(op);
    const mk = (kind: NodeKind, ssn: number): NetNode => {
      const gt = gtFor(c, s);
      const r = rng.next();
      const tidLen = r < 0.6 ? 4 : r < 0.75 ? 3 : r < 0.9 ? 2 : 1;
      const n: NetNode = {
        id: nodes.length,
        kind,
        op,
        gt,
        mscGt: kind === 'vlr' ? gt.slice(0, -3) + rng.digits(3) : gt,
        ssn,
        pc: pcAlloc(),
        includePc: rng.chance(0.2),
        tidLen,
        tidNext: tidLen === 4 ? rng.u32() % TID_RESERVED_BASE : rng.int(2 ** (8 * tidLen)),
        ip: ipv4Address(`10.${100 + (op.index % 100)}.${nodes.length % 250}.${rng.range(1, 254)}`),
      };
      nodes.push(n);
      return n;
    };
    const nh = rng.range(1, 3);
    for (let i = 0; i < nh; i++) op.hlrs.push(mk('hlr', SSN_HLR));
    const nv = rng.range(3, 6);
    for (let i = 0; i < nv; i++) op.vlrs.push(mk('vlr', SSN_VLR));
    const ns = rng.range(1, 2);
    for (let i = 0; i < ns; i++) op.sgsns.push(mk('sgsn', SSN_SGSN));
    op.smscs.push(mk('smsc', SSN_MSC));
    op.scfs.push(mk('scf', SSN_GSMSCF));
    // one or two associations from the operator's gateway to the IPX STPs
    const na = rng.chance(0.5) ? 2 : 1;
    const first = rng.int(nStp);
    for (let k = 0; k < na; k++) {
      const stp = stps[(first + k) % nStp];
      const streams = rng.pick([2, 4, 8, 16]);
      const mtu = o.mtuRange ? rng.range(o.mtuRange[0], o.mtuRange[1]) : o.mtu ?? 1500;
      const ext: ('hbh' | 'dst' | 'frag')[] = [];
      if (o.v6ext) {
        const r = rng.int(4);
        if (r === 1) ext.push('hbh');
        else if (r === 2) ext.push('dst');
        else if (r === 3) ext.push('hbh', 'dst', 'frag');
      }
      const a: Association = {
        id: assocs.length,
        op,
        stp,
        pc: [op.gwPc, stp.pc],
        ip4: [ipv4Address(`198.51.100.${1 + ((op.index * 2 + k) % 250)}`), stp.ip4],
        ip6: [ipv6Address(`2001:db8:${(0x100 + op.index).toString(16)}::${(k + 1).toString(16)}`), stp.ip6],
        mac: [macFromNumber(0x0b000000 + op.index * 4 + k), stp.mac],
        port: [rng.chance(0.5) ? 2905 : rng.range(32768, 60999), 2905],
        vtag: [rng.u32() || 1, rng.u32() || 1],
        initTsn: [0, 0],
        nextTsn: [0, 0],
        streams,
        ssn: [new Uint16Array(streams), new Uint16Array(streams)],
        ipId: [rng.int(65536), rng.int(65536)],
        routingContext: rng.chance(0.6) ? rng.range(1, 9999) : undefined,
        networkAppearance: rng.chance(0.1) ? rng.range(1, 99) : undefined,
        cvid: 200 + assocs.length,
        mtu,
        sctpMax: 1500,
        v6ext: ext,
        lastT: [0, 0],
        lastDataT: [-1, -1],
        lastDataTsn: [0, 0],
      };
      a.initTsn = [rng.u32(), rng.u32()];
      a.nextTsn = [a.initTsn[0], a.initTsn[1]];
      assocs.push(a);
      op.assocs.push(a);
    }
  }
  return { operators, stps, assocs, nodes };
}

/** E.214 mobile global title (TS 23.003 §12.1 / E.214): CC + NDC of the home PLMN + MSIN, max 15 digits */
export function e214Gt(op: Operator, imsi: string): string {
  const msin = imsi.slice(op.mcc.length + op.mnc.length);
  return (op.cc + op.ndc + msin).slice(0, 15);
}

/** a fresh IMSI of the operator: MCC + MNC + MSIN (15 digits in total) */
export function newImsi(rng: Prng, op: Operator): string {
  return op.mcc + op.mnc + rng.digits(15 - op.mcc.length - op.mnc.length);
}

/** a fresh MSISDN of the operator: CC + NDC + subscriber number */
export function newMsisdn(rng: Prng, op: Operator): string {
  const c = COUNTRIES.find((x) => x.iso === op.iso)!;
  return op.cc + op.ndc + rng.digits(c.nsnLen - op.ndc.length);
}

export { SSN_HLR, SSN_VLR, SSN_MSC, SSN_SGSN, SSN_GSMSCF };
