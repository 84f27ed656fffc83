/**
 * Two or more runs side by side: each metric's headline with its change against the first run
 * (the baseline); paired statistics of a run against the baseline (GET /api/runs/compare: the
 * difference with its interval, a paired test, a verdict); a pairwise judge over their outputs;
 * then the rows whose scores changed most. Rows are matched by row index, which is meaningful
 * only when the runs share a dataset hash; they are read from the paged results API.
 */
import { useMemo, useState } from 'react';
import { api, type PageRow, type RunDetail } from '../api.js';
import { rowColumns, inputText, type RowColumns } from '../columns.js';
import { Empty, ErrorBox, Loading, StatusBadge } from '../components/common.js';
import { PairwisePanel } from '../components/PairwisePanel.js';
import {
  formatCost,
  formatDate,
  formatDelta,
  formatInt,
  formatMetricValue,
  formatNumber,
  formatScore,
  shortHash,
  shortId,
} from '../format.js';
import { useApi } from '../hooks.js';
import { deltaTone, headline, runMetrics, tone, type MetricInfo } from '../metrics.js';
import { Link, useLocation } from '../router.js';

/** Rows read per run for the row comparison; larger runs are compared on their first rows. */
const MAX_COMPARED_ROWS = 20_000;
const PAGE = 500;

interface LoadedRows {
  rows: Map<number, PageRow>;
  total: number;
}

async function loadRows(runId: string, signal: AbortSignal, onProgress: (n: number, total: number) => void): Promise<LoadedRows> {
  const rows = new Map<number, PageRow>();
  let total = Infinity;
  for (let offset = 0; offset < Math.min(total, MAX_COMPARED_ROWS); offset += PAGE) {
    const page = await api.results(runId, { offset, limit: PAGE }, signal);
    total = page.total;
    for (const row of page.rows) rows.set(row.row_index, row);
    onProgress(rows.size, Math.min(total, MAX_COMPARED_ROWS));
    if (page.rows.length < PAGE) break;
  }
  return { rows, total: Number.isFinite(total) ? total : rows.size };
}

interface Change {
  rowIndex: number;
  input: string;
  a: PageRow['results'][string] | undefined;
  b: PageRow['results'][string] | undefined;
  delta: number | undefined;
}

function changes(a: LoadedRows, b: LoadedRows, metric: string, columns: RowColumns): Change[] {
  const out: Change[] = [];
  for (const [index, rowB] of b.rows) {
    const rowA = a.rows.get(index);
    if (!rowA) continue;
    const ra = rowA.results[metric];
    const rb = rowB.results[metric];
    const va = ra?.value ?? null;
    const vb = rb?.value ?? null;
    const errorChanged = !!ra?.error !== !!rb?.error;
    if (va !== null && vb !== null) {
      if (va !== vb) out.push({ rowIndex: index, input: inputText(rowB, columns), a: ra, b: rb, delta: vb - va });
    } else if (errorChanged) {
      out.push({ rowIndex: index, input: inputText(rowB, columns), a: ra, b: rb, delta: undefined });
    }
  }
  // Largest changes first; a row that started or stopped failing counts as the largest.
  const size = (c: Change) => (c.delta === undefined ? Number.MAX_VALUE : Math.abs(c.delta));
  return out.sort((x, y) => size(y) - size(x) || x.rowIndex - y.rowIndex);
}

function Score({ info, result }: { info: MetricInfo; result: PageRow['results'][string] | undefined }) {
  if (!result) return <span className="muted">—</span>;
  if (result.error)
    return (
      <span className="score-chip error" title={result.error}>
        error
      </span>
    );
  return (
    <span className={`score-chip tone-${tone(info, result.value)}`} title={result.justification ?? undefined}>
      {formatScore(info, result)}
    </span>
  );
}

function RowChanges({ runs, metrics }: { runs: RunDetail[]; metrics: MetricInfo[] }) {
  const [baseline] = runs;
  const [otherId, setOtherId] = useState(runs[1]!.id);
  const other = runs.find((r) => r.id === otherId) ?? runs[1]!;
  const shared = metrics.filter((m) => baseline!.metric_names.includes(m.key) && other.metric_names.includes(m.key));
  const [metricKey, setMetricKey] = useState<string | undefined>();
  const metric = shared.find((m) => m.key === metricKey) ?? shared[0];
  const [progress, setProgress] = useState('');
  const sameData = !!baseline!.dataset.hash && baseline!.dataset.hash === other.dataset.hash;

  const loaded = useApi(
    async (signal) => {
      if (!sameData) return undefined;
      const counts = [0, 0];
      const report = (i: number) => (n: number, total: number) => {
        counts[i] = n;
        setProgress(`${formatInt(counts[0]! + counts[1]!)} of ${formatInt(2 * total)} rows read`);
      };
      const [a, b] = await Promise.all([loadRows(baseline!.id, signal, report(0)), loadRows(other.id, signal, report(1))]);
      return { a, b };
    },
    [baseline!.id, other.id, sameData],
  );
  const list = useMemo(() => {
    if (!loaded.data || !metric) return [];
    const first = loaded.data.b.rows.values().next().value;
    const columns = rowColumns(other.config, other.dataset.columns?.length ? other.dataset.columns : Object.keys(first?.record ?? {}));
    return changes(loaded.data.a, loaded.data.b, metric.key, columns);
  }, [loaded.data, metric, other]);

  return (
    <section className="card changes" aria-label="rows that changed most">
      <div className="section-header">
        <h2>Rows whose scores changed most</h2>
        <div className="toolbar">
          {runs.length > 2 && (
            <label className="control">
              <span>{shortId(baseline!.id)} against</span>
              <select value={other.id} onChange={(e) => setOtherId(e.target.value)}>
                {runs.slice(1).map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name || shortId(r.id)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {shared.length > 0 && (
            <label className="control">
              <span>Metric</span>
              <select name="compare-metric" value={metric?.key ?? ''} onChange={(e) => setMetricKey(e.target.value)}>
                {shared.map((m) => (
                  <option key={m.key} value={m.key}>
                    {m.key}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
      </div>
      {!sameData && (
        <Empty>
          These runs were made on different data (dataset hash {shortHash(baseline!.dataset.hash)} vs {shortHash(other.dataset.hash)}), so
          their rows cannot be matched.
        </Empty>
      )}
      {sameData && shared.length === 0 && <Empty>The runs have no metric in common.</Empty>}
      {loaded.error && <ErrorBox error={loaded.error} />}
      {sameData && !loaded.data && loaded.loading && <Loading what={`Reading rows${progress ? ` (${progress})` : ''}`} />}
      {loaded.data && metric && (
        <>
          <p className="muted small">
            {formatInt(list.length)} of {formatInt(Math.min(loaded.data.a.rows.size, loaded.data.b.rows.size))} rows changed on {metric.key}
            {Math.max(loaded.data.a.total, loaded.data.b.total) > MAX_COMPARED_ROWS &&
              ` (the first ${formatInt(MAX_COMPARED_ROWS)} rows compared)`}
            .
          </p>
          {list.length > 0 && (
            <table className="table changes-table">
              <thead>
                <tr>
                  <th className="num">#</th>
                  <th>Input</th>
                  <th>{baseline!.name || shortId(baseline!.id)}</th>
                  <th>{other.name || shortId(other.id)}</th>
                  <th className="num">Change</th>
                </tr>
              </thead>
              <tbody>
                {list.slice(0, 50).map((c) => (
                  <tr key={c.rowIndex} data-row-index={c.rowIndex}>
                    <td className="num mono muted">
                      <Link to={`/runs/${encodeURIComponent(other.id)}?row=${c.rowIndex}`}>{c.rowIndex}</Link>
                    </td>
                    <td className="wide-cell" title={c.input}>
                      <div className="clamp">{c.input}</div>
                    </td>
                    <td>
                      <Score info={metric} result={c.a} />
                    </td>
                    <td>
                      <Score info={metric} result={c.b} />
                    </td>
                    <td className={`num delta-${c.delta === undefined ? 'neutral' : deltaTone(metric, c.delta)}`}>
                      {c.delta === undefined ? 'error ↔ value' : formatDelta(metric, c.delta)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** A p-value as people read it: three decimals, or "< 0.001". */
function formatP(p: number | null): string {
  if (p === null) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

const VERDICT_TONE: Record<string, string> = { 'B is better': 'good', 'B is worse': 'poor' };

/** Paired statistics of one run against the baseline, per metric both scored, with a plain verdict. */
function PairedStatistics({ runs }: { runs: RunDetail[] }) {
  const [baseline] = runs;
  const [otherId, setOtherId] = useState(runs[1]!.id);
  const other = runs.find((r) => r.id === otherId) ?? runs[1]!;
  const sameData = !!baseline!.dataset.hash && baseline!.dataset.hash === other.dataset.hash;
  const stats = useApi(
    (signal) => (sameData ? api.compareRuns(baseline!.id, other.id, signal) : Promise.resolve(undefined)),
    [baseline!.id, other.id, sameData],
  );
  const name = (run: RunDetail) => run.name || shortId(run.id);
  return (
    <>
      <section className="card paired-stats" aria-label="paired statistics">
        <div className="section-header">
          <h2>
            Is {name(other)} better than {name(baseline!)}?
          </h2>
          {runs.length > 2 && (
            <div className="toolbar">
              <label className="control">
                <span>{shortId(baseline!.id)} against</span>
                <select name="paired-run" value={other.id} onChange={(e) => setOtherId(e.target.value)}>
                  {runs.slice(1).map((r) => (
                    <option key={r.id} value={r.id}>
                      {name(r)}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          )}
        </div>
        {!sameData && <Empty>These runs were made on different data, so they cannot be compared row by row.</Empty>}
        {stats.error && <ErrorBox error={stats.error} />}
        {sameData && !stats.data && stats.loading && <Loading what="Computing paired statistics" />}
        {stats.data && (
          <>
            <table className="table paired-table">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th className="num">Pairs</th>
                  <th className="num">Mean A</th>
                  <th className="num">Mean B</th>
                  <th className="num">B − A [95% CI]</th>
                  <th>Test</th>
                  <th className="num">p</th>
                  <th>Verdict</th>
                </tr>
              </thead>
              <tbody>
                {stats.data.metrics.map((m) => (
                  <tr key={m.metric} data-metric={m.metric}>
                    <th scope="row">{m.metric}</th>
                    <td className="num">{formatInt(m.n)}</td>
                    <td className="num">{formatNumber(m.mean_a)}</td>
                    <td className="num">{formatNumber(m.mean_b)}</td>
                    <td className="num">
                      {formatNumber(m.difference)}
                      {m.interval && (
                        <span className="muted small">
                          {' '}
                          [{formatNumber(m.interval[0])}, {formatNumber(m.interval[1])}]
                        </span>
                      )}
                    </td>
                    <td className="small">
                      {m.test === 'mcnemar' ? 'McNemar' : 'Wilcoxon signed-rank'}
                      {m.method ? ` (${m.method})` : ''}
                    </td>
                    <td className="num">{formatP(m.p)}</td>
                    <td className={`verdict tone-${VERDICT_TONE[m.verdict] ?? 'neutral'}`} data-testid="verdict">
                      {m.verdict}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted small">
              A is {name(baseline!)}, B is {name(other)}. Rows scored in both runs are paired; a difference is called one when the paired
              test has p &lt; {stats.data.alpha}; intervals are a paired bootstrap of {formatInt(stats.data.resamples)} resamples.
            </p>
          </>
        )}
      </section>
      {sameData && <PairwisePanel a={baseline!} b={other} />}
    </>
  );
}

export function ComparePage() {
  const { query } = useLocation();
  const ids = (query.get('runs') ?? '').split(',').filter(Boolean);
  const runs = useApi((signal) => Promise.all(ids.map((id) => api.run(id, signal))), [ids.join(',')]);

  if (ids.length < 2)
    return (
      <Empty>
        Select two or more runs on the <Link to="/">Runs</Link> page to compare them.
      </Empty>
    );
  if (runs.error) return <ErrorBox error={runs.error} title="Could not load the runs" />;
  if (!runs.data) return <Loading what="Loading runs" />;

  const list = runs.data;
  const baseline = list[0]!;
  const byKey = new Map<string, MetricInfo>();
  for (const run of list) for (const info of runMetrics(run)) if (!byKey.has(info.key)) byKey.set(info.key, info);
  const metrics = [...byKey.values()];
  const value = (run: RunDetail, info: MetricInfo) => headline(info, run.metrics);
  const errorsOf = (run: RunDetail, key: string) => run.per_metric.find((m) => m.metric === key)?.error_count;

  return (
    <div className="page compare-page">
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to="/">Runs</Link> / compare
          </div>
          <h1>Compare {list.length} runs</h1>
        </div>
      </div>
      <div className="table-wrap card">
        <table className="table compare-table">
          <thead>
            <tr>
              <th>Metric</th>
              {list.map((run, i) => (
                <th key={run.id} className="num">
                  <Link to={`/runs/${encodeURIComponent(run.id)}`}>{run.name || shortId(run.id)}</Link>
                  <div className="muted small">
                    {i === 0 ? 'baseline · ' : ''}
                    {formatDate(run.started_at)} <StatusBadge status={run.status} />
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {metrics.map((info) => {
              const base = value(baseline, info);
              return (
                <tr key={info.key} data-metric={info.key}>
                  <th scope="row">
                    {info.key}
                    <div className="muted small">{base.aggregation}</div>
                  </th>
                  {list.map((run, i) => {
                    const v = value(run, info);
                    const delta = i > 0 && v.value !== undefined && base.value !== undefined ? v.value - base.value : undefined;
                    const errors = errorsOf(run, info.key);
                    return (
                      <td key={run.id} className="num">
                        <span className={`compare-value tone-${tone(info, v.value)}`}>
                          {formatMetricValue(info, v.value, v.aggregation)}
                        </span>
                        {delta !== undefined && (
                          <span className={`delta delta-${deltaTone(info, delta)}`} data-testid="delta">
                            {formatDelta(info, delta)}
                          </span>
                        )}
                        {errors ? <div className="text-poor small">{formatInt(errors)} errors</div> : null}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            <tr className="subtle">
              <th scope="row">Rows</th>
              {list.map((run) => (
                <td key={run.id} className="num">
                  {formatInt(run.row_count)}
                </td>
              ))}
            </tr>
            <tr className="subtle">
              <th scope="row">Error rows</th>
              {list.map((run) => (
                <td key={run.id} className={`num ${run.error_count ? 'text-poor' : ''}`}>
                  {formatInt(run.error_count)}
                </td>
              ))}
            </tr>
            <tr className="subtle">
              <th scope="row">Cost</th>
              {list.map((run) => (
                <td key={run.id} className="num">
                  {formatCost(run.cost_usd)}
                </td>
              ))}
            </tr>
            <tr className="subtle">
              <th scope="row">Dataset</th>
              {list.map((run) => (
                <td key={run.id} className="num mono small" title={run.dataset.hash}>
                  {run.dataset.name ?? ''} {shortHash(run.dataset.hash)}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      <PairedStatistics runs={list} />
      <RowChanges runs={list} metrics={metrics} />
    </div>
  );
}
