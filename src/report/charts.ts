/**
 * ECharts options (plain JSON: no functions) for the report's charts, built from the model. The
 * page's script only initializes each chart with its option (SVG renderer, no animation).
 */
import type { ReportModel } from '../analytics/model';

export type ChartOption = Record<string, unknown>;

const PALETTE = ['#2f6fb0', '#e07b39', '#3a9e6f', '#c8423b', '#8a63b8', '#b8912f', '#2aa6b8', '#d16fa4', '#6d7f8f', '#93b33a', '#555'];

const hourLabel = (iso: string) => `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;

/** The top n keys by weight, the rest summed as "other". */
function topKeys(weights: Map<string, number>, n: number): { keys: string[]; other: boolean } {
  const sorted = [...weights.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map((e) => e[0]);
  return { keys: sorted.slice(0, n), other: sorted.length > n };
}

function base(title: string): ChartOption {
  return {
    color: PALETTE,
    animation: false,
    textStyle: { fontFamily: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif' },
    title: { text: title, left: 0, top: 0, textStyle: { fontSize: 14, fontWeight: 600 } },
    grid: { left: 64, right: 24, top: 56, bottom: 64, containLabel: false },
    tooltip: { trigger: 'axis', confine: true },
  };
}

function legend(data: string[]): ChartOption {
  return { type: data.length > 12 ? 'scroll' : 'plain', top: 24, left: 0, right: 0, data, textStyle: { fontSize: 11 }, itemWidth: 14, itemHeight: 10 };
}

/** Stacked bars per hour, one series per key (top 8, then "other"). */
function stackedPerHour(
  title: string,
  rows: { hour: string; key: string; n: number }[],
  hours: string[],
  yName: string,
): ChartOption {
  const w = new Map<string, number>();
  for (const r of rows) w.set(r.key, (w.get(r.key) ?? 0) + r.n);
  const { keys, other } = topKeys(w, 8);
  const names = other ? [...keys, 'other'] : keys;
  const idx = new Map(hours.map((h, i) => [h, i]));
  const data = new Map(names.map((k) => [k, new Array<number>(hours.length).fill(0)]));
  for (const r of rows) {
    const k = keys.includes(r.key) ? r.key : 'other';
    (data.get(k) as number[])[idx.get(r.hour) as number] += r.n;
  }
  return {
    ...base(title),
    legend: legend(names),
    grid: { left: 64, right: 24, top: names.length > 6 ? 78 : 56, bottom: 64 },
    xAxis: { type: 'category', data: hours.map(hourLabel), name: 'hour (UTC)', nameLocation: 'middle', nameGap: 40 },
    yAxis: { type: 'value', name: yName, nameLocation: 'middle', nameGap: 48 },
    series: names.map((k) => ({ name: k, type: 'bar', stack: 'all', barMaxWidth: 40, data: data.get(k) })),
  };
}

const pairLabel = (h: string | null, v: string | null) => `${h ?? '?'} → ${v ?? '?'}`;

export function buildCharts(m: ReportModel): Record<string, ChartOption | null> {
  const hours = [...new Set([...m.traffic.map((t) => t.hour), ...m.errors.map((e) => e.hour)])].sort();
  const charts: Record<string, ChartOption | null> = {};

  // 1. traffic
  charts.traffic =
    m.traffic.length === 0
      ? null
      : stackedPerHour('Dialogues per hour by protocol and procedure', m.traffic.map((t) => ({ hour: t.hour, key: `${t.protocol} ${t.procedure}`, n: t.dialogues })), hours, 'dialogues per hour');
  {
    const protos = [...new Set(m.records_per_device.map((r) => r.protocol))].sort();
    const rh = [...new Set(m.records_per_device.map((r) => r.hour))].sort();
    charts.recordsPerDevice =
      m.records_per_device.length === 0
        ? null
        : {
            ...base('Dialogues per device per hour (mean; the table has the standard deviation)'),
            legend: legend(protos),
            xAxis: { type: 'category', data: rh.map(hourLabel), name: 'hour (UTC)', nameLocation: 'middle', nameGap: 40 },
            yAxis: { type: 'value', name: 'dialogues per device', nameLocation: 'middle', nameGap: 48 },
            series: protos.map((p) => {
              const by = new Map(m.records_per_device.filter((r) => r.protocol === p).map((r) => [r.hour, r.mean]));
              return { name: p, type: 'line', symbolSize: 6, data: rh.map((h) => (by.has(h) ? Number((by.get(h) as number).toFixed(3)) : null)) };
            }),
          };
  }

  // 2. devices
  {
    const days = [...new Set(m.devices.map((d) => d.day))].sort();
    const protos = [...new Set(m.devices.map((d) => d.protocol))].sort();
    charts.devices =
      m.devices.length === 0
        ? null
        : {
            ...base('Distinct devices per day by protocol'),
            legend: legend(protos),
            xAxis: { type: 'category', data: days, name: 'day (UTC)', nameLocation: 'middle', nameGap: 40 },
            yAxis: { type: 'value', name: 'devices', nameLocation: 'middle', nameGap: 48 },
            series: protos.map((p) => {
              const by = new Map(m.devices.filter((d) => d.protocol === p).map((d) => [d.day, d.devices]));
              return { name: p, type: 'bar', barMaxWidth: 48, data: days.map((d) => by.get(d) ?? 0) };
            }),
          };
    charts.inOut =
      m.inbound_outbound === null || m.inbound_outbound.length === 0
        ? null
        : {
            ...base("Inbound and outbound roamers per day (customers' networks)"),
            legend: legend(['inbound', 'outbound']),
            xAxis: { type: 'category', data: m.inbound_outbound.map((r) => r.day), name: 'day (UTC)', nameLocation: 'middle', nameGap: 40 },
            yAxis: { type: 'value', name: 'devices', nameLocation: 'middle', nameGap: 48 },
            series: [
              { name: 'inbound', type: 'bar', barMaxWidth: 48, data: m.inbound_outbound.map((r) => r.inbound) },
              { name: 'outbound', type: 'bar', barMaxWidth: 48, data: m.inbound_outbound.map((r) => r.outbound) },
            ],
          };
  }

  // 3. roaming matrix heatmap (top 20 × 20 countries by devices)
  {
    const hw = new Map<string, number>();
    const vw = new Map<string, number>();
    for (const r of m.matrix) {
      hw.set(r.home_country, (hw.get(r.home_country) ?? 0) + r.devices);
      vw.set(r.visited_country, (vw.get(r.visited_country) ?? 0) + r.devices);
    }
    const homes = topKeys(hw, 20).keys.reverse();
    const visited = topKeys(vw, 20).keys;
    const data = m.matrix
      .filter((r) => homes.includes(r.home_country) && visited.includes(r.visited_country))
      .map((r) => [visited.indexOf(r.visited_country), homes.indexOf(r.home_country), r.devices, Number((100 * r.share).toFixed(1))]);
    const max = Math.max(1, ...m.matrix.map((r) => r.devices));
    charts.matrix =
      m.matrix.length === 0
        ? null
        : {
            ...base('Roaming matrix: devices per home country (rows) and visited country (columns)'),
            tooltip: { trigger: 'item', confine: true },
            grid: { left: 64, right: 24, top: 48, bottom: 96 },
            xAxis: { type: 'category', data: visited, name: 'visited country', nameLocation: 'middle', nameGap: 32, splitArea: { show: true } },
            yAxis: { type: 'category', data: homes, name: 'home country', nameLocation: 'middle', nameGap: 44, splitArea: { show: true } },
            visualMap: {
              dimension: 2,
              min: 0,
              max,
              calculable: false,
              orient: 'horizontal',
              left: 'center',
              bottom: 0,
              text: [`${max} devices`, '0 devices'],
              inRange: { color: ['#eef4fb', '#9cc3e6', '#2f6fb0', '#173a63'] },
            },
            series: [
              {
                name: 'devices',
                type: 'heatmap',
                data,
                label: { show: true, formatter: '{@[2]}', fontSize: 11 },
                encode: { tooltip: [2, 3] },
                dimensions: ['visited', 'home', 'devices', 'share of home country %'],
              },
            ],
          };
  }

  // 4. errors
  charts.errors =
    m.errors.length === 0
      ? null
      : stackedPerHour('Failed dialogues per hour by protocol and result', m.errors.map((e) => ({ hour: e.hour, key: `${e.protocol} ${e.result}`, n: e.dialogues })), hours, 'failed dialogues per hour');

  // 5. steering of roaming
  {
    const rows = m.sor.filter((r) => r.devices_rna > 0).slice(0, 15);
    charts.sor =
      rows.length === 0
        ? null
        : {
            ...base('Steering of roaming: devices with a Roaming-Not-Allowed, and those steered, per pair'),
            tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' } },
            legend: legend(['devices with LU attempts', 'devices with RNA', 'steered']),
            grid: { left: 96, right: 24, top: 56, bottom: 48 },
            yAxis: { type: 'category', inverse: true, data: rows.map((r) => pairLabel(r.home_country, r.visited_country)) },
            xAxis: { type: 'value', name: 'devices', nameLocation: 'middle', nameGap: 28 },
            series: [
              { name: 'devices with LU attempts', type: 'bar', data: rows.map((r) => r.devices), itemStyle: { color: '#b9cfe6' } },
              { name: 'devices with RNA', type: 'bar', data: rows.map((r) => r.devices_rna), itemStyle: { color: '#e07b39' } },
              { name: 'steered', type: 'bar', data: rows.map((r) => r.steered), itemStyle: { color: '#3a9e6f' } },
            ],
          };
  }

  // 6. data sessions
  {
    const ds = m.data_sessions;
    const rows = ds.by_partner_apn.slice(0, 15);
    charts.dataPartner =
      rows.length === 0
        ? null
        : {
            ...base('Create success rate per partner and APN (%)'),
            tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' } },
            grid: { left: 200, right: 32, top: 40, bottom: 48 },
            yAxis: { type: 'category', inverse: true, data: rows.map((r) => `${r.partner} · ${r.apn}`), axisLabel: { width: 190, overflow: 'truncate' } },
            xAxis: { type: 'value', min: 0, max: 100, name: 'accepted / creates (%)', nameLocation: 'middle', nameGap: 28 },
            series: [{ name: 'success %', type: 'bar', data: rows.map((r) => Number((100 * r.success_rate).toFixed(2))), label: { show: true, position: 'right', formatter: '{c} %' } }],
          };
    const hist = (title: string, h: { bucket: string; tunnels: number }[], xName: string): ChartOption | null =>
      h.every((b) => b.tunnels === 0)
        ? null
        : {
            ...base(title),
            tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' } },
            grid: { left: 64, right: 16, top: 40, bottom: 56 },
            xAxis: { type: 'category', data: h.map((b) => b.bucket), name: xName, nameLocation: 'middle', nameGap: 36, axisLabel: { interval: 0, fontSize: 10 } },
            yAxis: { type: 'value', name: 'sessions', nameLocation: 'middle', nameGap: 44 },
            series: [{ name: 'sessions', type: 'bar', data: h.map((b) => b.tunnels), itemStyle: { color: '#3a9e6f' } }],
          };
    charts.dataDuration = hist('Session duration (Create → Delete)', ds.duration_histogram, 'duration');
    charts.dataBytes = hist('User data per session (up + down)', ds.bytes_histogram, 'bytes per session (k = 1000, M = 10⁶)');
  }

  // 7. silent roamers
  {
    const rows = m.silent_roamers.slice(0, 15);
    charts.silent =
      rows.length === 0
        ? null
        : {
            ...base('Silent roamers per home → visited country'),
            tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' } },
            grid: { left: 96, right: 32, top: 40, bottom: 48 },
            yAxis: { type: 'category', inverse: true, data: rows.map((r) => pairLabel(r.home_country, r.visited_country)) },
            xAxis: { type: 'value', name: 'devices', nameLocation: 'middle', nameGap: 28 },
            series: [{ name: 'silent roamers', type: 'bar', data: rows.map((r) => r.devices), itemStyle: { color: '#8a63b8' }, label: { show: true, position: 'right' } }],
          };
  }

  // 8. storms
  charts.storms =
    m.per_minute.length === 0
      ? null
      : {
          ...base('Dialogues per minute, the storm threshold (k × rolling median) and storm minutes'),
          legend: legend(['dialogues per minute', `threshold (${m.parameters.storm_k} × median)`, 'storm minute']),
          grid: { left: 64, right: 24, top: 56, bottom: 88 },
          xAxis: { type: 'time', name: 'time (UTC)', nameLocation: 'middle', nameGap: 28 },
          yAxis: { type: 'value', name: 'dialogues per minute', nameLocation: 'middle', nameGap: 48 },
          dataZoom: [{ type: 'slider', bottom: 8, height: 20 }, { type: 'inside' }],
          series: [
            { name: 'dialogues per minute', type: 'line', showSymbol: false, lineStyle: { width: 1.2 }, areaStyle: { opacity: 0.12 }, data: m.per_minute.map((p) => [p.minute, p.dialogues]) },
            {
              name: `threshold (${m.parameters.storm_k} × median)`,
              type: 'line',
              showSymbol: false,
              lineStyle: { type: 'dashed', width: 1, color: '#c8423b' },
              itemStyle: { color: '#c8423b' },
              data: m.per_minute.map((p) => [p.minute, p.median === null ? null : p.median * m.parameters.storm_k]),
            },
            { name: 'storm minute', type: 'scatter', symbolSize: 9, itemStyle: { color: '#c8423b' }, data: m.storms.map((s) => [s.minute, s.dialogues]) },
          ],
        };

  // 9. latency
  {
    const rows = m.latency.slice(0, 15);
    charts.latency =
      rows.length === 0
        ? null
        : {
            ...base('Latency percentiles of the busiest procedures and partners (ms)'),
            tooltip: { trigger: 'axis', confine: true, axisPointer: { type: 'shadow' } },
            legend: legend(['p50', 'p95', 'p99']),
            grid: { left: 280, right: 32, top: 56, bottom: 48 },
            yAxis: { type: 'category', inverse: true, data: rows.map((r) => `${r.partner} · ${r.procedure}`), axisLabel: { width: 270, overflow: 'truncate' } },
            xAxis: { type: 'value', name: 'latency (ms)', nameLocation: 'middle', nameGap: 28 },
            series: (['p50', 'p95', 'p99'] as const).map((p) => ({ name: p, type: 'bar', data: rows.map((r) => r[`${p}_ms`]) })),
          };
  }
  return charts;
}
