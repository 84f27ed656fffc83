/** Experiments and their runs: status, headline metrics, rows, errors, cost, date; live progress for running runs. */
import { useState } from 'react';
import { api, type RunSummary } from '../api.js';
import { Empty, ErrorBox, Loading, ProgressBar, StatusBadge } from '../components/common.js';
import { formatCost, formatDate, formatDuration, formatInt, formatMetricValue, formatRelative, shortId } from '../format.js';
import { useApi } from '../hooks.js';
import { headline, runMetrics, tone } from '../metrics.js';
import { Link, navigate, useLocation } from '../router.js';

const PAGE = 50;

export function Headlines({ run, max = 3 }: { run: RunSummary; max?: number }) {
  const metrics = runMetrics(run).filter((info) => headline(info, run.metrics).value !== undefined);
  if (metrics.length === 0) return <span className="muted">—</span>;
  return (
    <span className="headlines">
      {metrics.slice(0, max).map((info) => {
        const { value, aggregation } = headline(info, run.metrics);
        return (
          <span key={info.key} className="headline" title={`${info.key}/${aggregation}`}>
            <span className="headline-name">{info.name}</span>
            <span className={`headline-value tone-${tone(info, value)}`}>{formatMetricValue(info, value, aggregation)}</span>
          </span>
        );
      })}
      {metrics.length > max && <span className="muted small">+{metrics.length - max}</span>}
    </span>
  );
}

export function RunsPage() {
  const { query } = useLocation();
  const experiment = query.get('experiment') ?? undefined;
  const offset = Number(query.get('offset') ?? 0) || 0;
  const [selected, setSelected] = useState<string[]>([]);

  const experiments = useApi((_signal) => api.experiments(), []);
  const runs = useApi((_signal) => api.runs({ experiment, limit: PAGE, offset }), [experiment, offset], {
    pollMs: 2000,
    poll: (data) => !!data?.runs.some((r) => r.status === 'running'),
  });

  const setQuery = (next: { experiment?: string; offset?: number }) => {
    const params = new URLSearchParams();
    if (next.experiment) params.set('experiment', next.experiment);
    if (next.offset) params.set('offset', String(next.offset));
    const qs = params.toString();
    navigate(qs ? `/?${qs}` : '/');
  };
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  return (
    <div className="page runs-page">
      <div className="page-header">
        <h1>Runs</h1>
        <div className="page-actions">
          {selected.length > 0 && (
            <button type="button" className="button" onClick={() => setSelected([])}>
              Clear selection
            </button>
          )}
          <button
            type="button"
            className="button primary"
            disabled={selected.length < 2}
            onClick={() => navigate(`/compare?runs=${selected.map(encodeURIComponent).join(',')}`)}
            title="Select two or more runs to compare"
          >
            Compare{selected.length ? ` (${selected.length})` : ''}
          </button>
        </div>
      </div>

      <div className="layout-sidebar">
        <nav className="sidebar" aria-label="experiments">
          <div className="sidebar-title">Experiments</div>
          <button type="button" className={`sidebar-item ${!experiment ? 'active' : ''}`} onClick={() => setQuery({})}>
            <span>All runs</span>
          </button>
          {experiments.data?.experiments.map((e) => (
            <button
              type="button"
              key={e.id}
              className={`sidebar-item ${experiment === e.name ? 'active' : ''}`}
              onClick={() => setQuery({ experiment: e.name })}
              title={e.last_run_at ? `last run ${formatDate(e.last_run_at)}` : undefined}
            >
              <span className="truncate">{e.name}</span>
              <span className="count">{e.run_count}</span>
            </button>
          ))}
          {experiments.error && <ErrorBox error={experiments.error} />}
        </nav>

        <section className="content">
          {runs.error && <ErrorBox error={runs.error} title="Could not load runs" />}
          {!runs.data && runs.loading && <Loading what="Loading runs" />}
          {runs.data && runs.data.runs.length === 0 && (
            <Empty>
              No runs yet. Run <code>juror eval juror.yaml</code>, or upload a dataset under <Link to="/datasets">Datasets</Link> and start
              an evaluation.
            </Empty>
          )}
          {runs.data && runs.data.runs.length > 0 && (
            <div className="table-wrap">
              <table className="table runs-table">
                <thead>
                  <tr>
                    <th className="col-check" aria-label="select" />
                    <th>Run</th>
                    <th>Experiment</th>
                    <th>Status</th>
                    <th>Metrics</th>
                    <th className="num">Rows</th>
                    <th className="num">Errors</th>
                    <th className="num">Cost</th>
                    <th>Started</th>
                    <th className="num">Duration</th>
                  </tr>
                </thead>
                <tbody>
                  {runs.data.runs.map((run) => (
                    <tr key={run.id} data-run-id={run.id} className={selected.includes(run.id) ? 'selected' : undefined}>
                      <td className="col-check">
                        <input
                          type="checkbox"
                          aria-label={`select ${run.name}`}
                          checked={selected.includes(run.id)}
                          onChange={() => toggle(run.id)}
                        />
                      </td>
                      <td>
                        <Link to={`/runs/${encodeURIComponent(run.id)}`} className="run-link">
                          {run.name || shortId(run.id)}
                        </Link>
                        <div className="mono muted small">{shortId(run.id)}</div>
                      </td>
                      <td className="truncate-cell">{run.experiment}</td>
                      <td>
                        <StatusBadge status={run.status} />
                        {run.status === 'running' && <ProgressBar done={run.rows_done} total={run.row_count} />}
                      </td>
                      <td>
                        <Headlines run={run} />
                      </td>
                      <td className="num">{formatInt(run.row_count)}</td>
                      <td className={`num ${run.error_count > 0 ? 'text-poor' : 'muted'}`}>{formatInt(run.error_count)}</td>
                      <td className="num">{formatCost(run.cost_usd)}</td>
                      <td title={formatDate(run.started_at)}>{formatRelative(run.started_at)}</td>
                      <td className="num">{formatDuration(run.duration_ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {runs.data && runs.data.total > PAGE && (
            <div className="pager">
              <button
                type="button"
                className="button"
                disabled={offset === 0}
                onClick={() => setQuery({ experiment, offset: Math.max(0, offset - PAGE) })}
              >
                ← Newer
              </button>
              <span className="muted">
                {formatInt(offset + 1)}–{formatInt(Math.min(runs.data.total, offset + PAGE))} of {formatInt(runs.data.total)}
              </span>
              <button
                type="button"
                className="button"
                disabled={offset + PAGE >= runs.data.total}
                onClick={() => setQuery({ experiment, offset: offset + PAGE })}
              >
                Older →
              </button>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
