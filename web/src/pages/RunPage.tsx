/**
 * One run: header, a card per metric (gauge, confidence interval, errors, histogram), then its
 * rows — filterable to low scores or errors, sortable by any metric, each opening in a drawer.
 * Filters and the open row live in the URL, so a view can be shared.
 */
import { useCallback, useMemo, useState } from 'react';
import { api, type ResultsFilter, type RunDetail } from '../api.js';
import { ErrorBox, Loading, ProgressBar, Stat, StatusBadge } from '../components/common.js';
import { MetricCard } from '../components/MetricCard.js';
import { RowDrawer } from '../components/RowDrawer.js';
import { RowsTable } from '../components/RowsTable.js';
import { prefetchFirstPage } from '../rowPages.js';
import { formatCost, formatDate, formatDuration, formatInt, formatNumber, shortHash } from '../format.js';
import { useApi } from '../hooks.js';
import { lowScoreThreshold, runMetrics, type MetricInfo } from '../metrics.js';
import { Link, navigate, useLocation } from '../router.js';

function JobProgress({ jobId }: { jobId: string }) {
  const job = useApi((signal) => api.job(jobId, signal), [jobId], {
    pollMs: 1000,
    poll: (j) => !j || j.status === 'running' || j.status === 'queued',
  });
  const [stopping, setStopping] = useState<unknown>();
  const progress = job.data?.progress;
  const stop = () => {
    setStopping(true);
    api.cancelJob(jobId).then(job.reload, (e: unknown) => setStopping(e));
  };
  if (!progress) return job.data ? <div className="muted small">job {job.data.status}</div> : null;
  return (
    <div className="job-progress card">
      <div className="job-progress-head">
        <ProgressBar done={progress.rows_done} total={progress.row_count} label="rows done" />
        {(job.data?.status === 'running' || job.data?.status === 'queued') && (
          <button
            type="button"
            className="button"
            disabled={stopping === true}
            onClick={stop}
            title="No new calls; finished rows are kept and the run can be resumed"
          >
            {stopping === true ? 'Stopping…' : 'Stop'}
          </button>
        )}
      </div>
      {stopping instanceof Error && <ErrorBox error={stopping} />}
      <div className="muted small">
        {formatInt(progress.calls)} calls · {formatInt(progress.cache_hits)} cached · {formatInt(progress.errors)} errors ·{' '}
        {formatCost(progress.cost_usd)}
      </div>
      {progress.metrics.length > 0 && (
        <div className="job-metrics">
          {progress.metrics.map((m) => (
            <div key={m.metric} className="job-metric">
              <span className="truncate">{m.metric}</span>
              <ProgressBar done={m.done} total={progress.row_count} label={m.metric} />
              {m.errors > 0 && <span className="text-poor small">{m.errors} errors</span>}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

function RunHeader({ run }: { run: RunDetail }) {
  const dataset = run.dataset;
  return (
    <>
      <div className="page-header">
        <div>
          <div className="breadcrumbs">
            <Link to="/">Runs</Link> / <Link to={`/?experiment=${encodeURIComponent(run.experiment)}`}>{run.experiment}</Link>
          </div>
          <h1>
            {run.name || run.id} <StatusBadge status={run.status} />
          </h1>
          <div className="mono muted small">{run.id}</div>
        </div>
      </div>
      <div className="stats">
        <Stat label="Rows">
          {run.status === 'running' ? `${formatInt(run.rows_done)} / ${formatInt(run.row_count)}` : formatInt(run.row_count)}
        </Stat>
        <Stat label="Error rows" tone={run.error_count > 0 ? 'text-poor' : undefined}>
          {formatInt(run.error_count)}
        </Stat>
        <Stat label="Cost">{formatCost(run.cost_usd)}</Stat>
        <Stat label="Tokens">
          {formatInt(run.input_tokens)} in · {formatInt(run.output_tokens)} out
        </Stat>
        <Stat label="Started">{formatDate(run.started_at)}</Stat>
        <Stat label="Duration">{formatDuration(run.duration_ms)}</Stat>
        <Stat label="Dataset">
          <span title={dataset.hash ? `sha256 ${dataset.hash}` : undefined}>
            {dataset.id ? (
              <Link to={`/datasets/${encodeURIComponent(dataset.id)}`}>{dataset.name ?? dataset.id}</Link>
            ) : (
              (dataset.name ?? dataset.path ?? '—')
            )}
            {dataset.hash && <span className="mono muted small"> {shortHash(dataset.hash)}</span>}
          </span>
        </Stat>
        {/* The CI gate, as `juror eval` reports it: each threshold met or missed, with the run's value. */}
        {run.thresholds.map((t) => (
          <Stat key={t.key} label={`${t.key} ${t.op} ${t.value}`} tone={t.passed === false ? 'text-poor' : undefined}>
            <span className="threshold" data-key={t.key} data-passed={String(t.passed)}>
              {t.passed === null ? 'pending' : t.passed ? 'met' : 'missed'} ({formatNumber(t.actual)})
            </span>
          </Stat>
        ))}
      </div>
      {run.error && <ErrorBox error={new Error(run.error)} title={run.status === 'failed' ? 'Run failed' : 'Run stopped'} />}
    </>
  );
}

function readFilter(query: URLSearchParams): ResultsFilter {
  const maxScore = query.get('max');
  return {
    metric: query.get('metric') ?? undefined,
    maxScore: maxScore !== null && maxScore !== '' && !Number.isNaN(Number(maxScore)) ? Number(maxScore) : undefined,
    errorsOnly: query.get('errors') === '1' ? true : undefined,
    sort: query.get('sort') ?? undefined,
  };
}

function RowsToolbar({
  metrics,
  filter,
  total,
  onChange,
}: {
  metrics: MetricInfo[];
  filter: ResultsFilter;
  total: number | undefined;
  onChange: (next: ResultsFilter) => void;
}) {
  const metric = metrics.find((m) => m.key === filter.metric);
  const lowOn = filter.maxScore !== undefined;
  const setLow = (on: boolean) => {
    if (!on) return onChange({ ...filter, maxScore: undefined });
    const target = metric ?? metrics.find((m) => lowScoreThreshold(m) !== undefined) ?? metrics[0];
    if (!target) return;
    onChange({ ...filter, metric: target.key, maxScore: lowScoreThreshold(target) ?? 0 });
  };
  return (
    <div className="toolbar" role="toolbar" aria-label="row filters">
      <label className="control">
        <span>Metric</span>
        <select
          name="metric"
          value={filter.metric ?? ''}
          onChange={(e) => {
            const next = metrics.find((m) => m.key === e.target.value);
            onChange({
              ...filter,
              metric: next?.key,
              maxScore: next && lowOn ? (lowScoreThreshold(next) ?? filter.maxScore) : next ? filter.maxScore : undefined,
            });
          }}
        >
          <option value="">any metric</option>
          {metrics.map((m) => (
            <option key={m.key} value={m.key}>
              {m.key}
            </option>
          ))}
        </select>
      </label>
      <label className="control check">
        <input type="checkbox" name="low" checked={lowOn} onChange={(e) => setLow(e.target.checked)} />
        <span>Low scores</span>
      </label>
      {lowOn && (
        <label className="control">
          <span>score ≤</span>
          <input
            type="number"
            name="max_score"
            className="narrow"
            step="any"
            value={filter.maxScore ?? ''}
            onChange={(e) => onChange({ ...filter, maxScore: e.target.value === '' ? undefined : Number(e.target.value) })}
          />
        </label>
      )}
      <label className="control check">
        <input
          type="checkbox"
          name="errors"
          checked={!!filter.errorsOnly}
          onChange={(e) => onChange({ ...filter, errorsOnly: e.target.checked || undefined })}
        />
        <span>Errors only</span>
      </label>
      <label className="control">
        <span>Sort</span>
        <select name="sort" value={filter.sort ?? ''} onChange={(e) => onChange({ ...filter, sort: e.target.value || undefined })}>
          <option value="">dataset order</option>
          {metrics.flatMap((m) => [
            <option key={`-${m.key}`} value={`-${m.key}`}>
              {m.key} ↓ high first
            </option>,
            <option key={m.key} value={m.key}>
              {m.key} ↑ low first
            </option>,
          ])}
        </select>
      </label>
      <span className="toolbar-count muted" data-testid="rows-total">
        {total === undefined ? '…' : `${formatInt(total)} row${total === 1 ? '' : 's'}`}
      </span>
    </div>
  );
}

export function RunPage({ id }: { id: string }) {
  const { query } = useLocation();
  const filter = readFilter(query);
  // The first rows are asked for together with the run, not after it.
  useState(() => prefetchFirstPage(id, filter));
  const run = useApi((signal) => api.run(id, signal), [id], { pollMs: 1500, poll: (r) => r?.status === 'running' });
  const [total, setTotal] = useState<number | undefined>();
  // Histograms are counted once the first rows are shown, so that they do not hold those up.
  const [rowsShown, setRowsShown] = useState(false);
  const openRow = query.get('row');

  const data = run.data;
  const metrics = useMemo(() => (data ? runMetrics(data) : []), [data]);

  const setParams = useCallback(
    (patch: Record<string, string | undefined>) => {
      const params = new URLSearchParams(window.location.search);
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined || value === '') params.delete(key);
        else params.set(key, value);
      }
      const qs = params.toString();
      navigate(`/runs/${encodeURIComponent(id)}${qs ? `?${qs}` : ''}`, { replace: true });
    },
    [id],
  );
  const setFilter = (next: ResultsFilter) =>
    setParams({
      metric: next.metric,
      max: next.maxScore === undefined ? undefined : String(next.maxScore),
      errors: next.errorsOnly ? '1' : undefined,
      sort: next.sort,
    });
  const onTotal = useCallback((t: number | undefined) => {
    setTotal(t);
    if (t !== undefined) setRowsShown(true);
  }, []);

  if (run.error && !data) return <ErrorBox error={run.error} title="Could not load the run" />;
  if (!data) return <Loading what="Loading run" />;

  const running = data.status === 'running';
  const perMetric = new Map(data.per_metric.map((m) => [m.metric, m]));
  const revision = running ? String(data.rows_done) : (data.finished_at ?? data.status);

  return (
    <div className="page run-page" data-run-id={data.id} data-status={data.status}>
      <RunHeader run={data} />
      {running && data.job && <JobProgress jobId={data.job.id} />}
      {running && !data.job && <ProgressBar done={data.rows_done} total={data.row_count} label="rows done" />}

      <section className="metric-grid" aria-label="metrics">
        {metrics.map((info) => {
          const counts = perMetric.get(info.key);
          return (
            <MetricCard
              key={info.key}
              runId={data.id}
              info={info}
              aggregates={data.metrics}
              rowsScored={counts?.rows_scored}
              errors={counts?.error_count ?? 0}
              revision={revision}
              ready={rowsShown}
              onShowErrors={() => setFilter({ metric: info.key, errorsOnly: true })}
            />
          );
        })}
        {metrics.length === 0 && <div className="empty">This run has no metrics yet.</div>}
      </section>

      <section className="rows-section">
        <h2>Rows</h2>
        <RowsToolbar metrics={metrics} filter={filter} total={total} onChange={setFilter} />
        <RowsTable
          runId={data.id}
          metrics={metrics}
          config={data.config}
          datasetColumns={data.dataset.columns}
          filter={filter}
          version={revision}
          onSort={(sort) => setFilter({ ...filter, sort })}
          onOpen={(rowIndex) => setParams({ row: String(rowIndex) })}
          onTotal={onTotal}
        />
      </section>

      {openRow !== null && (
        <RowDrawer runId={data.id} rowIndex={Number(openRow)} metrics={metrics} onClose={() => setParams({ row: undefined })} />
      )}
    </div>
  );
}
