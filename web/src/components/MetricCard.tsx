/** One metric of a run: headline on its own scale, gauge, confidence interval, error count and histogram. */
import { lazy, Suspense } from 'react';
import { histogram } from '../distribution.js';
import { formatInt, formatMetricValue, formatNumber } from '../format.js';
import { useApi } from '../hooks.js';
import { headline, tone, type MetricInfo } from '../metrics.js';
import { Gauge } from './Gauge.js';

/** The chart library is loaded after the page's first paint, in its own chunk. */
const Histogram = lazy(() => import('./Histogram.js').then((m) => ({ default: m.Histogram })));

const KIND_LABEL: Record<string, string> = { scale: 'scale', share: 'share', unit: '0–1', bounded: 'range', number: 'value' };

export function MetricCard({
  runId,
  info,
  aggregates,
  rowsScored,
  errors,
  revision,
  ready,
  onShowErrors,
}: {
  runId: string;
  info: MetricInfo;
  aggregates: Record<string, number>;
  rowsScored: number | undefined;
  errors: number;
  /** Changes when the run's results do (a running run), to reload the histogram. */
  revision: string;
  /** False until the page's first rows are shown: the histogram waits for them. */
  ready: boolean;
  onShowErrors: () => void;
}) {
  const { value, aggregation } = headline(info, aggregates);
  const ci = info.ci;
  const bins = useApi(
    (signal) => (ready ? histogram(runId, info, signal) : Promise.resolve(undefined)),
    [runId, info.key, revision, ready],
  );
  const scored = bins.data?.reduce((sum, bin) => sum + bin.count, 0) ?? 0;
  const others = Object.entries(aggregates).filter(([key]) => key.startsWith(`${info.key}/`) && key !== `${info.key}/${aggregation}`);
  const scale =
    info.kind === 'share'
      ? info.labels
        ? 'share of yes'
        : 'share of 1s'
      : info.min !== undefined && info.max !== undefined
        ? `on ${formatNumber(info.min)}–${formatNumber(info.max)}`
        : KIND_LABEL[info.kind];
  const direction = info.greaterIsBetter === null ? '' : info.greaterIsBetter ? 'higher is better' : 'lower is better';

  return (
    <article className="card metric-card" data-metric={info.key} data-testid={`metric-${info.key}`}>
      <header className="metric-card-header">
        <div>
          <h3 title={info.description}>{info.name}</h3>
          <div className="muted small">
            {info.version} · {info.kind === 'share' ? scale : `${aggregation} ${scale}`}
            {direction && ` · ${direction}`}
          </div>
        </div>
        {errors > 0 ? (
          <button type="button" className="error-pill" onClick={onShowErrors} title="Show the rows whose judgement failed">
            {formatInt(errors)} error{errors === 1 ? '' : 's'}
          </button>
        ) : (
          <span className="ok-pill">no errors</span>
        )}
      </header>
      <div className="metric-card-main">
        <div className="metric-value-block">
          <div className={`metric-value tone-${tone(info, value)}`} data-testid="metric-value" data-value={value ?? ''}>
            {formatMetricValue(info, value, aggregation)}
            {info.kind === 'scale' && value !== undefined && info.max !== undefined && (
              <span className="metric-scale"> / {formatNumber(info.max)}</span>
            )}
          </div>
          {ci && (
            <div
              className="muted small"
              title="95% confidence interval of the headline (Wilson for shares, normal approximation otherwise)"
            >
              95% CI {formatMetricValue(info, ci.low, aggregation)} – {formatMetricValue(info, ci.high, aggregation)}
            </div>
          )}
          <div className="muted small">{rowsScored !== undefined ? `${formatInt(rowsScored)} rows scored` : ''}</div>
        </div>
        <Gauge info={info} value={value} low={ci?.low} high={ci?.high} />
      </div>
      {others.length > 0 && (
        <dl className="aggregates">
          {others.map(([key, v]) => {
            const agg = key.slice(info.key.length + 1);
            return (
              <div key={key}>
                <dt>{agg}</dt>
                <dd>{formatMetricValue(info, v, agg)}</dd>
              </div>
            );
          })}
        </dl>
      )}
      {bins.data && scored > 0 && (
        <Suspense fallback={<div className="histogram histogram-placeholder" />}>
          <Histogram info={info} bins={bins.data} />
        </Suspense>
      )}
      {bins.data && scored === 0 && <div className="muted small histogram-empty">no scored rows yet</div>}
    </article>
  );
}
