// Device clustering (issue 14): per feature NA → 0 and log1p of the counts / durations, z-score
// standardisation (constant columns dropped), PCA (ml-pca, covariance method) to the fewest
// components keeping ≥ 90 % of the variance, k-means (ml-kmeans, k-means++ seeding) with several
// restarts from seeds derived from one seed, the lowest within-cluster sum of squares kept;
// `auto` picks K in 2..12 by the mean silhouette on a fixed stride sample. Deterministic: the same
// matrix and seed give the same clusters (clusters are renumbered by size, then first member).
import { FEATURE_NAMES } from './features';
import type { FeatureVector } from './features';

// ml-pca is CommonJS; ml-kmeans is an ES module that Node 20.19+ loads with require()
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PCA } = require('ml-pca') as { PCA: new (data: number[][], o: { method: string; center: boolean; scale: boolean }) => PcaModel };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kmeans } = require('ml-kmeans') as { kmeans: (data: number[][], k: number, o: { initialization: string; seed: number; maxIterations: number; tolerance: number }) => { clusters: number[]; centroids: number[][] } };

interface PcaModel {
  getExplainedVariance(): number[];
  predict(data: number[][], o: { nComponents: number }): { to2DArray(): number[][] };
}

export const VARIANCE_KEPT = 0.9;
export const AUTO_K_MIN = 2;
export const AUTO_K_MAX = 12;
export const SILHOUETTE_SAMPLE = 2000;

/** features transformed with log1p before standardising: counts, minutes, seconds */
export function isLogFeature(name: string): boolean {
  return /^n_/.test(name) || /_minutes$/.test(name) || /^top_/.test(name) || name === 'mean_number_of_messages_per_session' || /_(mean|sd)$/.test(name);
}

export interface ClusterOptions {
  /** number of clusters, or 'auto' */
  k: number | 'auto';
  seed: number;
  restarts?: number;
}

export interface ClusterResult {
  k: number;
  /** cluster (0-based, by decreasing size) per device */
  assignment: number[];
  components: number;
  explained: number[];
  /** first two principal components per device (scatter) */
  pc2: [number, number][];
  /** mean silhouette per K tried (auto) or for the chosen K (sample) */
  silhouette: { k: number; value: number }[];
  /** standardised columns used (feature names) */
  used: string[];
}

/** NA → 0, log1p, z-score; returns the matrix and the kept column names */
export function standardise(rows: readonly FeatureVector[]): { x: number[][]; used: string[] } {
  const nf = FEATURE_NAMES.length;
  const n = rows.length;
  const logc = FEATURE_NAMES.map(isLogFeature);
  const val = (r: FeatureVector, j: number): number => {
    const v = r[j];
    if (v === null || !Number.isFinite(v)) return 0;
    return logc[j] ? Math.log1p(Math.max(0, v)) : v;
  };
  const mean = new Float64Array(nf);
  const m2 = new Float64Array(nf);
  for (const r of rows) for (let j = 0; j < nf; j++) mean[j] += val(r, j);
  for (let j = 0; j < nf; j++) mean[j] /= Math.max(1, n);
  for (const r of rows)
    for (let j = 0; j < nf; j++) {
      const d = val(r, j) - mean[j];
      m2[j] += d * d;
    }
  const keep: number[] = [];
  const sd: number[] = [];
  for (let j = 0; j < nf; j++) {
    const s = Math.sqrt(m2[j] / Math.max(1, n));
    if (s > 1e-12) {
      keep.push(j);
      sd.push(s);
    }
  }
  const x = rows.map((r) => keep.map((j, k) => (val(r, j) - mean[j]) / sd[k]));
  return { x, used: keep.map((j) => FEATURE_NAMES[j]) };
}

function sqDist(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

function fitKmeans(x: number[][], k: number, seed: number, restarts: number): { clusters: number[]; centroids: number[][]; sse: number } {
  let best: { clusters: number[]; centroids: number[][]; sse: number } | null = null;
  for (let r = 0; r < restarts; r++) {
    const res = kmeans(x, k, { initialization: 'kmeans++', seed: (seed * 7919 + r * 104729) >>> 0, maxIterations: 100, tolerance: 1e-6 });
    let sse = 0;
    for (let i = 0; i < x.length; i++) sse += sqDist(x[i], res.centroids[res.clusters[i]]);
    if (best === null || sse < best.sse - 1e-9) best = { clusters: res.clusters, centroids: res.centroids, sse };
  }
  return best!;
}

/** mean silhouette (Rousseeuw 1987) of the points at `idx` among themselves, Euclidean */
export function silhouette(x: readonly number[][], labels: readonly number[], idx: readonly number[], k: number): number {
  const m = idx.length;
  if (m < 2) return 0;
  let total = 0;
  const sum = new Float64Array(k);
  const cnt = new Int32Array(k);
  for (const i of idx) cnt[labels[i]]++;
  for (const i of idx) {
    sum.fill(0);
    for (const j of idx) if (j !== i) sum[labels[j]] += Math.sqrt(sqDist(x[i], x[j]));
    const own = labels[i];
    if (cnt[own] <= 1) continue; // s(i) = 0 for a singleton
    const a = sum[own] / (cnt[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && cnt[c] > 0) b = Math.min(b, sum[c] / cnt[c]);
    if (b === Infinity) continue;
    total += (b - a) / Math.max(a, b);
  }
  return total / m;
}

function strideSample(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.floor((k * n) / max));
  return out;
}

/** clusters renumbered 0.. by decreasing size (ties: the cluster of the lower first member) */
function renumber(clusters: readonly number[], k: number): number[] {
  const size = new Array(k).fill(0);
  const first = new Array(k).fill(Infinity);
  clusters.forEach((c, i) => {
    size[c]++;
    if (first[c] === Infinity) first[c] = i;
  });
  const order = Array.from({ length: k }, (_, c) => c).filter((c) => size[c] > 0).sort((a, b) => size[b] - size[a] || first[a] - first[b]);
  const map = new Array(k).fill(-1);
  order.forEach((c, i) => (map[c] = i));
  return clusters.map((c) => map[c]);
}

export function clusterDevices(rows: readonly FeatureVector[], o: ClusterOptions): ClusterResult {
  const n = rows.length;
  const { x, used } = standardise(rows);
  let proj: number[][];
  let explained: number[] = [];
  let components: number;
  if (used.length === 0) {
    proj = x.map(() => [0]);
    components = 1;
  } else {
    const pca = new PCA(x, { method: 'covarianceMatrix', center: true, scale: false });
    explained = pca.getExplainedVariance();
    components = 1;
    let acc = explained[0] ?? 1;
    while (acc < VARIANCE_KEPT - 1e-12 && components < explained.length) acc += explained[components++];
    proj = pca.predict(x, { nComponents: Math.max(2, components) }).to2DArray();
  }
  const pc2 = proj.map((p) => [p[0] ?? 0, p[1] ?? 0] as [number, number]);
  const data = proj.map((p) => p.slice(0, components));
  const restarts = o.restarts ?? 8;
  const sample = strideSample(n, SILHOUETTE_SAMPLE);
  const sil: { k: number; value: number }[] = [];
  let k: number;
  let fit: { clusters: number[] };
  if (o.k === 'auto') {
    let best: { k: number; value: number; clusters: number[] } | null = null;
    for (let kk = AUTO_K_MIN; kk <= Math.min(AUTO_K_MAX, n - 1); kk++) {
      const f = fitKmeans(data, kk, o.seed, Math.max(2, Math.ceil(restarts / 2)));
      const s = silhouette(data, f.clusters, sample, kk);
      sil.push({ k: kk, value: s });
      if (best === null || s > best.value + 1e-12) best = { k: kk, value: s, clusters: f.clusters };
    }
    k = best!.k;
    fit = fitKmeans(data, k, o.seed, restarts);
  } else {
    k = o.k;
    fit = fitKmeans(data, k, o.seed, restarts);
    sil.push({ k, value: silhouette(data, fit.clusters, sample, k) });
  }
  const assignment = renumber(fit.clusters, k);
  // identical devices can leave clusters empty: K = the clusters that have members
  const kk = assignment.reduce((m, c) => Math.max(m, c + 1), 0);
  return { k: kk, assignment, components, explained: explained.slice(0, Math.max(2, components)), pc2, silhouette: sil, used };
}

/** adjusted Rand index (Hubert & Arabie 1985) of two labelings of the same items */
export function adjustedRandIndex(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  if (a.length !== b.length) throw new Error('labelings of different lengths');
  const n = a.length;
  const c2 = (x: number): number => (x * (x - 1)) / 2;
  const cont = new Map<string, number>();
  const ra = new Map<string | number, number>();
  const rb = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    cont.set(key, (cont.get(key) ?? 0) + 1);
    ra.set(a[i], (ra.get(a[i]) ?? 0) + 1);
    rb.set(b[i], (rb.get(b[i]) ?? 0) + 1);
  }
  let sumIj = 0;
  for (const v of cont.values()) sumIj += c2(v);
  let sumA = 0;
  for (const v of ra.values()) sumA += c2(v);
  let sumB = 0;
  for (const v of rb.values()) sumB += c2(v);
  const expected = (sumA * sumB) / c2(n);
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1;
  return (sumIj - expected) / (max - expected);
}
