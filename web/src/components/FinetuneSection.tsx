/**
 * The "Fine-tune" section of a label job's page: fine-tune the job's judge at OpenAI on its
 * labelled rows (POST /api/label-jobs/:id/finetune), and each fine-tune of the job with the
 * provider's status and latest event, its failure message, and — once it succeeded — the judge
 * version that uses the fine-tuned model, whose agreement the Judges page measures.
 */
import { useState } from 'react';
import { api, type Finetune, type LabelJob } from '../api.js';
import { useApiForm } from '../form.js';
import { formatDate, formatInt } from '../format.js';
import { useApi } from '../hooks.js';
import { Link } from '../router.js';
import { ErrorBox, StatusBadge } from './common.js';

const ENDED = ['succeeded', 'failed', 'cancelled'];
const DEFAULT_MODEL = 'openai:/gpt-4o-mini-2024-07-18';

function FinetuneForm({ job, onStarted }: { job: LabelJob; onStarted: () => void }) {
  const [model, setModel] = useState(DEFAULT_MODEL);
  const [suffix, setSuffix] = useState('');
  const [epochs, setEpochs] = useState('');
  const { busy, error, errorField, submit, fieldError, hint } = useApiForm(async () => {
    await api.finetuneJudge(job.id, { model, ...(suffix ? { suffix } : {}), ...(epochs ? { epochs: Number(epochs) } : {}) });
    onStarted();
  });
  return (
    <form className="finetune-form" onSubmit={submit} aria-label="fine-tune the judge" noValidate>
      <div className="form-grid">
        <label className={`control ${fieldError('model')}`}>
          <span>Base model</span>
          <input type="text" name="model" value={model} onChange={(e) => setModel(e.target.value)} />
          {hint('model')}
        </label>
        <label className={`control ${fieldError('suffix')}`}>
          <span>Suffix</span>
          <input type="text" name="suffix" placeholder="optional" value={suffix} onChange={(e) => setSuffix(e.target.value)} />
          {hint('suffix')}
        </label>
        <label className={`control ${fieldError('epochs')}`}>
          <span>Epochs</span>
          <input
            type="number"
            name="epochs"
            min={1}
            max={50}
            placeholder="auto"
            value={epochs}
            onChange={(e) => setEpochs(e.target.value)}
          />
          {hint('epochs')}
        </label>
      </div>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Uploading…' : 'Fine-tune at OpenAI'}
      </button>
      {error !== undefined && !errorField && <ErrorBox error={error} title="Could not start the fine-tune" />}
    </form>
  );
}

function FinetuneRow({ finetune, onChanged }: { finetune: Finetune; onChanged: () => void }) {
  const [cancelling, setCancelling] = useState<unknown>();
  const cancel = () => {
    setCancelling(true);
    api.cancelFinetune(finetune.id).then(onChanged, (e: unknown) => setCancelling(e));
  };
  const last = finetune.events.at(-1);
  return (
    <tr data-finetune={finetune.id} data-status={finetune.status}>
      <td className="small">{formatDate(finetune.created_at)}</td>
      <td className="mono small">{finetune.base_model}</td>
      <td>
        <StatusBadge status={finetune.status} />
      </td>
      <td className="num">{finetune.examples === null ? '—' : formatInt(finetune.examples)}</td>
      <td className="mono small">{finetune.provider_job_id ?? '—'}</td>
      <td className="small">
        {finetune.status === 'succeeded' && finetune.judge.version ? (
          <>
            <Link to={`/judges#${encodeURIComponent(finetune.judge.name)}`}>
              {finetune.judge.name} {finetune.judge.version}
            </Link>
            <div className="mono muted">{finetune.model}</div>
          </>
        ) : finetune.error && finetune.status !== 'cancelled' ? (
          <span className="field-error">{finetune.error}</span>
        ) : (
          <span className="muted">{last?.message ?? ''}</span>
        )}
      </td>
      <td>
        {!ENDED.includes(finetune.status) && (
          <button type="button" className="button" disabled={cancelling === true} onClick={cancel}>
            {cancelling === true ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
        {cancelling instanceof Error && <ErrorBox error={cancelling} />}
      </td>
    </tr>
  );
}

export function FinetuneSection({ job }: { job: LabelJob }) {
  const [formKey, setFormKey] = useState(0);
  const list = useApi((signal) => api.finetunes(job.id, signal), [job.id], {
    pollMs: 2000,
    poll: (data) => !data || data.finetunes.some((f) => !ENDED.includes(f.status)),
  });
  const started = () => {
    setFormKey((k) => k + 1);
    list.reload();
  };
  const finetunes = list.data?.finetunes ?? [];
  return (
    <section className="finetune" aria-label="fine-tune">
      <h2>Fine-tune</h2>
      <p className="muted small">
        Fine-tunes a model at OpenAI on these labels (the fine-tuning data above). When it succeeds, the fine-tuned model becomes a new
        version of {job.name}, with the same prompt and examples; check its agreement on the Judges page.
      </p>
      <FinetuneForm key={formKey} job={job} onStarted={started} />
      {list.error && <ErrorBox error={list.error} />}
      {finetunes.length > 0 && (
        <div className="table-wrap card">
          <table className="table finetunes-table">
            <thead>
              <tr>
                <th>Started</th>
                <th>Base model</th>
                <th>Status</th>
                <th className="num">Examples</th>
                <th>Provider job</th>
                <th>Judge version, or latest event</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {finetunes.map((f) => (
                <FinetuneRow key={f.id} finetune={f} onChanged={list.reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
