/**
 * Monitors (`/monitors`): every monitor with its status, sample rate, window and lag, pause and
 * resume, and the canaries. A monitor (`/monitors/:id`): per metric its windows over time (mean,
 * p90, volume, errors), its alert rules with their state and the recent alert events; clicking a
 * window lists that window's interactions, lowest score first, to save any of them as a dataset.
 */
import { useState } from 'react';
import { api, type AlertEvent, type MonitorDetail, type SeriesPoint } from '../api.js';
import { Canaries } from '../components/Canaries.js';
import { Empty, ErrorBox, Loading, Stat, StatusBadge } from '../components/common.js';
import { MonitorChart, windowLabel } from '../components/MonitorChart.js';
import { WindowInteractions } from '../components/WindowInteractions.js';
import { formatDate, formatDuration, formatInt, formatNumber, formatPercent, formatRelative } from '../format.js';
import { useApi } from '../hooks.js';
import { Link, navigate, useLocation } from '../router.js';

/** What a monitor's definition holds, as the UI reads it (the server validated it when it was created). */
interface Definition {
  app?: string;
  sample_rate: number;
  window: string;
  judge_model?: string;
  filter?: Record<string, string>;
  alerts: Array<{ metric: string; op: string; value: number; min_count: number; webhook?: string }>;
}

const definitionOf = (monitor: MonitorDetail) => monitor.definition as unknown as Definition;

/** The time ranges the charts show, back from now. */
const RANGES: Array<{ key: string; label: string; ms: number }> = [
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
];

function Lag({ lag }: { lag: MonitorDetail['lag_ms'] }) {
  if (lag.mean === null) return <span className="muted">—</span>;
  return (
    <span title="from an interaction's arrival to its score: mean / max">
      {formatDuration(lag.mean)} <span className="muted small">/ {formatDuration(lag.max)}</span>
    </span>
  );
}

function PauseButton({ monitor, onChanged }: { monitor: MonitorDetail; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const next = monitor.status === 'active' ? 'paused' : 'active';
  const change = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.setMonitorStatus(monitor.id, next);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="button" disabled={busy} onClick={() => void change()}>
        {next === 'paused' ? 'Pause' : 'Resume'}
      </button>
      {error !== undefined && <ErrorBox error={error} title="Could not change the monitor" />}
    </>
  );
}

export function MonitorsPage() {
  const monitors = useApi((signal) => api.monitors(signal), [], { pollMs: 5000, poll: () => true });
  return (
    <div className="page monitors-page">
      <div className="page-header">
        <h1>Monitors</h1>
      </div>
      {monitors.error && <ErrorBox error={monitors.error} title="Could not load monitors" />}
      {!monitors.data && monitors.loading && <Loading what="Loading monitors" />}
      {monitors.data && monitors.data.monitors.length === 0 && (
        <Empty>
          No monitors yet. Create one with <code>juror monitor create monitor.yaml</code> or <code>POST /api/monitors</code>.
        </Empty>
      )}
      {monitors.data && monitors.data.monitors.length > 0 && (
        <div className="table-wrap">
          <table className="table monitors-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>App</th>
                <th className="num">Sample rate</th>
                <th>Window</th>
                <th>Metrics</th>
                <th className="num">Judged</th>
                <th className="num">Lag (mean / max)</th>
                <th className="num">Alert rules</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {monitors.data.monitors.map((m) => {
                const d = definitionOf(m);
                return (
                  <tr key={m.id} data-monitor-id={m.id}>
                    <td>
                      <Link to={`/monitors/${encodeURIComponent(m.id)}`}>{m.name}</Link>
                      <div className="muted small">created {formatRelative(m.created_at)}</div>
                    </td>
                    <td>
                      <StatusBadge status={m.status} />
                    </td>
                    <td>{d.app ?? <span className="muted">every app</span>}</td>
                    <td className="num">{formatPercent(d.sample_rate)}</td>
                    <td>{d.window}</td>
                    <td className="muted">{m.metrics.join(', ') || '—'}</td>
                    <td className="num">{formatInt(m.judged)}</td>
                    <td className="num">
                      <Lag lag={m.lag_ms} />
                    </td>
                    <td className="num">{formatInt(d.alerts.length)}</td>
                    <td>
                      <PauseButton monitor={m} onChanged={monitors.reload} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Canaries />
    </div>
  );
}

/** Each rule's state now: firing while its newest event in some window is `firing`. */
function ruleStates(rules: Definition['alerts'], events: AlertEvent[]): Array<{ firing: string[] }> {
  return rules.map((rule) => {
    const latest = new Map<string, AlertEvent['state']>();
    for (const event of events)
      if (event.metric === rule.metric && event.op === rule.op && event.threshold === rule.value)
        latest.set(event.window_start, event.state);
    return { firing: [...latest].filter(([, state]) => state === 'firing').map(([start]) => start) };
  });
}

function Alerts({ monitor, events }: { monitor: MonitorDetail; events: AlertEvent[] }) {
  const d = definitionOf(monitor);
  const states = ruleStates(d.alerts, events);
  const recent = events.slice(-20).reverse();
  return (
    <section aria-label="alerts">
      <h2>Alert rules</h2>
      {d.alerts.length === 0 ? (
        <Empty>This monitor has no alert rules.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table alert-rules">
            <thead>
              <tr>
                <th>Rule</th>
                <th className="num">Min count</th>
                <th>Webhook</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {d.alerts.map((rule, i) => {
                const firing = states[i]!.firing;
                const state = firing.length > 0 ? 'firing' : 'ok';
                return (
                  <tr key={i} data-rule={i} data-state={state}>
                    <td className="mono">
                      {rule.metric} {rule.op} {formatNumber(rule.value)}
                    </td>
                    <td className="num">{formatInt(rule.min_count)}</td>
                    <td className="truncate-cell muted">{rule.webhook ?? '—'}</td>
                    <td>
                      <span className={`badge alert-${state}`}>{state}</span>
                      {firing.length > 0 && (
                        <span className="muted small"> in {firing.map((start) => windowLabel(start, d.window)).join(', ')}</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <h2>Recent alert events</h2>
      {recent.length === 0 ? (
        <Empty>No alert has fired.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table alert-events">
            <thead>
              <tr>
                <th>At</th>
                <th>Rule</th>
                <th>Window</th>
                <th className="num">Value</th>
                <th>State</th>
                <th>Webhook</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((event, i) => (
                <tr key={`${event.at}-${i}`} data-state={event.state}>
                  <td>{formatDate(event.at)}</td>
                  <td className="mono">
                    {event.metric} {event.op} {formatNumber(event.threshold)}
                  </td>
                  <td>{windowLabel(event.window_start, d.window)}</td>
                  <td className="num">{formatNumber(event.value)}</td>
                  <td>
                    <span className={`badge alert-${event.state === 'firing' ? 'firing' : 'ok'}`}>{event.state}</span>
                  </td>
                  <td className="muted small">
                    {!event.webhook
                      ? '—'
                      : event.webhook.delivered_at
                        ? `delivered ${formatRelative(event.webhook.delivered_at)}`
                        : `${formatInt(event.webhook.attempts)} attempts${event.webhook.last_error ? `: ${event.webhook.last_error}` : ''}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function MonitorPage({ id }: { id: string }) {
  const { query } = useLocation();
  const range = RANGES.find((r) => r.key === query.get('range')) ?? RANGES[1]!;
  const [selected, setSelected] = useState<{ metric: string; point: SeriesPoint } | undefined>();
  const monitor = useApi((signal) => api.monitor(id, signal), [id], { pollMs: 5000, poll: (m) => m?.status === 'active' });
  const m = monitor.data;
  const judged = m?.judged;
  const metrics = m?.metrics ?? [];
  const series = useApi(
    async (signal) => {
      const to = new Date();
      const from = new Date(to.getTime() - range.ms);
      const all = await Promise.all(
        metrics.map((metric) => api.monitorSeries(id, { metric, from: from.toISOString(), to: to.toISOString() }, signal)),
      );
      return new Map(metrics.map((metric, i) => [metric, all[i]!.points]));
    },
    [id, metrics.join(','), range.key, judged],
  );
  const alerts = useApi((signal) => api.monitorAlerts(id, signal), [id, judged]);

  if (monitor.error && !m) return <ErrorBox error={monitor.error} title="Could not load the monitor" />;
  if (!m) return <Loading what="Loading the monitor" />;
  const d = definitionOf(m);
  return (
    <div className="page monitor-page">
      <div className="breadcrumbs">
        <Link to="/monitors">Monitors</Link> /
      </div>
      <div className="page-header">
        <h1>
          {m.name} <StatusBadge status={m.status} />
        </h1>
        <div className="page-actions">
          <PauseButton monitor={m} onChanged={monitor.reload} />
        </div>
      </div>
      <div className="stats">
        <Stat label="App">{d.app ?? 'every app'}</Stat>
        <Stat label="Sample rate">{formatPercent(d.sample_rate)}</Stat>
        <Stat label="Window">{d.window}</Stat>
        <Stat label="Judged">{formatInt(m.judged)}</Stat>
        <Stat label="Lag (mean / max)">
          <Lag lag={m.lag_ms} />
        </Stat>
        <Stat label="Judge model">{d.judge_model ?? 'default'}</Stat>
        <Stat label="Job">{m.job ? <StatusBadge status={m.job.status} /> : '—'}</Stat>
      </div>
      {m.job?.error && <ErrorBox error={m.job.error} title="Judging stopped" />}

      <div className="section-header">
        <h2>Metrics per window</h2>
        <div className="segmented" role="group" aria-label="time range">
          {RANGES.map((r) => (
            <label key={r.key} className={r.key === range.key ? 'active' : ''}>
              <input
                type="radio"
                name="range"
                checked={r.key === range.key}
                onChange={() => navigate(`/monitors/${encodeURIComponent(id)}?range=${r.key}`, { replace: true })}
              />
              {r.label}
            </label>
          ))}
        </div>
      </div>
      {metrics.length === 0 && <Empty>Nothing judged yet: the charts appear once interactions are scored.</Empty>}
      {series.error && <ErrorBox error={series.error} title="Could not load the series" />}
      <div className="monitor-charts">
        {metrics.map((metric) => {
          const points = series.data?.get(metric);
          return (
            <div key={metric} className="card monitor-chart-card" data-metric={metric}>
              <div className="metric-card-header">
                <h3>{metric}</h3>
                <span className="muted small">
                  {points ? `${formatInt(points.length)} windows · click one for its interactions` : 'loading…'}
                </span>
              </div>
              {points && points.length === 0 && <div className="muted small">No scores in this range.</div>}
              {points && points.length > 0 && (
                <MonitorChart
                  metric={metric}
                  window={d.window}
                  points={points}
                  selected={selected?.metric === metric ? selected.point.start : undefined}
                  onSelect={(point) => setSelected({ metric, point })}
                />
              )}
            </div>
          );
        })}
      </div>
      {selected && (
        <WindowInteractions
          key={`${selected.metric}-${selected.point.start}`}
          monitorId={m.id}
          monitorName={m.name}
          metric={selected.metric}
          metrics={metrics}
          window={d.window}
          point={selected.point}
        />
      )}
      {alerts.error && <ErrorBox error={alerts.error} title="Could not load alerts" />}
      <Alerts monitor={m} events={alerts.data?.alerts ?? []} />
    </div>
  );
}
