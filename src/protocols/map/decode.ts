/**
 * MAP (TS 29.002) / CAP (TS 29.078) parameter decoder: extracts subscriber identities and
 * network-node numbers from an operation's argument or result by walking the tag paths of
 * rules.ts. Records offsets only; strings are built later with strings.ts.
 */
import { BerStatus, berReadClamped, createBerTlv } from '../tcap/ber';
import { MapAnomaly } from './constants';
import {
  CAP_OPERATION_RULES, FIELD_MAX_OCTETS, FIELD_MIN_OCTETS, MAP_OPERATION_RULES, MapField, STEP_OCCURRENCE,
  buildRuleIndex,
} from './rules';
import type { MapRule, RuleIndex } from './rules';
import { resetMapInfoView } from './types';
import type { MapInfoView } from './types';

export { tbcdToString, isdnToString, isupNumberToString, gsnAddressToString } from './strings';

/** Most children examined per level while following one path. */
export const MAP_MAX_ELEMENTS = 64;

const MAP_INDEX: RuleIndex = buildRuleIndex(MAP_OPERATION_RULES);
const CAP_INDEX: RuleIndex = buildRuleIndex(CAP_OPERATION_RULES);

const tlv = createBerTlv();
// Result of findPath (module scratch): content range of the matched field, −1 when no match.
let foundStart = -1;
let foundEnd = -1;

/**
 * Extracts identities from the parameter of MAP operation `opcode` — the invoke argument when
 * `isInvoke`, else the ReturnResult parameter — in buf[paramStart, paramEnd) (as recorded by
 * decodeTcap: from the parameter's identifier octet). Resets `out`, fills the fields found,
 * returns a MapAnomaly code. Unknown operations / absent parameters are not anomalies.
 */
export function decodeMapParameter(
  opcode: number, isInvoke: boolean, buf: Buffer, paramStart: number, paramEnd: number, out: MapInfoView,
): number {
  resetMapInfoView(out);
  return applyRules(isInvoke ? MAP_INDEX.arg : MAP_INDEX.res, opcode, buf, paramStart, paramEnd, out);
}

/** As decodeMapParameter, for CAP operations (initialDP, initialDPSMS, initialDPGPRS). */
export function decodeCapParameter(
  opcode: number, isInvoke: boolean, buf: Buffer, paramStart: number, paramEnd: number, out: MapInfoView,
): number {
  resetMapInfoView(out);
  return applyRules(isInvoke ? CAP_INDEX.arg : CAP_INDEX.res, opcode, buf, paramStart, paramEnd, out);
}

function applyRules(
  index: readonly (readonly MapRule[] | undefined)[], opcode: number, buf: Buffer, start: number, end: number,
  out: MapInfoView,
): number {
  if (!(opcode >= 0 && opcode < index.length)) return MapAnomaly.Ok;
  const rules = index[opcode];
  if (rules === undefined) return MapAnomaly.Ok;
  if (end > buf.length) end = buf.length;
  if (!(start >= 0 && start < end)) return MapAnomaly.Ok;
  let anomaly: number = MapAnomaly.Ok;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    const field = rule[0];
    if (fieldStart(out, field) >= 0) continue; // an earlier rule already found it
    const st = findPath(buf, start, end, rule);
    if (st !== MapAnomaly.Ok && anomaly === MapAnomaly.Ok) anomaly = st;
    if (foundStart < 0) continue;
    const len = foundEnd - foundStart;
    if (len < FIELD_MIN_OCTETS[field] || len > FIELD_MAX_OCTETS[field]) {
      if (anomaly === MapAnomaly.Ok) anomaly = MapAnomaly.BadField;
      continue;
    }
    setField(out, field, foundStart, foundEnd);
  }
  return anomaly;
}

/**
 * Follows rule[1..] from the elements in [start, end). On a match sets foundStart/foundEnd to the
 * field's content; otherwise foundStart = −1. Returns a MapAnomaly code for problems met on the
 * way: BER errors, or `truncated` when a container runs past `end` (its complete leading children
 * are still searched; a cut field itself is never used).
 */
function findPath(buf: Buffer, start: number, end: number, rule: MapRule): number {
  foundStart = -1;
  let status: number = MapAnomaly.Ok;
  let s = start;
  let e = end;
  const last = rule.length - 1;
  for (let i = 1; i <= last; i++) {
    const step = rule[i];
    const tag = step % STEP_OCCURRENCE;
    let want = Math.floor(step / STEP_OCCURRENCE) + 1;
    let pos = s;
    let found = false;
    for (let n = 0; pos < e; n++) {
      if (n === MAP_MAX_ELEMENTS) return MapAnomaly.TooManyElements;
      const st = berReadClamped(buf, pos, e, tlv);
      if (st !== BerStatus.Ok) return st;
      if (tlv.clamped) status = MapAnomaly.Truncated;
      if (tlv.tag === tag && --want === 0) {
        found = true;
        break;
      }
      pos = tlv.next;
    }
    if (!found) return status;
    // the path continues into a constructed element; the field itself (a primitive tag key, so
    // a constructed encoding never matches) must be complete
    if (i < last ? !tlv.constructed : tlv.clamped) return status;
    s = tlv.valueStart;
    e = tlv.valueEnd;
  }
  foundStart = s;
  foundEnd = e;
  return status;
}

function fieldStart(v: MapInfoView, field: number): number {
  switch (field) {
    case MapField.Imsi: return v.imsiStart;
    case MapField.Msisdn: return v.msisdnStart;
    case MapField.Vlr: return v.vlrStart;
    case MapField.Sgsn: return v.sgsnStart;
    case MapField.Msc: return v.mscStart;
    case MapField.Hlr: return v.hlrStart;
    case MapField.Sca: return v.scaStart;
    case MapField.SgsnAddress: return v.sgsnAddressStart;
    default: return v.callingStart;
  }
}

function setField(v: MapInfoView, field: number, start: number, end: number): void {
  switch (field) {
    case MapField.Imsi: v.imsiStart = start; v.imsiEnd = end; break;
    case MapField.Msisdn: v.msisdnStart = start; v.msisdnEnd = end; break;
    case MapField.Vlr: v.vlrStart = start; v.vlrEnd = end; break;
    case MapField.Sgsn: v.sgsnStart = start; v.sgsnEnd = end; break;
    case MapField.Msc: v.mscStart = start; v.mscEnd = end; break;
    case MapField.Hlr: v.hlrStart = start; v.hlrEnd = end; break;
    case MapField.Sca: v.scaStart = start; v.scaEnd = end; break;
    case MapField.SgsnAddress: v.sgsnAddressStart = start; v.sgsnAddressEnd = end; break;
    default: v.callingStart = start; v.callingEnd = end;
  }
}
