/**
 * Every judge definition runs and label jobs have used: rubric or prompt, few-shot examples, each
 * stored version — and the versions side by side with their agreement with human labels and their
 * latest audit's numbers (`juror audit`), and that agreement over time.
 */
import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, ApiError, type DistilledVersion, type JudgeAgreementHistory, type JudgeAudits, type JudgeGroup } from '../api.js';
import { AGREEMENT_STATS, AgreementTable } from '../components/Agreement.js';
import { Empty, ErrorBox, Loading } from '../components/common.js';
import { DistilledVersions } from '../components/Distilled.js';
import { cellText, formatDate, formatInt, formatNumber, shortHash } from '../format.js';
import { useApiForm } from '../form.js';
import { useApi } from '../hooks.js';

type Version = JudgeGroup['versions'][number];

function outputText(output: unknown, metadata: Record<string, unknown>): string {
  if (output === undefined)
    return metadata.score_threshold !== undefined ? `yes/no (score > ${cellText(metadata.score_threshold)})` : 'score 1–5';
  if (output === 'scale') return 'score 1–5';
  if (output === 'binary') return '1 / 0';
  if (output === 'yes_no') return 'yes / no';
  if (output && typeof output === 'object') {
    const o = output as Record<string, unknown>;
    if (Array.isArray(o.scale)) return `score ${o.scale[0]}–${o.scale[1]}`;
    if (o.yes_no && typeof o.yes_no === 'object') return `yes / no (score > ${cellText((o.yes_no as Record<string, unknown>).threshold)})`;
    if (o.categories && typeof o.categories === 'object')
      return `labels: ${Object.entries(o.categories as Record<string, unknown>)
        .map(([k, v]) => `${k}=${cellText(v)}`)
        .join(', ')}`;
  }
  return cellText(output);
}

/** An example's grading context as `name: value` lines. */
function contextText(context: unknown): string {
  if (!context || typeof context !== 'object') return '';
  return Object.entries(context as Record<string, unknown>)
    .map(([name, value]) => `${name}: ${cellText(value)}`)
    .join('\n');
}

function Definition({ version }: { version: Version }) {
  const d = version.definition;
  const metadata = (d.metric_metadata ?? {}) as Record<string, unknown>;
  const examples = Array.isArray(d.examples) ? (d.examples as Array<Record<string, unknown>>) : [];
  const isPrompt = typeof d.judge_prompt === 'string';
  const withContext = examples.some(
    (e) => e.grading_context && typeof e.grading_context === 'object' && Object.keys(e.grading_context).length > 0,
  );
  return (
    <div className="judge-definition">
      <dl className="facts">
        <div>
          <dt>Kind</dt>
          <dd>{isPrompt ? 'prompt judge' : 'rubric judge'}</dd>
        </div>
        <div>
          <dt>Output</dt>
          <dd>{outputText(d.output, metadata)}</dd>
        </div>
        {typeof d.model === 'string' && (
          <div>
            <dt>Model</dt>
            <dd className="mono">{d.model}</dd>
          </div>
        )}
        {typeof metadata.assessment_type === 'string' && (
          <div>
            <dt>Assessment</dt>
            <dd>{metadata.assessment_type}</dd>
          </div>
        )}
        <div>
          <dt>Better</dt>
          <dd>{d.greater_is_better === false ? 'lower' : 'higher'}</dd>
        </div>
        {Array.isArray(d.aggregations) && (
          <div>
            <dt>Aggregations</dt>
            <dd>{(d.aggregations as string[]).join(', ')}</dd>
          </div>
        )}
        {Array.isArray(d.grading_context_columns) && d.grading_context_columns.length > 0 && (
          <div>
            <dt>Context columns</dt>
            <dd className="mono">{(d.grading_context_columns as string[]).join(', ')}</dd>
          </div>
        )}
        {!!d.parameters && typeof d.parameters === 'object' && Object.keys(d.parameters).length > 0 && (
          <div>
            <dt>Parameters</dt>
            <dd className="mono">{JSON.stringify(d.parameters)}</dd>
          </div>
        )}
      </dl>
      {isPrompt ? (
        <>
          <div className="field-name">Judge prompt</div>
          <pre className="code">{cellText(d.judge_prompt)}</pre>
        </>
      ) : (
        <>
          <div className="field-name">Definition</div>
          <p className="pre">{cellText(d.definition)}</p>
          <div className="field-name">Grading prompt</div>
          <pre className="code">{cellText(d.grading_prompt)}</pre>
        </>
      )}
      {examples.length > 0 && (
        <>
          <div className="field-name">Few-shot examples ({examples.length})</div>
          <table className="table examples-table">
            <thead>
              <tr>
                <th>Input</th>
                <th>Output</th>
                {withContext && <th>Context</th>}
                <th className="num">Score</th>
                <th>Justification</th>
              </tr>
            </thead>
            <tbody>
              {examples.map((e, i) => (
                <tr key={i}>
                  <td className="pre">{cellText(e.input)}</td>
                  <td className="pre">{cellText(e.output)}</td>
                  {withContext && <td className="pre small">{contextText(e.grading_context)}</td>}
                  <td className="num">{cellText(e.score)}</td>
                  <td className="pre muted">{cellText(e.justification)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

const DAY_MS = 86_400_000;
const SERIES_COLORS = ['#4f46e5', '#16a34a', '#d97706', '#dc2626', '#0891b2', '#7c3aed', '#db2777', '#65a30d'];

/** Each version's agreement over time: one line per version, of the statistic chosen. */
function AgreementChart({ history }: { history: JudgeAgreementHistory }) {
  const available = AGREEMENT_STATS.filter((s) => history.series.some((v) => v.points.some((p) => p.statistics[s.key] != null)));
  const [stat, setStat] = useState(available.find((s) => s.key === 'cohen_kappa')?.key ?? available[0]?.key ?? 'accuracy');
  const lines = history.series.map((v) => ({
    version: v.version,
    points: v.points.flatMap((p) =>
      p.statistics[stat] == null ? [] : [{ t: Date.parse(p.computed_at), value: p.statistics[stat], n: p.n }],
    ),
  }));
  // A single check still gets a day either side, so that its point is drawn inside the axis.
  const times = lines.flatMap((l) => l.points.map((p) => p.t));
  const [from, to] = [Math.min(...times), Math.max(...times)];
  const domain = from === to ? [from - DAY_MS, to + DAY_MS] : [from, to];
  return (
    <div className="agreement-chart" data-testid={`agreement-chart-${history.name}`}>
      <label className="control inline">
        <span>Over time</span>
        <select value={stat} onChange={(e) => setStat(e.target.value)} aria-label="statistic over time">
          {available.map((s) => (
            <option key={s.key} value={s.key}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--line)" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={domain}
            tickFormatter={(t: number) => formatDate(new Date(t).toISOString())}
            tick={{ fontSize: 11, fill: 'var(--muted)' }}
          />
          <YAxis
            domain={stat === 'accuracy' || stat === 'precision' || stat === 'recall' || stat === 'f1' ? [0, 1] : [-1, 1]}
            tick={{ fontSize: 11, fill: 'var(--muted)' }}
            width={36}
          />
          <Tooltip
            labelFormatter={(t) => formatDate(new Date(Number(t)).toISOString())}
            formatter={(value) => formatNumber(Number(value), 3)}
            contentStyle={{ fontSize: 12, borderRadius: 6, border: '1px solid var(--line)' }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {lines.map((line, i) => (
            <Line
              key={line.version}
              data={line.points}
              dataKey="value"
              name={line.version}
              stroke={SERIES_COLORS[i % SERIES_COLORS.length]}
              dot
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/**
 * Checks a version against a dataset's human labels (`POST /api/judges/:name/align`): a column of
 * the upload, or the labels people gave in the dataset's label job of this judge. The new point
 * joins the history when the check's job completes.
 */
function CheckForm({ judge, onChecked }: { judge: JudgeGroup; onChecked: () => void }) {
  const versions = [...new Set(judge.versions.map((v) => v.version))];
  const datasets = useApi((_signal) => api.datasets({ limit: 100 }), []);
  const [version, setVersion] = useState(versions.at(-1) ?? '');
  const [datasetId, setDatasetId] = useState('');
  const [humanCol, setHumanCol] = useState('');
  const [judgeModel, setJudgeModel] = useState('');
  const [fresh, setFresh] = useState(false);
  const [checking, setChecking] = useState<{ jobId: string; rows: number }>();
  const dataset = datasets.data?.datasets.find((d) => d.id === (datasetId || datasets.data?.datasets[0]?.id));
  const job = useApi((signal) => (checking ? api.job(checking.jobId, signal) : Promise.resolve(undefined)), [checking?.jobId], {
    pollMs: 500,
    poll: (j) => !!checking && (!j || j.status === 'running' || j.status === 'queued'),
  });
  const done = job.data && job.data.status !== 'running' && job.data.status !== 'queued';
  useEffect(() => {
    if (done) onChecked();
  }, [done, onChecked]);
  const { busy, error, submit, fieldError, hint } = useApiForm(async () => {
    if (!dataset) return;
    const started = await api.alignJudge(judge.name, {
      dataset_id: dataset.id,
      version,
      ...(humanCol ? { human_col: humanCol } : {}),
      ...(judgeModel ? { judge_model: judgeModel } : {}),
      ...(fresh ? { cache: false } : {}),
    });
    setChecking({ jobId: started.job_id, rows: started.rows });
  });
  if (!datasets.data?.datasets.length) return null;
  return (
    <form className="check-form" onSubmit={submit} aria-label={`check ${judge.name} against human labels`} noValidate>
      <div className="field-name">Check against human labels</div>
      <div className="form-grid">
        <label className={`control ${fieldError('version')}`}>
          <span>Version</span>
          <select name="check_version" value={version} onChange={(e) => setVersion(e.target.value)}>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
          {hint('version')}
        </label>
        <label className={`control ${fieldError('dataset_id')}`}>
          <span>Dataset</span>
          <select name="check_dataset" value={dataset?.id ?? ''} onChange={(e) => (setDatasetId(e.target.value), setHumanCol(''))}>
            {datasets.data.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          {hint('dataset_id')}
        </label>
        <label className={`control ${fieldError('human_col')} ${fieldError('label_job')}`}>
          <span>Human labels</span>
          <select name="check_human" value={humanCol} onChange={(e) => setHumanCol(e.target.value)}>
            <option value="">its label job of this judge</option>
            {dataset?.columns.map((c) => (
              <option key={c} value={c}>
                column {c}
              </option>
            ))}
          </select>
          {hint('human_col')}
          {hint('label_job')}
        </label>
        <label className={`control ${fieldError('judge_model')}`}>
          <span>Judge model</span>
          <input
            type="text"
            name="check_model"
            placeholder="the judge's own, else the server's"
            value={judgeModel}
            onChange={(e) => setJudgeModel(e.target.value)}
          />
          {hint('judge_model')}
        </label>
      </div>
      <label className="control check">
        <input type="checkbox" name="check_fresh" checked={fresh} onChange={(e) => setFresh(e.target.checked)} />
        <span>Ask the judge model again (not the stored answers): a re-check for drift</span>
      </label>
      {error !== undefined && !(error instanceof ApiError && error.field) && <ErrorBox error={error} title="Not checked" />}
      <div className="form-actions">
        {checking && (
          <span className="muted small check-status" role="status">
            {done
              ? `${job.data!.status === 'completed' ? 'Checked' : `Check ${job.data!.status}`} on ${formatInt(checking.rows)} rows`
              : `Checking ${formatInt(checking.rows)} rows…`}
            {job.data?.error ? `: ${job.data.error}` : ''}
          </span>
        )}
        <button type="submit" className="button" disabled={busy && !done}>
          Check {version}
        </button>
      </div>
    </form>
  );
}

type AuditSummary = JudgeAudits['audits'][number]['summary'];

/** The audit numbers shown per version: what each means, and whether higher is worse. */
const AUDIT_FACTS: Array<{ key: keyof AuditSummary; name: string; signed?: boolean }> = [
  { key: 'verbosity_shift', name: 'Verbosity: score shift', signed: true },
  { key: 'authority_shift', name: 'Authority: score shift', signed: true },
  { key: 'injection_flip_rate', name: 'Injection: flip rate' },
  { key: 'consistency_alpha', name: 'Self-consistency: α' },
  { key: 'consistency_change_rate', name: 'Verdicts changing' },
  { key: 'position_consistency', name: 'Position: verdict kept when swapped' },
  { key: 'first_position', name: 'Position: first shown preferred' },
];

/** An audit number with its 95% interval: `+0.8 [0.4, 1]`. */
function auditText(estimate: AuditSummary[keyof AuditSummary] | undefined, signed = false): string {
  if (!estimate || estimate.value === null) return '—';
  const text = (v: number) => `${signed && v > 0 ? '+' : ''}${formatNumber(v, 3)}`;
  return `${text(estimate.value)}${estimate.ci ? ` [${text(estimate.ci[0])}, ${text(estimate.ci[1])}]` : ''}`;
}

/** Each version's latest audit as rows of facts (none when no version was audited). */
function auditFacts(judge: JudgeGroup, audits: JudgeAudits | undefined): Array<{ name: string; values: string[] }> {
  const latest = new Map((audits?.audits ?? []).map((a) => [a.judge_id, a]));
  if (latest.size === 0) return [];
  return [
    {
      name: 'Audited',
      values: judge.versions.map((v) => {
        const audit = latest.get(v.id);
        return audit ? `${formatDate(audit.created_at)}, ${formatInt(audit.n)} rows (${audit.suite} ${audit.suite_version})` : 'not yet';
      }),
    },
    // A number no version has (a probe that does not apply to this judge) is left out.
    ...AUDIT_FACTS.filter((fact) => judge.versions.some((v) => latest.get(v.id)?.summary[fact.key])).map((fact) => ({
      name: fact.name,
      values: judge.versions.map((v) => auditText(latest.get(v.id)?.summary[fact.key], fact.signed)),
    })),
  ];
}

/**
 * Audits a version for biases over a dataset (`POST /api/judges/:name/audit`: every probe that
 * applies, the built-in suite); its numbers join the table above when the audit's job completes.
 */
function AuditForm({ judge, onAudited }: { judge: JudgeGroup; onAudited: () => void }) {
  const versions = [...new Set(judge.versions.map((v) => v.version))];
  const datasets = useApi((_signal) => api.datasets({ limit: 100 }), []);
  const [version, setVersion] = useState(versions.at(-1) ?? '');
  const [datasetId, setDatasetId] = useState('');
  const [judgeModel, setJudgeModel] = useState('');
  const [mapping, setMapping] = useState('');
  const [audit, setAudit] = useState<{ jobId: string; rows: number }>();
  const dataset = datasets.data?.datasets.find((d) => d.id === (datasetId || datasets.data?.datasets[0]?.id));
  const job = useApi((signal) => (audit ? api.job(audit.jobId, signal) : Promise.resolve(undefined)), [audit?.jobId], {
    pollMs: 500,
    poll: (j) => !!audit && (!j || j.status === 'running' || j.status === 'queued'),
  });
  const finished = !!job.data && job.data.status !== 'running' && job.data.status !== 'queued';
  useEffect(() => {
    if (finished) onAudited();
  }, [finished, onAudited]);
  const form = useApiForm(async () => {
    if (!dataset) return;
    // `inputs=question, outputs=answer`: judge variables read from other columns (the server checks each).
    const pairs = mapping
      .split(',')
      .flatMap((part) => (part.includes('=') ? [part.split('=').map((x) => x.trim()) as [string, string]] : []));
    const started = await api.auditJudge(judge.name, {
      dataset_id: dataset.id,
      version,
      ...(judgeModel ? { judge_model: judgeModel } : {}),
      ...(pairs.length ? { col_mapping: Object.fromEntries(pairs) } : {}),
    });
    setAudit({ jobId: started.job_id, rows: started.rows });
  });
  if (!datasets.data?.datasets.length) return null;
  return (
    <form className="check-form" onSubmit={form.submit} aria-label={`audit ${judge.name} for biases`} noValidate>
      <div className="field-name">Audit for biases (verbosity, authority, injection, self-consistency; position for pairwise judges)</div>
      <div className="form-grid">
        <label className={`control ${form.fieldError('version')}`}>
          <span>Version</span>
          <select name="audit_version" value={version} onChange={(e) => setVersion(e.target.value)}>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
          {form.hint('version')}
        </label>
        <label className={`control ${form.fieldError('dataset_id')}`}>
          <span>Dataset (its first 100 rows)</span>
          <select name="audit_dataset" value={dataset?.id ?? ''} onChange={(e) => setDatasetId(e.target.value)}>
            {datasets.data.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          {form.hint('dataset_id')}
        </label>
        <label className={`control ${form.fieldError('col_mapping')}`}>
          <span>Column mapping</span>
          <input
            type="text"
            name="audit_mapping"
            placeholder="e.g. inputs=question, outputs=answer"
            value={mapping}
            onChange={(e) => setMapping(e.target.value)}
          />
          {form.hint('col_mapping')}
        </label>
        <label className={`control ${form.fieldError('judge_model')}`}>
          <span>Judge model</span>
          <input
            type="text"
            name="audit_model"
            placeholder="the judge's own, else the server's"
            value={judgeModel}
            onChange={(e) => setJudgeModel(e.target.value)}
          />
          {form.hint('judge_model')}
        </label>
      </div>
      {form.error !== undefined && !(form.error instanceof ApiError && form.error.field) && (
        <ErrorBox error={form.error} title="Not audited" />
      )}
      <div className="form-actions">
        {audit && (
          <span className="muted small audit-status" role="status">
            {finished ? `Audit ${job.data!.status} on ${formatInt(audit.rows)} rows` : `Auditing ${formatInt(audit.rows)} rows…`}
            {job.data?.error ? `: ${job.data.error}` : ''}
          </span>
        )}
        <button type="submit" className="button" disabled={form.busy && !finished}>
          Audit {version}
        </button>
      </div>
    </form>
  );
}

/** The versions side by side: when each came, its examples and runs, its latest agreement with human labels and its latest audit. */
function VersionsAgreement({ judge }: { judge: JudgeGroup }) {
  const history = useApi((signal) => api.judgeAgreement(judge.name, signal), [judge.name]);
  const audits = useApi((signal) => api.judgeAudits(judge.name, signal), [judge.name]);
  if (history.error) return <ErrorBox error={history.error} title="Could not load the agreement" />;
  if (!history.data) return <Loading what="Loading agreement" />;
  const latest = new Map(history.data.series.map((s) => [s.judge_id, s.points.at(-1)]));
  const examples = (v: Version) => (Array.isArray(v.definition.examples) ? v.definition.examples.length : 0);
  const hasPoints = history.data.series.some((s) => s.points.length > 0);
  return (
    <section className="versions-agreement" aria-label={`versions of ${judge.name} side by side`}>
      <div className="field-name">Versions side by side</div>
      <AgreementTable
        label={`agreement of ${judge.name} by version`}
        columns={judge.versions.map((v) => {
          const point = latest.get(v.id);
          return {
            key: v.id,
            title: v.version,
            n: point?.n ?? 0,
            statistics: point?.statistics ?? {},
            ...(point ? { subtitle: `checked ${formatDate(point.computed_at)}` } : {}),
          };
        })}
        facts={[
          { name: 'First used', values: judge.versions.map((v) => formatDate(v.created_at)) },
          { name: 'Few-shot examples', values: judge.versions.map((v) => formatInt(examples(v))) },
          { name: 'Runs', values: judge.versions.map((v) => formatInt(v.run_count)) },
          ...auditFacts(judge, audits.data),
        ]}
      />
      {hasPoints ? (
        <AgreementChart history={history.data} />
      ) : (
        <p className="muted small">
          No agreement with human labels yet: review a label job of this judge, check a version below, or run `juror align`.
        </p>
      )}
      <CheckForm judge={judge} onChecked={history.reload} />
      <AuditForm judge={judge} onAudited={audits.reload} />
    </section>
  );
}

function JudgeCard({ judge, distilled = [] }: { judge: JudgeGroup; distilled?: DistilledVersion[] }) {
  const [selected, setSelected] = useState(judge.versions.length - 1);
  const version = judge.versions[selected] ?? judge.versions[judge.versions.length - 1];
  if (!version) return null;
  return (
    <article className="card judge-card" data-judge={judge.name} id={judge.name}>
      <header className="judge-header">
        <h2>{judge.name}</h2>
        <div className="versions" role="tablist" aria-label={`versions of ${judge.name}`}>
          {judge.versions.map((v, i) => (
            <button
              type="button"
              role="tab"
              key={v.id}
              aria-selected={i === selected}
              className={`version-tab ${i === selected ? 'active' : ''}`}
              onClick={() => setSelected(i)}
              title={`hash ${v.hash}`}
            >
              {v.version}
              {judge.versions.filter((w) => w.version === v.version).length > 1 && (
                <span className="mono muted"> {shortHash(v.hash, 6)}</span>
              )}
            </button>
          ))}
        </div>
      </header>
      <div className="muted small">
        first used {formatDate(version.created_at)} · in {formatInt(version.run_count)} run{version.run_count === 1 ? '' : 's'} ·{' '}
        <span className="mono">{shortHash(version.hash, 12)}</span>
      </div>
      <Definition version={version} />
      {judge.versions.length > 0 && <VersionsAgreement judge={judge} />}
      {distilled.length > 0 && <DistilledVersions versions={distilled} />}
    </article>
  );
}

export function JudgesPage() {
  const judges = useApi((_signal) => api.judges(), []);
  // Distilled versions sit beside the LLM versions of their name; a name with only distilled versions has a card of its own.
  const distilled = useApi((signal) => api.distilled(undefined, signal), []);
  const distilledOf = (name: string) => distilled.data?.versions.filter((v) => v.name === name) ?? [];
  const distilledOnly = [...new Set(distilled.data?.versions.map((v) => v.name))].filter(
    (name) => !judges.data?.judges.some((judge) => judge.name === name),
  );
  return (
    <div className="page judges-page">
      <div className="page-header">
        <h1>Judges</h1>
      </div>
      {judges.error && <ErrorBox error={judges.error} title="Could not load judges" />}
      {!judges.data && judges.loading && <Loading what="Loading judges" />}
      {judges.data && judges.data.judges.length === 0 && distilledOnly.length === 0 && <Empty>No judge has been used yet.</Empty>}
      {judges.data?.judges.map((judge) => (
        <JudgeCard key={judge.name} judge={judge} distilled={distilledOf(judge.name)} />
      ))}
      {judges.data &&
        distilledOnly.map((name) => (
          <article key={name} className="card judge-card" data-judge={name} id={name}>
            <header className="judge-header">
              <h2>{name}</h2>
            </header>
            <DistilledVersions versions={distilledOf(name)} />
          </article>
        ))}
    </div>
  );
}
