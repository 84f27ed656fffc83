/**
 * "Judge pairwise" on the compare page: a pairwise judge (a stored one, or a prompt written here
 * with {response_a} and {response_b}) reads each row's two outputs in both orders, as a job
 * (POST /api/runs/compare/pairwise); the panel follows it and shows B's win / loss / tie rates with
 * their 95% intervals, the consistency under swap and the first-position preference.
 */
import { useState, type FormEvent } from 'react';
import { api, type PairwiseResult, type RunDetail } from '../api.js';
import { formatInt, formatPercent, shortId } from '../format.js';
import { useApi } from '../hooks.js';
import { Link } from '../router.js';
import { Empty, ErrorBox, Loading } from './common.js';

const DEFAULT_PROMPT = 'Which answer is better for the question {inputs}?\nAnswer A: {response_a}\nAnswer B: {response_b}';
const FINAL = ['completed', 'failed', 'cancelled'];

type Rate = NonNullable<PairwiseResult['report']>['summary']['wins'];

function RateCell({ rate }: { rate: Rate }) {
  return (
    <td className="num">
      {formatPercent(rate.value)}
      {rate.interval && (
        <span className="muted small">
          {' '}
          [{formatPercent(rate.interval[0])}, {formatPercent(rate.interval[1])}]
        </span>
      )}
    </td>
  );
}

/** Whether a stored judge's definition (its config form) compares two responses. */
function isPairwise(definition: Record<string, unknown>): boolean {
  const prompt = typeof definition.judge_prompt === 'string' ? definition.judge_prompt : '';
  return definition.pairwise === true || (prompt.includes('{response_a}') && prompt.includes('{response_b}'));
}

export function PairwisePanel({ a, b }: { a: RunDetail; b: RunDetail }) {
  const judges = useApi(() => api.judges(), []);
  const stored = (judges.data?.judges ?? []).filter((j) => j.versions.length && isPairwise(j.versions[j.versions.length - 1]!.definition));
  const [choice, setChoice] = useState('');
  const [name, setName] = useState('better_answer');
  const [prompt, setPrompt] = useState(DEFAULT_PROMPT);
  const [model, setModel] = useState('');
  const [jobId, setJobId] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const result = useApi(async (signal) => (jobId ? api.pairwiseComparison(jobId, signal) : undefined), [jobId], {
    pollMs: 1000,
    poll: (data) => !!jobId && (!data || !FINAL.includes(data.status)),
  });

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const started = await api.comparePairwise({
        a: a.id,
        b: b.id,
        judge: choice || { name, judge_prompt: prompt },
        ...(model.trim() ? { judge_model: model.trim() } : {}),
      });
      setJobId(started.job_id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const report = result.data?.report;
  return (
    <section className="card pairwise-panel" aria-label="judge pairwise">
      <div className="section-header">
        <h2>Judge pairwise</h2>
        <span className="muted small">
          {a.name || shortId(a.id)} (A) against {b.name || shortId(b.id)} (B), each row in both orders
        </span>
      </div>
      <form className="form" onSubmit={start}>
        {stored.length > 0 && (
          <label className="control">
            <span>Judge</span>
            <select name="pairwise-judge" value={choice} onChange={(e) => setChoice(e.target.value)}>
              <option value="">a prompt written here</option>
              {stored.map((j) => (
                <option key={j.name} value={j.name}>
                  {j.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {!choice && (
          <>
            <label className="control">
              <span>Name</span>
              <input name="pairwise-name" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label className="control">
              <span>
                Judge prompt — shows {'{response_a}'} and {'{response_b}'}; other {'{column}'} variables are the row&apos;s
              </span>
              <textarea name="pairwise-prompt" rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
            </label>
          </>
        )}
        <label className="control">
          <span>Judge model (when the judge names none)</span>
          <input name="pairwise-model" value={model} placeholder="openai:/gpt-4o-mini" onChange={(e) => setModel(e.target.value)} />
        </label>
        <button
          type="submit"
          className="button primary"
          disabled={busy || (!!jobId && !!result.data && !FINAL.includes(result.data.status))}
        >
          Judge pairwise
        </button>
      </form>
      {error !== undefined && <ErrorBox error={error} title="The comparison was not started" />}
      {result.error && <ErrorBox error={result.error} />}
      {jobId && !report && result.data && !FINAL.includes(result.data.status) && <Loading what={`Judging (${result.data.status})`} />}
      {result.data?.status === 'failed' && (
        <ErrorBox error={new Error(result.data.error ?? 'the job failed')} title="The comparison failed" />
      )}
      {result.data?.status === 'cancelled' && <Empty>The comparison was cancelled.</Empty>}
      {report && (
        <>
          <p className="muted small">
            {formatInt(report.summary.judged)} rows judged in both orders by {report.judge.name}/{report.judge.version},{' '}
            {formatInt(report.summary.errors)} with a judge error, {formatInt(report.skipped)} without both outputs
            {report.judging_run && (
              <>
                {' '}
                · the judge&apos;s calls: <Link to={`/runs/${encodeURIComponent(report.judging_run)}`}>{shortId(report.judging_run)}</Link>
              </>
            )}
          </p>
          <table className="table pairwise-table">
            <thead>
              <tr>
                <th>Outcome</th>
                <th className="num">Rate [95% CI]</th>
              </tr>
            </thead>
            <tbody>
              <tr data-rate="wins">
                <th scope="row">B wins</th>
                <RateCell rate={report.summary.wins} />
              </tr>
              <tr data-rate="losses">
                <th scope="row">B loses (A wins)</th>
                <RateCell rate={report.summary.losses} />
              </tr>
              <tr data-rate="ties">
                <th scope="row">Tie (order-dependent verdicts included)</th>
                <RateCell rate={report.summary.ties} />
              </tr>
              <tr data-rate="consistency">
                <th scope="row">Consistent when the responses are swapped</th>
                <RateCell rate={report.summary.consistency} />
              </tr>
              <tr data-rate="first_position">
                <th scope="row">First position preferred (50% is none)</th>
                <RateCell rate={report.summary.first_position} />
              </tr>
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
