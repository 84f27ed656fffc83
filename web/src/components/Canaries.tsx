/**
 * Canaries: each judge version checked against human labels on a schedule, with its alert rule, its
 * state, and its agreement (accuracy, Cohen's κ) over time. A server without canaries shows nothing.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, type Canary } from '../api.js';
import { formatDate, formatInt, formatNumber, formatRelative } from '../format.js';
import { useApi } from '../hooks.js';
import { ErrorBox, StatusBadge } from './common.js';

function CanaryState({ state }: { state: Canary['state'] }) {
  if (state === null) return <span className="badge">not run yet</span>;
  return (
    <span className={`badge alert-${state}`} data-state={state}>
      {state}
    </span>
  );
}

function AgreementOverTime({ canary }: { canary: Canary }) {
  if (canary.points.length === 0) return <div className="muted small">No check has run yet.</div>;
  const data = canary.points.map((p) => ({ ...p, label: formatDate(p.at) }));
  // κ may be below 0: the axis goes down to the lowest quarter any point reaches, and up to 1.
  const lowest = Math.min(0, ...canary.points.flatMap((p) => [p.accuracy ?? 0, p.cohen_kappa ?? 0]));
  const bottom = Math.floor(lowest * 4) / 4;
  const ticks = Array.from({ length: Math.round((1 - bottom) * 4) + 1 }, (_, i) => bottom + i / 4);
  return (
    <div className="canary-chart" data-testid={`canary-${canary.name}`} data-points={canary.points.length}>
      <ResponsiveContainer width="100%" height={160}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--line)" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: 'var(--muted)' }} interval="preserveStartEnd" />
          <YAxis width={36} domain={[bottom, 1]} ticks={ticks} tick={{ fontSize: 11, fill: 'var(--muted)' }} />
          <Tooltip
            contentStyle={{ fontSize: 12, borderRadius: 6, border: '1px solid var(--line)' }}
            formatter={(value, name) => [formatNumber(value === null || value === undefined ? null : Number(value)), name]}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line dataKey="accuracy" name="accuracy" stroke="var(--accent)" strokeWidth={2} isAnimationActive={false} connectNulls />
          <Line dataKey="cohen_kappa" name="Cohen's κ" stroke="var(--good)" strokeWidth={2} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function Canaries() {
  const canaries = useApi((signal) => api.canaries(signal), []);
  // A server without canaries answers 404: the section is left out.
  if (canaries.data === null || (!canaries.data && !canaries.error)) return null;
  return (
    <section className="canaries" aria-label="canaries">
      <h2>Canaries</h2>
      <p className="muted small">
        Judge versions checked against human labels on a schedule, with the cache off, to catch a provider changing its model.
      </p>
      {canaries.error && <ErrorBox error={canaries.error} title="Could not load canaries" />}
      {canaries.data?.length === 0 && <div className="empty">No canaries yet.</div>}
      <div className="canary-grid">
        {canaries.data?.map((canary) => (
          <div key={canary.id} className="card canary-card" data-canary={canary.name}>
            <div className="metric-card-header">
              <h3>{canary.name}</h3>
              <CanaryState state={canary.state} />
            </div>
            <div className="muted small">
              {canary.judge} {canary.version} · every {canary.every} · alert when {canary.statistic} {canary.op}{' '}
              {formatNumber(canary.threshold)} · <StatusBadge status={canary.status} /> · last run {formatRelative(canary.last_run_at)}
              {canary.points.length > 0 && <> · {formatInt(canary.points[canary.points.length - 1]!.n)} rows</>}
            </div>
            <AgreementOverTime canary={canary} />
          </div>
        ))}
      </div>
    </section>
  );
}
