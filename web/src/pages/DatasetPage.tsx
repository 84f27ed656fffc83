/**
 * One dataset: its first rows; its label jobs and a form to start one (`POST /api/label-jobs`: a
 * judge labels a sample for a person to review); and a small form to evaluate it
 * (`POST /api/runs`): the judge model, one judge (a rubric or a prompt), the column mapping and
 * optional built-in metrics. A 400 is shown at the field it names.
 */
import { useState } from 'react';
import { api, type DatasetDetail } from '../api.js';
import { ErrorBox, Loading, StatusBadge } from '../components/common.js';
import { cellText, formatBytes, formatDate, formatInt, formatRelative, shortHash } from '../format.js';
import { fieldMatches, useApiForm } from '../form.js';
import { useApi } from '../hooks.js';
import { OUTPUT_NAMES } from '../labels.js';
import { Link, navigate } from '../router.js';

const MAPPED = [
  { key: 'inputs', label: 'Inputs', guess: ['inputs', 'request', 'input', 'question', 'prompt'] },
  { key: 'predictions', label: 'Outputs (predictions)', guess: ['predictions', 'outputs', 'response', 'output', 'answer'] },
  { key: 'targets', label: 'Expected (targets)', guess: ['targets', 'expected_response', 'expected', 'ground_truth'] },
  { key: 'context', label: 'Context', guess: ['context', 'retrieved_context'] },
] as const;

const BUILT_INS = ['exact_match', 'rougeL', 'levenshtein', 'token_count'];

function Preview({ dataset }: { dataset: DatasetDetail }) {
  return (
    <div className="table-wrap preview">
      <table className="table preview-table" aria-label="preview">
        <thead>
          <tr>
            <th className="num">#</th>
            {dataset.columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dataset.preview.map((row, i) => (
            <tr key={i}>
              <td className="num muted mono">{i}</td>
              {dataset.columns.map((c) => (
                <td key={c} title={cellText(row[c])}>
                  <div className="clamp">{cellText(row[c])}</div>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {dataset.row_count > dataset.preview.length && (
        <p className="muted small">
          First {dataset.preview.length} of {formatInt(dataset.row_count)} rows.
        </p>
      )}
    </div>
  );
}

function EvaluateForm({ dataset }: { dataset: DatasetDetail }) {
  const guess = (names: readonly string[]) => names.find((n) => dataset.columns.includes(n)) ?? '';
  const [judgeModel, setJudgeModel] = useState('');
  const [experiment, setExperiment] = useState(dataset.name);
  const [runName, setRunName] = useState('');
  const [kind, setKind] = useState<'rubric' | 'prompt'>('rubric');
  const [judgeName, setJudgeName] = useState('quality');
  const [definition, setDefinition] = useState('');
  const [gradingPrompt, setGradingPrompt] = useState('Score from 1-5, where 1 is poor and 5 is excellent.');
  const [judgePrompt, setJudgePrompt] = useState('');
  const [output, setOutput] = useState<'scale' | 'yes_no' | 'binary'>('scale');
  const [mapping, setMapping] = useState<Record<string, string>>(() => Object.fromEntries(MAPPED.map((m) => [m.key, guess(m.guess)])));
  const [builtIns, setBuiltIns] = useState<string[]>([]);
  const { busy, error, errorField, submit, fieldError, hint } = useApiForm(async () => {
    const judge: Record<string, unknown> =
      kind === 'rubric' ? { name: judgeName, definition, grading_prompt: gradingPrompt } : { name: judgeName, judge_prompt: judgePrompt };
    if (output !== 'scale') judge.output = output;
    const config: Record<string, unknown> = {
      experiment: experiment || undefined,
      run_name: runName || undefined,
      judge_model: judgeModel || undefined,
      col_mapping: Object.fromEntries(Object.entries(mapping).filter(([, column]) => column)),
      metrics: [judge, ...builtIns],
    };
    for (const key of Object.keys(config)) if (config[key] === undefined) delete config[key];
    const created = await api.createRun({ dataset_id: dataset.id, config });
    navigate(`/runs/${encodeURIComponent(created.run_id)}`);
  });

  return (
    <form className="card evaluate-form" onSubmit={submit} aria-label="evaluate this dataset" noValidate>
      <h2>Evaluate</h2>
      <div className="form-grid">
        <label className={`control ${fieldError('config.judge_model')}`}>
          <span>Judge model</span>
          <input
            type="text"
            name="judge_model"
            data-field="config.judge_model"
            placeholder="openai:/gpt-4o-mini"
            value={judgeModel}
            onChange={(e) => setJudgeModel(e.target.value)}
          />
          {hint('config.judge_model')}
        </label>
        <label className={`control ${fieldError('config.experiment')}`}>
          <span>Experiment</span>
          <input type="text" name="experiment" value={experiment} onChange={(e) => setExperiment(e.target.value)} />
          {hint('config.experiment')}
        </label>
        <label className={`control ${fieldError('config.run_name')}`}>
          <span>Run name</span>
          <input type="text" name="run_name" placeholder="optional" value={runName} onChange={(e) => setRunName(e.target.value)} />
          {hint('config.run_name')}
        </label>
      </div>

      <fieldset>
        <legend>Judge</legend>
        <div className="segmented" role="radiogroup" aria-label="judge kind">
          <label className={kind === 'rubric' ? 'active' : ''}>
            <input type="radio" name="kind" value="rubric" checked={kind === 'rubric'} onChange={() => setKind('rubric')} /> Rubric
          </label>
          <label className={kind === 'prompt' ? 'active' : ''}>
            <input type="radio" name="kind" value="prompt" checked={kind === 'prompt'} onChange={() => setKind('prompt')} /> Prompt
          </label>
        </div>
        <div className="form-grid">
          <label className={`control ${fieldError('config.metrics[0].name')}`}>
            <span>Name</span>
            <input type="text" name="judge_name" value={judgeName} onChange={(e) => setJudgeName(e.target.value)} />
            {hint('config.metrics[0].name')}
          </label>
          <label className={`control ${fieldError('config.metrics[0].output')}`}>
            <span>Output</span>
            <select name="output" value={output} onChange={(e) => setOutput(e.target.value as typeof output)}>
              <option value="scale">score 1–5</option>
              <option value="yes_no">yes / no</option>
              <option value="binary">1 / 0</option>
            </select>
            {hint('config.metrics[0].output')}
          </label>
        </div>
        {kind === 'rubric' ? (
          <>
            <label className={`control ${fieldError('config.metrics[0].definition')}`}>
              <span>Definition — what is judged</span>
              <textarea
                name="definition"
                rows={2}
                value={definition}
                placeholder="Assesses whether the answer is correct and complete."
                onChange={(e) => setDefinition(e.target.value)}
              />
              {hint('config.metrics[0].definition')}
            </label>
            <label className={`control ${fieldError('config.metrics[0].grading_prompt')}`}>
              <span>Grading prompt — the rubric</span>
              <textarea name="grading_prompt" rows={3} value={gradingPrompt} onChange={(e) => setGradingPrompt(e.target.value)} />
              {hint('config.metrics[0].grading_prompt')}
            </label>
          </>
        ) : (
          <label className={`control ${fieldError('config.metrics[0].judge_prompt')}`}>
            <span>Judge prompt — with {'{column}'} variables</span>
            <textarea
              name="judge_prompt"
              rows={4}
              value={judgePrompt}
              placeholder="Is the response '{response}' a correct answer to '{request}'?"
              onChange={(e) => setJudgePrompt(e.target.value)}
            />
            {hint('config.metrics[0].judge_prompt')}
          </label>
        )}
        {errorField &&
          fieldMatches('config.metrics[0]', errorField) &&
          !/metrics\[0\]\.(name|output|definition|grading_prompt|judge_prompt)/.test(errorField) &&
          hint('config.metrics[0]')}
      </fieldset>

      <fieldset>
        <legend>Columns</legend>
        <div className="form-grid">
          {MAPPED.map((m) => (
            <label key={m.key} className={`control ${fieldError(`config.col_mapping.${m.key}`)}`}>
              <span>{m.label}</span>
              <select
                name={`col_mapping.${m.key}`}
                value={mapping[m.key] ?? ''}
                onChange={(e) => setMapping({ ...mapping, [m.key]: e.target.value })}
              >
                <option value="">(none)</option>
                {dataset.columns.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
              {hint(`config.col_mapping.${m.key}`)}
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>Also compute</legend>
        <div className="checks">
          {BUILT_INS.map((name) => (
            <label key={name} className="control check">
              <input
                type="checkbox"
                name={`builtin.${name}`}
                checked={builtIns.includes(name)}
                onChange={(e) => setBuiltIns(e.target.checked ? [...builtIns, name] : builtIns.filter((b) => b !== name))}
              />
              <span className="mono">{name}</span>
            </label>
          ))}
        </div>
      </fieldset>

      {error !== undefined && <ErrorBox error={error} title="The evaluation was not started" />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Starting…' : `Evaluate ${formatInt(dataset.row_count)} rows`}
        </button>
      </div>
    </form>
  );
}

function LabelJobs({ dataset }: { dataset: DatasetDetail }) {
  const jobs = useApi((signal) => api.labelJobs({ dataset_id: dataset.id, limit: 20 }, signal), [dataset.id], {
    pollMs: 2000,
    poll: (d) => !!d?.jobs.some((j) => j.status === 'sampling' || j.status === 'running'),
  });
  if (jobs.error) return <ErrorBox error={jobs.error} title="Could not load label jobs" />;
  if (!jobs.data || jobs.data.jobs.length === 0) return null;
  return (
    <div className="table-wrap card">
      <table className="table label-jobs-table" aria-label="label jobs">
        <thead>
          <tr>
            <th>Label job</th>
            <th>Status</th>
            <th>Criterion</th>
            <th>Judge</th>
            <th>Started</th>
          </tr>
        </thead>
        <tbody>
          {jobs.data.jobs.map((j) => (
            <tr key={j.id} data-job-id={j.id}>
              <td>
                <Link to={`/label-jobs/${encodeURIComponent(j.id)}`}>{j.name}</Link>
              </td>
              <td>
                <StatusBadge status={j.status} />
              </td>
              <td>
                <div className="clamp muted">
                  {typeof j.criterion.prompt === 'string' ? j.criterion.prompt : `built-in ${cellText(j.criterion.builtin)}`}
                </div>
              </td>
              <td className="mono small">{j.judge?.version ?? '—'}</td>
              <td className="muted small" title={formatDate(j.created_at)}>
                {formatRelative(j.created_at)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {jobs.data.total > jobs.data.jobs.length && (
        <p className="muted small">
          The newest {jobs.data.jobs.length} of {formatInt(jobs.data.total)} label jobs.
        </p>
      )}
    </div>
  );
}

/** Starts a label job: a criterion (a prompt over the columns, or a built-in judge), its output, a model and a sample. */
function LabelForm({ dataset }: { dataset: DatasetDetail }) {
  const [kind, setKind] = useState<'prompt' | 'builtin'>('prompt');
  const [prompt, setPrompt] = useState('');
  const [builtin, setBuiltin] = useState('faithfulness');
  const [output, setOutput] = useState<keyof typeof OUTPUT_NAMES>('binary');
  const [model, setModel] = useState('');
  const [sampleSize, setSampleSize] = useState(16);
  const [name, setName] = useState('');
  const { busy, error, submit, fieldError, hint } = useApiForm(async () => {
    const started = await api.createLabelJob({
      dataset_id: dataset.id,
      ...(kind === 'prompt' ? { prompt } : { builtin }),
      output,
      sample_size: sampleSize,
      // The page's flow is LLM Judge++: the sample waits for the person's review (the API's default labels everything).
      review: true,
      ...(model ? { model } : {}),
      ...(name ? { name } : {}),
    });
    navigate(`/label-jobs/${encodeURIComponent(started.job_id)}`);
  });

  return (
    <form className="card evaluate-form label-form" onSubmit={submit} aria-label="label this dataset" noValidate>
      <h2>Label with a judge</h2>
      <p className="muted small">
        The judge labels a sample of rows; you review them, and your labels become its few-shot examples for every other row.
      </p>
      <div className="segmented" role="radiogroup" aria-label="criterion kind">
        <label className={kind === 'prompt' ? 'active' : ''}>
          <input type="radio" name="label_kind" value="prompt" checked={kind === 'prompt'} onChange={() => setKind('prompt')} /> Prompt
        </label>
        <label className={kind === 'builtin' ? 'active' : ''}>
          <input type="radio" name="label_kind" value="builtin" checked={kind === 'builtin'} onChange={() => setKind('builtin')} /> Built-in
          judge
        </label>
      </div>
      {kind === 'prompt' ? (
        <label className={`control ${fieldError('prompt')}`}>
          <span>Criterion — with {'{column}'} variables</span>
          <textarea
            name="criterion"
            rows={3}
            value={prompt}
            placeholder={`Is ${dataset.columns
              .slice(0, 2)
              .map((c) => `{${c}}`)
              .join(' … ')} acceptable? 1 if it is, else 0.`}
            onChange={(e) => setPrompt(e.target.value)}
          />
          <div className="variables">
            {dataset.columns.map((c) => (
              <button key={c} type="button" className="chip mono" onClick={() => setPrompt(`${prompt}{${c}}`)} title={`Insert {${c}}`}>
                {`{${c}}`}
              </button>
            ))}
          </div>
          {hint('prompt')}
        </label>
      ) : (
        <label className={`control ${fieldError('builtin')}`}>
          <span>Built-in judge</span>
          <input type="text" name="builtin" value={builtin} onChange={(e) => setBuiltin(e.target.value)} />
          {hint('builtin')}
        </label>
      )}
      <div className="form-grid">
        <label className={`control ${fieldError('output')}`}>
          <span>Output</span>
          <select name="label_output" value={output} onChange={(e) => setOutput(e.target.value as typeof output)}>
            {Object.entries(OUTPUT_NAMES).map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
          {hint('output')}
        </label>
        <label className={`control ${fieldError('model')}`}>
          <span>Judge model</span>
          <input type="text" name="label_model" placeholder="server default" value={model} onChange={(e) => setModel(e.target.value)} />
          {hint('model')}
        </label>
        <label className={`control ${fieldError('sample_size')}`}>
          <span>Sample to review</span>
          <input
            type="number"
            name="sample_size"
            min={1}
            max={1000}
            value={sampleSize}
            onChange={(e) => setSampleSize(Number(e.target.value))}
          />
          {hint('sample_size')}
        </label>
        <label className={`control ${fieldError('name')}`}>
          <span>Judge name</span>
          <input type="text" name="label_name" placeholder="optional" value={name} onChange={(e) => setName(e.target.value)} />
          {hint('name')}
        </label>
      </div>
      {error !== undefined && <ErrorBox error={error} title="The label job was not started" />}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Starting…' : `Label ${formatInt(Math.min(sampleSize, dataset.row_count))} rows for review`}
        </button>
      </div>
    </form>
  );
}

export function DatasetPage({ id }: { id: string }) {
  const dataset = useApi((_signal) => api.dataset(id), [id]);
  if (dataset.error) return <ErrorBox error={dataset.error} title="Could not load the dataset" />;
  if (!dataset.data) return <Loading what="Loading dataset" />;
  const d = dataset.data;
  return (
    <div className="page dataset-page" data-dataset-id={d.id}>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to="/datasets">Datasets</Link> / {d.name}
          </div>
          <h1>{d.name}</h1>
          <div className="muted small">
            {d.original_name} · {d.format} · {formatInt(d.row_count)} rows · {d.columns.length} columns · {formatBytes(d.size_bytes)} ·
            uploaded {formatDate(d.created_at)} ·{' '}
            <span className="mono" title={d.hash}>
              {shortHash(d.hash, 12)}
            </span>
          </div>
        </div>
      </div>
      <section>
        <h2>Preview</h2>
        <Preview dataset={d} />
      </section>
      <section>
        <h2>Labels</h2>
        <LabelJobs dataset={d} />
        <LabelForm dataset={d} />
      </section>
      <EvaluateForm dataset={d} />
    </div>
  );
}
