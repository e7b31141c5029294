// GTP-C arrival process of one version: Poisson arrivals of tunnels (smartphones and IoT permanent
// roamers), Echo and Release Access Bearers exchanges over the capture span, plus a synchronised
// IoT burst at every midnight (UTC) inside the span, whose share of the dialogues is set aside
// at the start; until exactly the requested number of dialogues has been planned.
import { GtpEnv, pickDevice, startEcho, startRab, startTunnel } from './lifecycle';
import { IotDevice, IotFleet } from '../ip/topology';
import { newImsi, newMsisdn } from '../map/topology';

const DAY_US = 86_400_000_000;

export function driveGtp(gx: GtpEnv, dialogues: number, startUs: number, spanUs: number): void {
  const { rng, p } = gx;
  const midnights: number[] = [];
  for (let m = Math.ceil(startUs / DAY_US) * DAY_US; m < startUs + spanUs; m += DAY_US) midnights.push(m);
  const perBurst = midnights.length > 0 && p.burstShare > 0 ? Math.floor((dialogues * p.burstShare) / midnights.length) : 0;
  let running = false;
  for (const m of midnights) {
    const reserve = gx.budget.reserve(perBurst);
    gx.env.at(m, () => {
      burst(gx, m, reserve);
      // what the burst left goes back to the background arrivals
      if (!running && gx.budget.free > 0) {
        running = true;
        gx.env.at(m + 1, () => arrival(m + 1));
      }
    });
  }
  const background = Math.max(1, gx.budget.free);
  const perDialogueUs = spanUs / background;
  const spawn = (t: number): number => {
    if (p.echoRate > 0 && rng.chance(p.echoRate)) return startEcho(gx, t);
    if (gx.version === 'gtpv2' && p.rabRate > 0 && rng.chance(p.rabRate)) return startRab(gx, t);
    const device = p.iotShare > 0 && rng.chance(p.iotShare) ? pickDevice(gx) : null;
    return startTunnel(gx, t, device ? { device } : {});
  };
  function arrival(t: number): void {
    const n = spawn(t);
    running = gx.budget.free > 0;
    if (running) {
      const next = t + Math.max(1, Math.round(rng.exp(perDialogueUs * Math.max(1, n))));
      gx.env.at(next, () => arrival(next));
    }
  }
  if (gx.budget.free > 0) {
    running = true;
    gx.env.at(startUs, () => arrival(startUs));
  }
}

/**
 * IoT devices of all fleets creating their sessions within one window after midnight: each
 * device once (this version's fleets first), then more machines of the same fleets.
 */
function burst(gx: GtpEnv, m: number, reserve: number): void {
  const { rng } = gx;
  gx.budget.release(reserve);
  const times: number[] = [];
  const n = Math.min(reserve, gx.budget.free);
  for (let i = 0; i < n; i++) times.push(m + rng.int(gx.p.burstWindowUs));
  times.sort((a, b) => a - b);
  const v2 = gx.version === 'gtpv2';
  const fleets = [...gx.ipw.fleets.filter((f) => f.v2 === v2), ...gx.ipw.fleets.filter((f) => f.v2 !== v2)];
  const devices: [IotFleet, IotDevice][] = [];
  for (const f of fleets) for (const d of f.devices) devices.push([f, d]);
  // shuffle within this version's fleets and within the others (Fisher-Yates)
  const mine = fleets.filter((f) => f.v2 === v2).reduce((a, f) => a + f.devices.length, 0);
  shuffle(rng, devices, 0, mine);
  shuffle(rng, devices, mine, devices.length);
  let used = 0;
  for (let i = 0; i < times.length; i++) {
    if (used >= reserve || gx.budget.free < 1) break;
    let device: [IotFleet, IotDevice] | null = i < devices.length ? devices[i] : null;
    if (!device && fleets.length > 0) {
      const f = rng.pick(fleets);
      device = [f, { imsi: newImsi(rng, f.home.op), msisdn: newMsisdn(rng, f.home.op), imei: '35' + rng.digits(12) }];
    }
    used += startTunnel(gx, times[i], device ? { device, burst: true } : { burst: true });
  }
}

function shuffle<T>(rng: GtpEnv['rng'], a: T[], from: number, to: number): void {
  for (let i = to - 1; i > from; i--) {
    const j = from + rng.int(i - from + 1);
    const x = a[i];
    a[i] = a[j];
    a[j] = x;
  }
}
