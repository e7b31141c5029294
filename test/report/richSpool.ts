/**
 * A deterministic, plausible roaming world written straight into a real spool (src/spool writer):
 * devices of 8 home countries roaming in 11 visited countries, location updates (MAP UL / UL-GPRS,
 * Diameter ULR) with Roaming-Not-Allowed steering, authentication, cancel/purge, GTP data
 * sessions with user bytes, an IoT fleet that signals at minute :00 of every hour (storms).
 * For the browser test (a report with data in every section) and the report benchmark.
 */
import type { DialogueRecord, TunnelRecord } from '../../src/correlate/record';
import { openSpool, SpoolWriter } from '../../src/spool/spool';
import { dlg, MIN, S, T0, tun } from '../analytics/spoolBuild';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOMES = [
  ['ES', '214', '07'], ['DE', '262', '01'], ['GB', '234', '15'], ['FR', '208', '01'], ['IT', '222', '10'], ['US', '310', '260'], ['NL', '204', '08'], ['SE', '240', '01'],
] as const;
const NETS: Record<string, [string, string, string][]> = {
  FR: [['208', '01', 'Orange FR'], ['208', '10', 'SFR']],
  ES: [['214', '07', 'Movistar ES'], ['214', '01', 'Vodafone ES']],
  DE: [['262', '01', 'Telekom DE'], ['262', '02', 'Vodafone DE']],
  GB: [['234', '15', 'Vodafone UK'], ['234', '10', 'O2 UK']],
  IT: [['222', '10', 'Vodafone IT'], ['222', '01', 'TIM']],
  PT: [['268', '01', 'Vodafone PT']],
  US: [['310', '260', 'T-Mobile US']],
  CH: [['228', '01', 'Swisscom']],
  NL: [['204', '08', 'KPN']],
  GR: [['202', '01', 'Cosmote']],
  SE: [['240', '01', 'Telia SE']],
};
const VISITED = Object.keys(NETS);

export interface RichOptions {
  devices: number;
  hours: number;
  seed: number;
  /** dialogues per device per hour (besides the LU), on average */
  perHour?: number;
}

/** Writes the world into a new spool at `path`; returns rows written. */
export function writeRichSpool(path: string, o: RichOptions): { dialogues: number; tunnels: number } {
  const rnd = prng(o.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const db = openSpool(path);
  const w = new SpoolWriter(db, { batchSize: 5000 });
  const span = o.hours * 60 * MIN;
  const perHour = o.perHour ?? 2;
  // Rows are written in time order per device only; the spool does not need global order.
  for (let i = 0; i < o.devices; i++) {
    const imsi = `dev${i.toString(36)}`;
    const iot = i % 10 === 0; // 10 %: an IoT fleet, signalling at the top of every hour
    const [hc, hmcc, hmnc] = HOMES[i % 7 === 0 ? 0 : Math.floor(rnd() * HOMES.length)];
    const domestic = rnd() < 0.15;
    const vc = domestic ? hc : pick(VISITED.filter((c) => c !== hc));
    const nets = NETS[vc] ?? [[hmcc, hmnc, `${hc} home`]];
    const [vmcc, vmnc, vop] = pick(nets);
    const diameter = rnd() < 0.35;
    const base = {
      imsi, homeMcc: hmcc, homeMnc: hmnc, homeCountry: hc, visitedCountry: vc, visitedMcc: vmcc, visitedMnc: vmnc, visitedOperator: vop,
      site: 'madrid',
    } satisfies Partial<DialogueRecord>;
    const lat = (ms: number) => Math.round((ms * (0.6 + rnd() * 0.8) + (rnd() < 0.02 ? ms * 6 : 0)) * 1000);
    const luProc: Partial<DialogueRecord> = diameter
      ? { protocol: 'diameter', procedure: 'ULR', opcode: 316, resultCode: 2001, resultSource: 'result' }
      : { protocol: 'map', procedure: rnd() < 0.4 ? 'updateGprsLocation' : 'updateLocation', opcode: 2 };
    let t = T0 + Math.floor(rnd() * span * 0.3);
    const write = (r: DialogueRecord) => w.write(r);
    // steering: the first choice rejected, then a successful LU on the other network of the country
    if (nets.length > 1 && !domestic && rnd() < 0.12) {
      const rna: Partial<DialogueRecord> = diameter
        ? { status: 'error', resultCode: 5004, resultSource: 'experimental', resultVendor: 10415, resultName: 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED' }
        : { status: 'error', resultCode: 8, resultName: 'roamingNotAllowed' };
      const other = nets.find((n) => n[0] !== vmcc || n[1] !== vmnc) as [string, string, string];
      write(dlg(t, { ...base, ...luProc, ...rna, visitedMcc: other[0], visitedMnc: other[1], visitedOperator: other[2], latencyUs: lat(80) }));
      t += Math.floor((rnd() < 0.85 ? 5 + rnd() * 400 : 700 + rnd() * 600) * S);
    }
    const luFail = rnd() < 0.02;
    write(dlg(t, { ...base, ...luProc, latencyUs: lat(diameter ? 60 : 120), ...(luFail ? { status: 'timeout', endReason: 'idle_timeout', latencyUs: null, rspTimeUs: null } : {}) }));
    // background signalling
    const n = Math.max(1, Math.round(perHour * o.hours * (0.5 + rnd())));
    const silent = rnd() < 0.1;
    for (let k = 0; k < n; k++) {
      const at = iot ? T0 + (Math.floor(rnd() * o.hours) * 60 + (rnd() < 0.9 ? 0 : Math.floor(rnd() * 60))) * MIN + Math.floor(rnd() * 50 * S) : T0 + Math.floor(rnd() * span);
      const err = rnd();
      if (diameter) {
        const proc = rnd() < 0.8 ? ['AIR', 318] : rnd() < 0.5 ? ['CLR', 317] : ['PUR', 321];
        write(dlg(at, {
          ...base, protocol: 'diameter', procedure: proc[0] as string, opcode: proc[1] as number, latencyUs: lat(40),
          ...(err < 0.015 ? { status: 'error', resultCode: 5001, resultSource: 'experimental', resultName: 'DIAMETER_ERROR_USER_UNKNOWN' } : { resultCode: 2001, resultSource: 'result' }),
        }));
      } else {
        const proc = rnd() < 0.8 ? ['sendAuthenticationInfo', 56] : rnd() < 0.5 ? ['cancelLocation', 3] : ['purgeMS', 67];
        write(dlg(at, {
          ...base, procedure: proc[0] as string, opcode: proc[1] as number, latencyUs: lat(90),
          ...(err < 0.01 ? { status: 'error', resultCode: 1, resultName: 'unknownSubscriber' } : err < 0.015 ? { status: 'timeout', endReason: 'idle_timeout', latencyUs: null, rspTimeUs: null } : {}),
        }));
      }
    }
    // data sessions
    if (!silent && rnd() < 0.8) {
      const ct = t + Math.floor(rnd() * 20 * S);
      const ok = rnd() < 0.95;
      const v2 = diameter || rnd() < 0.5;
      const proc = v2 ? 'CreateSession' : 'CreatePDPContext';
      const apn = iot ? 'iot.m2m' : rnd() < 0.8 ? 'internet' : 'ims';
      const setup = Math.round((15 + rnd() * 60 + (rnd() < 0.03 ? 400 : 0)) * 1000);
      write(dlg(ct, { ...base, protocol: v2 ? 'gtpv2' : 'gtpv1', procedure: proc, opcode: v2 ? 32 : 16, apn, latencyUs: setup, ...(ok ? {} : { status: 'error', resultCode: v2 ? 73 : 199, resultName: 'No resources available' }) }));
      const zero = ok && rnd() < 0.05;
      const bytesUp = zero ? 0 : Math.round(Math.exp(7 + rnd() * 8));
      const bytesDown = zero ? 0 : Math.round(bytesUp * (2 + rnd() * 8));
      const dur = Math.round(rnd() < 0.3 ? rnd() * 10 * MIN : rnd() * 4 * 60 * MIN);
      const tr: TunnelRecord = tun(ct, imsi, {
        protocol: v2 ? 'gtpv2' : 'gtpv1', homeMcc: hmcc, homeMnc: hmnc, homeCountry: hc, visitedCountry: vc, visitedMcc: vmcc, visitedMnc: vmnc,
        visitedOperator: vop, apn, setupDelayUs: setup, site: 'madrid',
        ...(ok
          ? { durationUs: dur, endTimeUs: ct + dur, packetsUp: zero ? 0 : Math.ceil(bytesUp / 600), packetsDown: zero ? 0 : Math.ceil(bytesDown / 1200), bytesUp, bytesDown, deleteCause: v2 ? 16 : 128 }
          : { endReason: 'create_rejected', createCause: v2 ? 73 : 199, durationUs: null, endTimeUs: null, deleteCause: null, packetsUp: 0, packetsDown: 0, bytesUp: 0, bytesDown: 0 }),
      });
      w.writeTunnel(tr);
      if (ok && dur < span) write(dlg(ct + dur, { ...base, protocol: v2 ? 'gtpv2' : 'gtpv1', procedure: v2 ? 'DeleteSession' : 'DeletePDPContext', opcode: v2 ? 36 : 20, apn, latencyUs: lat(20) }));
    }
  }
  w.flush();
  const out = { dialogues: w.written, tunnels: w.tunnelsWritten };
  db.close();
  return out;
}
