/**
 * One label job (LLM Judge++): its criterion and judge versions; while the judge labels, its
 * progress; in review, the review of the sample; once every row is labelled, the agreement of each
 * judge version with the person's labels, the labels page by page, and the labelled dataset and
 * fine-tuning data to download.
 */
import { useState } from 'react';
import { api, download, type LabelJob, type LabelOutput } from '../api.js';
import { AgreementTable, ConfusionMatrix } from '../components/Agreement.js';
import { ErrorBox, Loading, ProgressBar, Stat, StatusBadge } from '../components/common.js';
import { DistillSection } from '../components/Distilled.js';
import { FinetuneSection } from '../components/FinetuneSection.js';
import { LabelReview } from '../components/LabelReview.js';
import { cellText, formatCost, formatDate, formatInt } from '../format.js';
import { useApi } from '../hooks.js';
import { jobOutput, labelText, OUTPUT_NAMES } from '../labels.js';
import { Link } from '../router.js';

const ACTIVE = ['sampling', 'running'];
const LABELS_PAGE = 50;

function Criterion({ job, output }: { job: LabelJob; output: LabelOutput }) {
  const c = job.criterion;
  const examples = Array.isArray(c.examples) ? c.examples.length : 0;
  return (
    <div className="card criterion">
      <dl className="facts">
        <div>
          <dt>Output</dt>
          <dd>{OUTPUT_NAMES[output]}</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd className="mono">{typeof c.model === 'string' ? c.model : 'server default'}</dd>
        </div>
        <div>
          <dt>Sample</dt>
          <dd>
            {formatInt(job.sample_size)} rows (seed {job.seed})
          </dd>
        </div>
        <div>
          <dt>Judge versions</dt>
          <dd>
            {job.versions.map((v, i) => (
              <span key={v.judge_id} title={`${formatDate(v.created_at)} · ${v.example_rows.length} human examples`}>
                {i > 0 && ' → '}
                <span className={v.judge_id === job.judge?.id ? 'strong' : ''}>{v.version}</span>
                {v.example_rows.length > 0 && <span className="muted small"> ({v.example_rows.length} examples)</span>}
              </span>
            ))}
            {job.versions.length === 0 && '—'}
          </dd>
        </div>
        {examples > 0 && (
          <div>
            <dt>Your examples</dt>
            <dd>{examples}</dd>
          </div>
        )}
      </dl>
      {typeof c.prompt === 'string' ? (
        <>
          <div className="field-name">Criterion</div>
          <pre className="code criterion-prompt">{c.prompt}</pre>
        </>
      ) : (
        <div className="field-name">
          Built-in judge <span className="mono">{cellText(c.builtin)}</span>
        </div>
      )}
    </div>
  );
}

function Progress({ job, onChanged }: { job: LabelJob; onChanged: () => void }) {
  const [stopping, setStopping] = useState<unknown>();
  const p = job.progress;
  const stop = () => {
    setStopping(true);
    api.cancelLabelJob(job.id).then(onChanged, (e: unknown) => setStopping(e));
  };
  return (
    <div className="card job-progress" aria-label="labelling progress">
      <div className="job-progress-head">
        <span>
          {job.status === 'sampling'
            ? 'The judge is labelling the sample'
            : 'The judge is labelling every row, with your labels as examples'}
        </span>
        <button
          type="button"
          className="button"
          disabled={stopping === true}
          onClick={stop}
          title="Stops the job; labels of finished rows are kept"
        >
          {stopping === true ? 'Stopping…' : 'Stop'}
        </button>
      </div>
      {p && <ProgressBar done={p.rows_done} total={p.row_count} label="rows labelled" />}
      {p && (
        <div className="muted small">
          {formatInt(p.calls)} calls · {formatInt(p.errors)} errors · {formatCost(p.cost_usd)}
        </div>
      )}
      {stopping instanceof Error && <ErrorBox error={stopping} />}
    </div>
  );
}

function Agreement({ job, output }: { job: LabelJob; output: LabelOutput }) {
  const agreement = useApi((signal) => api.labelAgreement(job.id, signal), [job.id, job.updated_at]);
  if (agreement.error) return <ErrorBox error={agreement.error} title="Could not compute the agreement" />;
  if (!agreement.data) return <Loading what="Comparing the judge with your labels" />;
  const a = agreement.data;
  const newest = a.versions.at(-1);
  const text = (l: string | number) => (typeof l === 'number' ? labelText(output, l) : l);
  return (
    <section className="agreement" aria-label="agreement">
      <h2>Agreement with your labels</h2>
      <p className="muted small">
        {formatInt(a.reviewed)} rows have your label. Each judge version is compared on the reviewed rows that were not its own few-shot
        examples. <Link to={`/judges#${encodeURIComponent(a.judge)}`}>History of {a.judge}</Link>
      </p>
      {a.versions.length > 0 ? (
        <div className="agreement-grid">
          <AgreementTable
            columns={a.versions.map((v) => ({ key: v.judge_id, title: v.version, n: v.n, statistics: v.statistics, ci: v.ci }))}
            label="agreement by judge version"
          />
          {newest && (
            <div>
              <div className="field-name">Confusion of {newest.version}</div>
              <ConfusionMatrix labels={newest.confusion.labels} matrix={newest.confusion.matrix} text={text} />
            </div>
          )}
        </div>
      ) : null}
      {a.notes.map((note) => (
        <p key={note} className="muted small note">
          {note}
        </p>
      ))}
      {a.versions.some((v) => v.notes.length > 0) && (
        <details className="muted small">
          <summary>Notes on these figures</summary>
          {a.versions.flatMap((v) =>
            v.notes.map((note) => (
              <p key={`${v.version} ${note}`} className="note">
                {v.version}: {note}
              </p>
            )),
          )}
        </details>
      )}
    </section>
  );
}

function LabelsTable({ job, output }: { job: LabelJob; output: LabelOutput }) {
  const [offset, setOffset] = useState(0);
  const page = useApi((signal) => api.labelJob(job.id, { offset, limit: LABELS_PAGE }, signal), [job.id, job.updated_at, offset]);
  const data = page.data;
  return (
    <section aria-label="labels">
      <h2>Labels</h2>
      {page.error && <ErrorBox error={page.error} />}
      {data && (
        <>
          <div className="table-wrap card">
            <table className="table labels-table">
              <thead>
                <tr>
                  <th className="num">Row</th>
                  <th>Label</th>
                  <th>Source</th>
                  <th>Judge</th>
                  <th>Justification</th>
                </tr>
              </thead>
              <tbody>
                {data.labels.map((l) => (
                  <tr key={l.row} data-row={l.row}>
                    <td className="num mono">{l.row}</td>
                    <td>{labelText(output, l.label)}</td>
                    <td>
                      <span
                        className={`badge source-${l.source ?? 'none'}`}
                        title={l.labelled_at ? `labelled ${formatDate(l.labelled_at)}` : undefined}
                      >
                        {l.source ?? 'none'}
                      </span>
                    </td>
                    <td className="mono small">
                      {l.judge_version ?? (l.llm?.judge_version ? `${l.llm.judge_version} said ${labelText(output, l.llm.label)}` : '')}
                    </td>
                    <td className="muted">
                      <div className="clamp">{l.error ? `error: ${l.error}` : l.justification}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <button type="button" className="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LABELS_PAGE))}>
              Previous
            </button>
            <span className="muted small">
              rows {formatInt(data.total === 0 ? 0 : offset + 1)}–{formatInt(Math.min(offset + LABELS_PAGE, data.total))} of{' '}
              {formatInt(data.total)}
            </span>
            <button
              type="button"
              className="button"
              disabled={offset + LABELS_PAGE >= data.total}
              onClick={() => setOffset(offset + LABELS_PAGE)}
            >
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function Downloads({ job }: { job: LabelJob }) {
  const [error, setError] = useState<unknown>();
  const save = (path: string, query: Record<string, string>, filename: string) => () => {
    setError(undefined);
    download(path, query, filename).catch(setError);
  };
  return (
    <div className="downloads">
      <button
        type="button"
        className="button"
        onClick={save(
          `/datasets/${encodeURIComponent(job.dataset_id)}/download`,
          { format: 'csv', label_job: job.id },
          `${job.name}-labels.csv`,
        )}
      >
        Download labelled CSV
      </button>
      <button
        type="button"
        className="button"
        onClick={save(
          `/datasets/${encodeURIComponent(job.dataset_id)}/download`,
          { format: 'jsonl', label_job: job.id },
          `${job.name}-labels.jsonl`,
        )}
      >
        JSON Lines
      </button>
      <button
        type="button"
        className="button"
        onClick={save(`/label-jobs/${encodeURIComponent(job.id)}/export/finetune`, {}, `${job.name}-finetune.jsonl`)}
        title="Chat-format JSONL to fine-tune an evaluator model"
      >
        Fine-tuning data
      </button>
      {error !== undefined && <ErrorBox error={error} title="Download failed" />}
    </div>
  );
}

function DatasetName({ id }: { id: string }) {
  const dataset = useApi((_signal) => api.dataset(id), [id]);
  return <Link to={`/datasets/${encodeURIComponent(id)}`}>{dataset.data?.name ?? 'dataset'}</Link>;
}

export function LabelJobPage({ id }: { id: string }) {
  // The whole sample (at most 1,000 rows) in one page, for the review.
  const job = useApi((signal) => api.labelJob(id, { limit: 1000 }, signal), [id], {
    pollMs: 1000,
    poll: (j) => !j || ACTIVE.includes(j.status),
  });
  if (job.error && !job.data) return <ErrorBox error={job.error} title="Could not load the label job" />;
  if (!job.data) return <Loading what="Loading label job" />;
  const j = job.data;
  const output = jobOutput(j.criterion);
  const labelled = j.scope === 'all';
  return (
    <div className="page label-job-page" data-job-id={j.id} data-status={j.status}>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to="/datasets">Datasets</Link> / <DatasetName id={j.dataset_id} /> / label job
          </div>
          <h1>
            {j.name} <StatusBadge status={j.status} />
          </h1>
          <div className="mono muted small">
            {j.id} · started {formatDate(j.created_at)}
          </div>
        </div>
      </div>
      <Criterion job={j} output={output} />
      {j.error && j.status !== 'cancelled' && <ErrorBox error={new Error(j.error)} title="The job failed" />}
      {ACTIVE.includes(j.status) && <Progress job={j} onChanged={job.reload} />}
      {j.status === 'awaiting_review' && <LabelReview key={j.judge?.id ?? 'none'} job={j} output={output} onChanged={job.reload} />}
      {labelled && (
        <>
          <div className="stats">
            <Stat label="Rows labelled">{formatInt(j.total)}</Stat>
            <Stat label="Judge">{j.judge?.version ?? '—'}</Stat>
          </div>
          <Downloads job={j} />
          <FinetuneSection job={j} />
          <DistillSection job={j} />
          <Agreement job={j} output={output} />
          <LabelsTable job={j} output={output} />
        </>
      )}
    </div>
  );
}
