/**
 * Distilled judges in the UI: the "Distill" section of a label job's page (train a small local
 * judge on the job's labels: POST /api/label-jobs/:id/distill, followed as a job) and the table of
 * distilled versions with their cross-validated agreement and calibration, shown there and on the
 * Judges page beside the LLM versions.
 */
import { useEffect, useState } from 'react';
import { api, type DistilledVersion, type LabelJob } from '../api.js';
import { useApiForm } from '../form.js';
import { formatDate, formatInt, formatNumber, formatPercent } from '../format.js';
import { useApi } from '../hooks.js';
import { ErrorBox, StatusBadge } from './common.js';

/** The parts of a report (src/distill/train.ts DistillReport) shown here. */
interface Agreement {
  n: number;
  statistics: { accuracy: number | null; cohen_kappa: number | null };
  ci: { accuracy: [number, number] | null; cohen_kappa: [number, number] | null };
}
interface Report {
  rows: number;
  folds: number;
  accuracy: number;
  features: { kind: string; columns: string[] };
  agreement: { labels: Agreement; human?: Agreement; llm?: Agreement };
  calibration: { temperature: number; ece: number };
  coverage: Array<{ min_confidence: number; share: number; accuracy: number | null }>;
}

function agreementText(a: Agreement | undefined): string {
  if (!a) return '—';
  const ci = a.ci.cohen_kappa ? ` [${formatNumber(a.ci.cohen_kappa[0], 2)}, ${formatNumber(a.ci.cohen_kappa[1], 2)}]` : '';
  return `${formatPercent(a.statistics.accuracy)} · κ ${formatNumber(a.statistics.cohen_kappa, 2)}${ci} (n ${formatInt(a.n)})`;
}

/** Distilled versions with their cross-validated numbers. */
export function DistilledVersions({ versions }: { versions: DistilledVersion[] }) {
  return (
    <section className="distilled-versions" aria-label="distilled versions">
      <h3>Distilled versions</h3>
      <p className="muted small">
        Small local classifiers trained on the labels; every figure is cross-validated (each row scored by a model that did not see it). Use
        one as <span className="mono">{'{ metric: distilled, judge, version }'}</span>, or first in a cascade.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Version</th>
            <th className="num">Rows</th>
            <th>vs human labels</th>
            <th>vs LLM judge</th>
            <th className="num">ECE</th>
            <th>Kept at confidence 0.9</th>
            <th>Trained</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const report = v.report as unknown as Report;
            const at90 = report.coverage?.find((c) => c.min_confidence === 0.9);
            return (
              <tr key={v.id} data-distilled={`${v.name}/${v.version}`}>
                <td>
                  {v.version} <span className="muted small">distilled</span>
                </td>
                <td className="num">{formatInt(report.rows)}</td>
                <td className="small">{agreementText(report.agreement.human)}</td>
                <td className="small">{agreementText(report.agreement.llm)}</td>
                <td className="num">{formatNumber(report.calibration.ece, 3)}</td>
                <td className="small">{at90 ? `${formatPercent(at90.share)} of rows, ${formatPercent(at90.accuracy)} right` : '—'}</td>
                <td className="small">{formatDate(v.created_at)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function DistillForm({ job, onStarted }: { job: LabelJob; onStarted: (jobId: string) => void }) {
  const [name, setName] = useState(job.name);
  const [folds, setFolds] = useState('5');
  const { busy, error, errorField, submit, fieldError, hint } = useApiForm(async () => {
    const started = await api.distillLabelJob(job.id, { name, folds: Number(folds) });
    onStarted(started.job_id);
  });
  return (
    <form className="distill-form" onSubmit={submit} aria-label="distill the judge" noValidate>
      <div className="form-grid">
        <label className={`control ${fieldError('name')}`}>
          <span>Judge name</span>
          <input type="text" name="name" value={name} onChange={(e) => setName(e.target.value)} />
          {hint('name')}
        </label>
        <label className={`control ${fieldError('folds')}`}>
          <span>Folds</span>
          <input type="number" name="folds" min={2} max={20} value={folds} onChange={(e) => setFolds(e.target.value)} />
          {hint('folds')}
        </label>
      </div>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Starting…' : 'Distill'}
      </button>
      {error !== undefined && !errorField && <ErrorBox error={error} title="Could not start distilling" />}
    </form>
  );
}

/** The "Distill" section of a label job's page. */
export function DistillSection({ job }: { job: LabelJob }) {
  const [running, setRunning] = useState<string>();
  const [formKey, setFormKey] = useState(0);
  const list = useApi((signal) => api.distilled(job.id, signal), [job.id]);
  const progress = useApi((signal) => (running ? api.job(running, signal) : Promise.resolve(undefined)), [running], {
    pollMs: 1000,
    poll: (data) => running !== undefined && (!data || data.status === 'queued' || data.status === 'running'),
  });
  const status = progress.data?.status;
  const ended = status !== undefined && status !== 'queued' && status !== 'running';
  const { reload } = list;
  useEffect(() => {
    if (status !== 'completed') return;
    // Done: show the new version, and the form again for another.
    setRunning(undefined);
    setFormKey((k) => k + 1);
    reload();
  }, [status, reload]);
  const versions = list.data?.versions ?? [];
  return (
    <section className="distill" aria-label="distill">
      <h2>Distill</h2>
      <p className="muted small">
        Trains a small local judge on these labels (a person&apos;s where given, else the judge&apos;s): hashed word and character n-grams
        and a calibrated logistic regression, measured by cross-validation. It scores rows in process — no provider, no cost — and can send
        only the rows it is unsure of to the LLM judge (a cascade).
      </p>
      {running && !ended ? (
        <div className="muted" role="status">
          Distilling… <StatusBadge status={status ?? 'queued'} />
        </div>
      ) : (
        <DistillForm key={formKey} job={job} onStarted={setRunning} />
      )}
      {ended && status !== 'completed' && <ErrorBox error={new Error(progress.data?.error ?? status)} title="Distilling failed" />}
      {list.error && <ErrorBox error={list.error} title="Could not load the distilled versions" />}
      {versions.length > 0 && <DistilledVersions versions={versions} />}
    </section>
  );
}
