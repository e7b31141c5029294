// Device populations with planted behaviour profiles (issue 14): `sigprobe gen --scenario devices`.
// Every device is one IMSI with one label; its MAP dialogues (TS 29.002) and GTP-C tunnels
// (TS 29.060 / TS 29.274) are planned by the shared encoders and drivers (src/gen/map/flows.ts,
// src/gen/gtp/lifecycle.ts) on the generator's event loop. Labels and what they plant:
//   smart_meter     fixed period (30 min ± 2 s): SAI from its one SGSN, a GTPv1 PDP context of
//                   ~20 s (create → delete, no update); one updateGprsLocation at the start
//   tracker         moves every ~35 min to another VLR (half the time another visited network):
//                   SAI + updateLocation from the new VLR, cancelLocation to the old one, a short
//                   PDP context with updates
//   failing         every ~20 min an attach attempt rejected: updateLocation roamingNotAllowed /
//                   unknownSubscriber, SAI unknownSubscriber, GTP Creates rejected
//   data_heavy      long GTPv2 sessions (median 3 h) with a Modify Bearer every ~6 min, rare MAP
//   sms_unit        MAP only: mt-ForwardSM / SRI-SM / mo-ForwardSM every ~15 min, SAI every ~2 h
//   consumer_phone  a few sporadic episodes: SAI + updateLocation, half of them an internet
//                   GTPv2 session of ~10 min, sometimes an SMS; one or two VLRs
// Cells (the ULI / RAI of the GTP messages, the records' cell_id): a device's cell is a function
// of its IMSI and a cell counter (no random draw: the plan of every device stays as it was):
// smart meters, data-heavy units and SMS units stay in one cell, a tracker moves to a new cell at
// every move, a failing device at every attempt, a consumer phone uses the cell of one of its two VLRs.
// Next to the capture: `<name>.devices.jsonl` (one line per device: raw IMSI, label) besides the
// usual truth (`.truth.jsonl`) and tunnels (`.tunnels.jsonl`) files.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Engine } from '../map/engine';
import { profileFor } from '../map/profile';
import { startProcedure, pickVisited, Outcome } from '../map/flows';
import { NetNode, Operator, newImsi, newMsisdn } from '../map/topology';
import { LinkKind } from '../map/transport';
import * as M from '../encode/map';
import { buildIpWorld, IotFleet, IotDevice, IpOperator } from '../ip/topology';
import { IpWire } from '../ip/wire';
import { Budget } from '../ip/budget';
import { Flushable } from '../ip/env';
import { GtpNet } from '../gtp/net';
import { GtpEnv, GtpVersion, startTunnel } from '../gtp/lifecycle';
import { GTP_MIX, GtpProfile } from '../gtp/profile';
import { TunnelWriter } from '../gtp/tunnels';
import { Prng } from '../prng';

export const DEVICE_LABELS = ['smart_meter', 'tracker', 'failing', 'data_heavy', 'sms_unit', 'consumer_phone'] as const;
export type DeviceLabel = (typeof DEVICE_LABELS)[number];

export interface DevicesGenOptions {
  out: string;
  seed: number;
  devices: number;
  /** capture span, hours (default 4) */
  hours?: number;
  startUs?: number;
  link?: LinkKind;
  onProgress?: (p: { dialogues: number; packets: number }) => void;
}

export interface DevicesGenSummary {
  packets: number;
  dialogues: number;
  bytes: number;
  truthPath: string;
  tunnelsPath: string;
  devicesPath: string;
  tunnels: number;
  byLabel: Record<string, number>;
}

const S = 1_000_000;
const MIN = 60 * S;
const OK: Outcome = { kind: 'ok' };
const err = (code: number): Outcome => ({ kind: 'error', code });

function base(out: string): string {
  return out.replace(/\.(pcapng|pcap)$/i, '');
}

export function devicesPathFor(out: string): string {
  return base(out) + '.devices.jsonl';
}

/** GTP profile of a label: what startTunnel draws for its tunnels */
function gtpProfile(label: DeviceLabel): GtpProfile {
  const p: GtpProfile = { ...GTP_MIX, timeoutRate: 0, retransmitRate: 0, burstShare: 0, echoRate: 0, networkDeleteRate: 0, createBearerRate: 0, createRejectRate: 0 };
  switch (label) {
    case 'smart_meter':
      return { ...p, durationMedianUs: 20 * S, durationSigma: 0.1, updatesPerHour: 0 };
    case 'tracker':
      return { ...p, durationMedianUs: 90 * S, durationSigma: 0.3, updatesPerHour: 90 };
    case 'failing':
      return { ...p, createRejectRate: 1 };
    case 'data_heavy':
      return { ...p, durationMedianUs: 180 * MIN, durationSigma: 0.3, updatesPerHour: 10 };
    case 'consumer_phone':
      return { ...p, durationMedianUs: 10 * MIN, durationSigma: 0.5, updatesPerHour: 3 };
    default:
      return p;
  }
}

interface Device {
  label: DeviceLabel;
  imsi: string;
  dev: IotDevice;
  home: Operator;
  visited: Operator;
  vlr: NetNode;
  sgsn: NetNode;
  hlr: NetNode;
  /** cell counter: the device's current cell is cellOf(imsi, cell) */
  cell: number;
}

/** [LAC / TAC, CI] (1..0xfffe each) of a device's cell number `k`: FNV-1a of `imsi:k` */
export function cellOf(imsi: string, k: number): [number, number] {
  let h = 0x811c9dc5;
  const s = `${imsi}:${k}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return [1 + (h % 0xfffe), 1 + ((h >>> 16) ^ (h & 0xffff)) % 0xfffe];
}

export function generateDevices(o: DevicesGenOptions): DevicesGenSummary {
  if (!Number.isInteger(o.devices) || o.devices < 1) throw new Error('devices must be a positive integer');
  const hours = o.hours ?? 4;
  const profile = { ...profileFor('mix'), orphanPerMille: 0, ...(o.link ? { link: o.link } : {}) };
  const format = /\.pcapng$/i.test(o.out) ? 'pcapng' : 'pcap';
  const truthPath = base(o.out) + '.truth.jsonl';
  const tunnelsPath = base(o.out) + '.tunnels.jsonl';
  const devicesPath = devicesPathFor(o.out);
  const e = new Engine({ out: o.out, truthPath, format, seed: o.seed, profile });
  if (o.onProgress) e.onProgress(50_000, o.onProgress);
  const rng = e.rng.fork();
  const startUs = o.startUs ?? 1_700_000_000_000_000;
  const endUs = startUs + Math.round(hours * 3600 * S);
  // GTP side: the shared IP world, wire and GTP paths; one GTP environment per (label, version)
  const ipw = buildIpWorld(rng.fork(), e.world);
  const wire = new IpWire(e, profile.link);
  const flushList: Flushable[] = [];
  e.onClockMove(() => {
    for (let i = 0; i < flushList.length; i++) flushList[i].flush();
    flushList.length = 0;
  });
  const net = new GtpNet(rng.fork(), wire, ipw, 1500);
  const tunnels = new TunnelWriter(tunnelsPath);
  const gxs = new Map<string, GtpEnv>();
  const gx = (label: DeviceLabel, version: GtpVersion): GtpEnv => {
    const key = `${label}/${version}`;
    let g = gxs.get(key);
    if (!g) {
      g = { env: e, rng: rng.fork(), p: gtpProfile(label), ipw, net, budget: new Budget(Number.MAX_SAFE_INTEGER), version, cutoffUs: endUs, tunnels };
      gxs.set(key, g);
    }
    return g;
  };
  const fleetOf = (d: Device, apn: string, v2: boolean, r: Prng): [IotFleet, IotDevice] => {
    const home = ipw.byOp.get(d.home) as IpOperator;
    const visited = ipw.byOp.get(d.visited) as IpOperator;
    // (the two draws stay: the random stream, and so every later plan, is as before cells were planted)
    r.range(1, 0xfffe);
    r.range(1, 0xfffe);
    const [lac, ci] = cellOf(d.imsi, d.cell);
    return [{ home, visited, apn, devices: [], v2, lac, ci }, d.dev];
  };

  const fd = openSync(devicesPath, 'w');
  let lines = '';
  const byLabel: Record<string, number> = {};
  const ops = e.world.operators;
  for (let i = 0; i < o.devices; i++) {
    const label = DEVICE_LABELS[i % DEVICE_LABELS.length];
    byLabel[label] = (byLabel[label] ?? 0) + 1;
    const r = rng.fork();
    const home = r.pick(ops);
    const visited = pickVisited(r, e.world, home);
    const imsi = newImsi(r, home);
    const d: Device = {
      label, imsi, dev: { imsi, msisdn: newMsisdn(r, home), imei: '35' + r.digits(12) }, home, visited,
      vlr: r.pick(visited.vlrs), sgsn: r.pick(visited.sgsns), hlr: r.pick(home.hlrs), cell: 0,
    };
    lines += JSON.stringify({ imsi, label, home_mcc: home.mcc, home_mnc: home.mnc, visited_mcc: visited.mcc, visited_mnc: visited.mnc }) + '\n';
    if (lines.length > 1 << 16) {
      writeSync(fd, lines);
      lines = '';
    }
    plan(d, r);
  }
  writeSync(fd, lines);
  closeSync(fd);

  function map(d: Device, proc: Parameters<typeof startProcedure>[1], t: number, extra: Partial<Parameters<typeof startProcedure>[3]> = {}): void {
    if (t >= endUs) return;
    e.at(t, () => startProcedure(e, proc, t, { imsi: d.imsi, home: d.home, visited: d.visited, outcome: OK, ...extra }));
  }
  function tunnel(d: Device, t: number, version: GtpVersion, apn: string, r: Prng): void {
    if (t >= endUs) return;
    const g = gx(d.label, version);
    const dev = fleetOf(d, apn, version === 'gtpv2', r);
    e.at(t, () => startTunnel(g, t, { device: dev }));
  }
  /** repeat fn at t, t + step(), ... while inside the span, one event at a time */
  function every(t: number, step: () => number, fn: (t: number) => void): void {
    if (t >= endUs) return;
    e.at(t, () => {
      fn(t);
      every(t + Math.max(1, Math.round(step())), step, fn);
    });
  }

  function plan(d: Device, r: Prng): void {
    const t0 = startUs + r.int(10 * MIN);
    switch (d.label) {
      case 'smart_meter': {
        map(d, 'updateGprsLocation', t0, { from: d.sgsn, to: d.hlr });
        every(t0 + 5 * S + r.int(20 * MIN), () => 30 * MIN + r.range(-2 * S, 2 * S), (t) => {
          map(d, 'sendAuthenticationInfo', t, { from: d.sgsn, to: d.hlr });
          tunnel(d, t + r.range(300_000, 900_000), 'gtpv1', 'meter.iot', r);
        });
        break;
      }
      case 'tracker': {
        every(t0, () => r.exp(35 * MIN), (t) => {
          const old = d.vlr;
          if (r.chance(0.5)) d.visited = pickVisited(r, e.world, d.home);
          d.vlr = r.pick(d.visited.vlrs.length > 1 ? d.visited.vlrs.filter((v) => v !== old) : d.visited.vlrs);
          d.sgsn = r.pick(d.visited.sgsns);
          d.cell++;
          map(d, 'sendAuthenticationInfo', t, { from: d.vlr, to: d.hlr });
          map(d, 'updateLocation', t + r.range(200_000, 800_000), { from: d.vlr, to: d.hlr });
          if (r.chance(0.7)) map(d, 'cancelLocation', t + r.range(1 * S, 3 * S), { from: d.hlr, to: old });
          tunnel(d, t + r.range(4 * S, 10 * S), 'gtpv1', 'fleet.track', r);
        });
        break;
      }
      case 'failing': {
        every(t0, () => r.exp(20 * MIN), (t) => {
          const v = pickVisited(r, e.world, d.home);
          const vlr = r.pick(v.vlrs);
          d.cell++;
          map(d, 'sendAuthenticationInfo', t, { visited: v, from: vlr, to: d.hlr, outcome: r.chance(0.5) ? err(M.ERR_UNKNOWN_SUBSCRIBER) : OK });
          map(d, 'updateLocation', t + r.range(300_000, 900_000), {
            visited: v, from: vlr, to: d.hlr, outcome: err(r.chance(0.6) ? M.ERR_ROAMING_NOT_ALLOWED : r.chance(0.7) ? M.ERR_UNKNOWN_SUBSCRIBER : M.ERR_UNEXPECTED_DATA_VALUE),
          });
          if (r.chance(0.3)) tunnel(d, t + r.range(2 * S, 5 * S), 'gtpv1', 'iot.m2m', r);
        });
        break;
      }
      case 'data_heavy': {
        every(t0, () => 150 * MIN + r.int(30 * MIN), (t) => {
          map(d, 'sendAuthenticationInfo', t, { from: d.sgsn, to: d.hlr });
          tunnel(d, t + r.range(1 * S, 3 * S), 'gtpv2', 'internet', r);
        });
        break;
      }
      case 'sms_unit': {
        map(d, 'updateLocation', t0, { from: d.vlr, to: d.hlr });
        every(t0 + r.int(2 * 3600 * S), () => 2 * 3600 * S + r.int(10 * MIN), (t) => map(d, 'sendAuthenticationInfo', t, { from: d.vlr, to: d.hlr }));
        every(t0 + 10 * S + r.int(15 * MIN), () => r.exp(15 * MIN), (t) => {
          const k = r.int(3);
          if (k === 0) {
            map(d, 'sendRoutingInfoForSM', t, { to: d.hlr });
            map(d, 'mt-ForwardSM', t + r.range(200_000, 600_000), { to: d.vlr });
          } else if (k === 1) map(d, 'mt-ForwardSM', t, { to: d.vlr, outcome: r.chance(0.05) ? err(M.ERR_SUBSCRIBER_BUSY_FOR_MT_SMS) : OK });
          else map(d, 'mo-ForwardSM', t, { from: d.vlr });
        });
        break;
      }
      case 'consumer_phone': {
        const episodes = r.range(2, 6);
        const vlrs = [d.vlr, r.pick(d.visited.vlrs)];
        for (let k = 0; k < episodes; k++) {
          const t = startUs + r.int(Math.max(1, endUs - startUs - 15 * MIN));
          const vi = r.int(2);
          const vlr = vlrs[vi];
          d.cell = vi;
          map(d, 'sendAuthenticationInfo', t, { from: vlr, to: d.hlr });
          map(d, 'updateLocation', t + r.range(200_000, 900_000), { from: vlr, to: d.hlr, outcome: r.chance(0.05) ? err(M.ERR_SYSTEM_FAILURE) : OK });
          if (r.chance(0.5)) tunnel(d, t + r.range(3 * S, 20 * S), 'gtpv2', 'internet', r);
          if (r.chance(0.3)) map(d, 'mt-ForwardSM', t + r.range(30 * S, 300 * S), { to: vlr, outcome: r.chance(0.2) ? err(M.ERR_ABSENT_SUBSCRIBER_SM) : OK });
        }
        break;
      }
    }
  }

  e.run();
  tunnels.close();
  const { packets, bytes } = e.finish();
  return { packets, dialogues: e.truth.lines, bytes, truthPath, tunnelsPath, devicesPath, tunnels: tunnels.lines, byLabel };
}
