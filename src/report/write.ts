/**
 * Writes DIR/report.html and DIR/report.json. Both are written to temporary files in DIR first
 * and renamed at the end: a failure leaves no half-written report (an older report stays whole).
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SigprobeError } from '../config/errors';
import type { ReportModel } from '../analytics/model';
import { E_REPORT_INPUT } from '../analytics/spoolQueries';
import { renderHtml } from './html';

/** report.json: the model as is (the contract for other tools). */
export function renderJson(m: ReportModel): string {
  return JSON.stringify(m, null, 1) + '\n';
}

export function writeReport(dir: string, m: ReportModel): { html: string; json: string } {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new SigprobeError(E_REPORT_INPUT, `cannot create output directory ${dir}: ${(e as Error).message}`);
  }
  if (!statSync(dir).isDirectory()) throw new SigprobeError(E_REPORT_INPUT, `--out ${dir} is not a directory`);
  const html = join(dir, 'report.html');
  const json = join(dir, 'report.json');
  const tag = `.tmp-${process.pid}-${Date.now()}`;
  const tmpHtml = html + tag;
  const tmpJson = json + tag;
  try {
    writeFileSync(tmpJson, renderJson(m));
    writeFileSync(tmpHtml, renderHtml(m));
    renameSync(tmpJson, json);
    renameSync(tmpHtml, html);
  } catch (e) {
    rmSync(tmpJson, { force: true });
    rmSync(tmpHtml, { force: true });
    throw new SigprobeError('E_REPORT_WRITE', `cannot write the report in ${dir}: ${(e as Error).message}`);
  }
  return { html, json };
}
