// Output files of `sigprobe devices`: features.csv, clusters.csv, profiles.json and a
// self-contained profiles.html (ECharts inlined: no network access needed to open it).
import { readFileSync } from 'node:fs';
import { FEATURE_NAMES, FeatureVector } from './features';
import type { ClusterProfile } from './profiles';

/** a number as CSV text: integers as is, others with up to 6 significant decimals; NA empty */
export function num(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(10)));
}

export function featuresHeader(): string {
  return ['device', ...FEATURE_NAMES].join(',') + '\n';
}

export function featuresLine(device: string, f: FeatureVector): string {
  let s = csvField(device);
  for (const v of f) s += ',' + num(v);
  return s + '\n';
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface ProfilesDoc {
  spool: string;
  period: { from: string; to: string; from_us: number; to_us: number };
  devices: number;
  dialogues: number;
  seed: number;
  k: number;
  k_requested: number | 'auto';
  pca: { components: number; explained_variance: number[]; variance_kept: number; standardised_features: number };
  silhouette: { k: number; value: number }[];
  features: readonly string[];
  clusters: ClusterProfile[];
}

function echartsSource(): string {
  const p = require.resolve('echarts/dist/echarts.min.js');
  return readFileSync(p, 'utf8');
}

/** text safe inside <script>: no closing tag, no HTML comment opener */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'NA';
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e6) ? v.toExponential(2) : String(Number(v.toFixed(2)));
}

/** at most `max` scatter points, a fixed stride over the devices */
export function scatterPoints(pc2: readonly [number, number][], assignment: readonly number[], max = 5000): [number, number, number][] {
  const n = pc2.length;
  const step = Math.max(1, Math.ceil(n / max));
  const out: [number, number, number][] = [];
  for (let i = 0; i < n; i += step) out.push([Number(pc2[i][0].toFixed(4)), Number(pc2[i][1].toFixed(4)), assignment[i]]);
  return out;
}

export function profilesHtml(doc: ProfilesDoc, points: [number, number, number][]): string {
  const tables = doc.clusters
    .map((c) => {
      const rows = c.distinguishing
        .map((d) => `<tr><td>${esc(d.feature)}</td><td class="${d.side}">${d.side === 'high' ? '▲ above q80' : '▼ below q20'}</td><td>${fmt(d.mean)}</td><td>${fmt(d.q20)}</td><td>${fmt(d.q80)}</td><td>${fmt(d.population_mean)}</td></tr>`)
        .join('\n');
      return `<section class="cluster" id="cluster-${c.cluster}"><h2>Cluster ${c.cluster}: ${esc(c.label)}</h2>
<p>${c.size} devices (${(100 * c.share).toFixed(1)} %) · dialogues per device ${fmt(c.means.n)} · sessions ${fmt(c.means.n_sessions)} · GTP ${fmt(c.means.pct_gtp)} % · rejects ${fmt(c.means.pct_rejects)} % · errors ${fmt(c.means.pct_errors)} % · VLRs ${fmt(c.means.n_vlr_unique)}</p>
<table><thead><tr><th>feature</th><th></th><th>cluster mean</th><th>q20</th><th>q80</th><th>all devices mean</th></tr></thead><tbody>
${rows || '<tr><td colspan="6">no feature outside the 20–80 % quantile band</td></tr>'}
</tbody></table></section>`;
    })
    .join('\n');
  const meta = {
    k: doc.k,
    labels: doc.clusters.map((c) => `${c.cluster}: ${c.label}`),
    explained: doc.pca.explained_variance.slice(0, 2),
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sigprobe device profiles</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.high{color:#b00}.low{color:#05a}
#scatter{width:100%;max-width:1000px;height:600px}
</style></head><body>
<h1>Device profiles</h1>
<p>Spool <code>${esc(doc.spool)}</code>, period ${esc(doc.period.from)} – ${esc(doc.period.to)}: ${doc.devices} devices, ${doc.dialogues} dialogues.
K = ${doc.k} (${doc.k_requested === 'auto' ? 'chosen by silhouette' : 'requested'}), seed ${doc.seed}; PCA ${doc.pca.components} components (≥ ${100 * doc.pca.variance_kept} % of the variance of ${doc.pca.standardised_features} standardised features).</p>
<h2>PCA scatter (PC1 × PC2${points.length < doc.devices ? `, ${points.length} of ${doc.devices} devices` : ''})</h2>
<div id="scatter"></div>
${tables}
<script>${scriptSafe(echartsSource())}</script>
<script>
(function(){
var pts=${scriptSafe(JSON.stringify(points))};
var meta=${scriptSafe(JSON.stringify(meta))};
var series=[];
for(var c=0;c<meta.k;c++){series.push({name:meta.labels[c],type:'scatter',symbolSize:4,large:true,data:pts.filter(function(p){return p[2]===c}).map(function(p){return [p[0],p[1]]})});}
var chart=echarts.init(document.getElementById('scatter'),null,{renderer:'canvas'});
chart.setOption({animation:false,legend:{top:0},tooltip:{trigger:'item'},
xAxis:{name:'PC1 ('+(100*(meta.explained[0]||0)).toFixed(1)+' %)',scale:true},yAxis:{name:'PC2 ('+(100*(meta.explained[1]||0)).toFixed(1)+' %)',scale:true},
grid:{top:60},series:series});
document.body.setAttribute('data-rendered','1');
})();
</script>
</body></html>
`;
}
