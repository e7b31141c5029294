// Cluster profiles (issue 14): per cluster its size, the means of the features, the features that
// distinguish it most (cluster mean above the population's 80 % quantile or below its 20 %
// quantile, as the TNSM'24 study's tables; ranked by |cluster mean − population mean| / sd) and a
// plain-words label guess from a few of those means.
import { FEATURE_NAMES, FeatureVector, nearestRank } from './features';

export interface Distinguishing {
  feature: string;
  side: 'high' | 'low';
  mean: number;
  q20: number;
  q80: number;
  population_mean: number;
  /** (cluster mean − population mean) / population sd */
  z: number;
}

export interface ClusterProfile {
  cluster: number;
  size: number;
  share: number;
  label: string;
  distinguishing: Distinguishing[];
  /** mean of every feature over the cluster's devices that have it (null: none has it) */
  means: Record<string, number | null>;
}

interface ColumnStats {
  q20: number | null;
  q80: number | null;
  mean: number | null;
  sd: number;
}

function columnStats(rows: readonly FeatureVector[], j: number): ColumnStats {
  const v: number[] = [];
  for (const r of rows) {
    const x = r[j];
    if (x !== null && Number.isFinite(x)) v.push(x);
  }
  if (v.length === 0) return { q20: null, q80: null, mean: null, sd: 0 };
  v.sort((a, b) => a - b);
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let s2 = 0;
  for (const x of v) s2 += (x - mean) * (x - mean);
  return { q20: nearestRank(v, 20), q80: nearestRank(v, 80), mean, sd: Math.sqrt(s2 / v.length) };
}

export const TOP_DISTINGUISHING = 10;

export function clusterProfiles(rows: readonly FeatureVector[], assignment: readonly number[], k: number): ClusterProfile[] {
  const nf = FEATURE_NAMES.length;
  const stats = FEATURE_NAMES.map((_, j) => columnStats(rows, j));
  const sums = Array.from({ length: k }, () => new Float64Array(nf));
  const cnts = Array.from({ length: k }, () => new Float64Array(nf));
  const sizes = new Array(k).fill(0);
  rows.forEach((r, i) => {
    const c = assignment[i];
    sizes[c]++;
    for (let j = 0; j < nf; j++) {
      const x = r[j];
      if (x !== null && Number.isFinite(x)) {
        sums[c][j] += x;
        cnts[c][j]++;
      }
    }
  });
  const out: ClusterProfile[] = [];
  for (let c = 0; c < k; c++) {
    const means: Record<string, number | null> = {};
    const dist: Distinguishing[] = [];
    for (let j = 0; j < nf; j++) {
      const m = cnts[c][j] > 0 ? sums[c][j] / cnts[c][j] : null;
      means[FEATURE_NAMES[j]] = m;
      const st = stats[j];
      if (m === null || st.q20 === null || st.q80 === null || st.mean === null || st.sd <= 1e-12) continue;
      const side = m > st.q80 ? 'high' : m < st.q20 ? 'low' : null;
      if (side === null) continue;
      dist.push({ feature: FEATURE_NAMES[j], side, mean: m, q20: st.q20, q80: st.q80, population_mean: st.mean, z: (m - st.mean) / st.sd });
    }
    dist.sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || a.feature.localeCompare(b.feature));
    out.push({ cluster: c, size: sizes[c], share: rows.length ? sizes[c] / rows.length : 0, label: '', distinguishing: dist.slice(0, TOP_DISTINGUISHING), means });
  }
  const q = (name: string, p: 20 | 80): number => {
    const st = stats[FEATURE_NAMES.indexOf(name)];
    return (p === 20 ? st.q20 : st.q80) ?? 0;
  };
  for (const p of out) p.label = labelGuess(p.means, q);
  return out;
}

/**
 * Plain-words guess, first rule that holds: failing (rejects + errors ≥ 40 % of its dialogues),
 * MAP-only / SMS (no GTP, no Diameter; SMS ≥ 25 %), data-heavy (PDP-active minutes and context
 * duration above the population's 80 % quantile), highly mobile (VLR or SGSN or operator changes
 * above the 80 % quantile), stationary periodic (≤ 1.5 VLRs, coefficient of variation of the session
 * inter-arrival times — cluster mean sd / cluster mean mean — < 0.4), sporadic (that coefficient
 * ≥ 0.6), low activity (fewer dialogues than the 20 % quantile), else stationary / mixed.
 */
export function labelGuess(m: Record<string, number | null>, q: (name: string, p: 20 | 80) => number): string {
  const v = (k: string): number => m[k] ?? 0;
  if (v('pct_rejects') + v('pct_errors') >= 40) return v('pct_rejects') >= v('pct_errors') ? 'failing (rejected)' : 'failing (errors)';
  if (v('pct_gtp') < 2 && v('pct_diameter') < 2) return v('pct_sms') >= 25 ? 'MAP-only / SMS' : 'MAP-only signalling';
  if (v('active_pdp_minutes') > q('active_pdp_minutes', 80) && v('context_duration_mean') > q('context_duration_mean', 80)) return 'data-heavy';
  const mobile = ['n_vlr_changes', 'n_sgsn_changes', 'n_operator_changes'].some((k) => v(k) > q(k, 80) && v(k) >= 2);
  if (mobile) return 'highly mobile';
  const cv = v('session_iat_mean') > 0 ? v('session_iat_sd') / v('session_iat_mean') : Infinity;
  if (v('n_vlr_unique') <= 1.5 && cv < 0.4) return 'stationary, periodic';
  if (cv >= 0.6) return 'sporadic';
  if (v('n') < q('n', 20)) return 'low activity';
  return v('n_vlr_unique') <= 1.5 && v('n_operator_unique') <= 1.5 ? 'stationary' : 'mixed';
}
