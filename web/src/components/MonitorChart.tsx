/**
 * One monitor metric over time: a window per x position, its mean and p90 as lines, and under them
 * its volume (scored interactions) and error rows as stacked bars. Clicking a window selects it.
 */
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesPoint } from '../api.js';
import { formatInt, formatNumber } from '../format.js';

/** How a window's start is labelled: the time of day for short windows, the date for days. */
export function windowLabel(start: string, window: string): string {
  const d = new Date(start);
  if (window === '1d') return d.toLocaleDateString('en-GB', { month: 'short', day: 'numeric' });
  return d.toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Past this many windows the chart's bars are the only way to pick one (a row of buttons would be too long). */
const MAX_BUTTONS = 96;

const tooltipStyle = { fontSize: 12, borderRadius: 6, border: '1px solid var(--line)' };

export function MonitorChart({
  metric,
  window,
  points,
  selected,
  onSelect,
}: {
  metric: string;
  window: string;
  points: SeriesPoint[];
  /** The start of the selected window. */
  selected: string | undefined;
  onSelect: (point: SeriesPoint) => void;
}) {
  const data = points.map((p) => ({ ...p, label: windowLabel(p.start, window) }));
  const pick = (index: unknown) => {
    const at = index === null || index === undefined ? NaN : Number(index);
    const point = Number.isInteger(at) ? points[at] : undefined;
    if (point) onSelect(point);
  };
  // A click on the chart picks the window under the pointer (the tooltip's); a click on a bar picks its own.
  const select = (state: { activeIndex?: unknown } | null | undefined) => pick(state?.activeIndex);
  const syncId = `monitor-${metric}`;
  return (
    <div className="monitor-chart" data-testid={`chart-${metric}`} data-windows={points.length}>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={data} syncId={syncId} margin={{ top: 8, right: 12, bottom: 0, left: 0 }} onClick={select}>
          <CartesianGrid stroke="var(--line)" vertical={false} />
          <XAxis dataKey="label" hide />
          <YAxis width={36} tick={{ fontSize: 11, fill: 'var(--muted)' }} allowDecimals domain={['auto', 'auto']} />
          <Tooltip
            contentStyle={tooltipStyle}
            formatter={(value, name) => [formatNumber(value === null || value === undefined ? null : Number(value)), name]}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line type="linear" dataKey="mean" name="mean" stroke="var(--accent)" strokeWidth={2} dot isAnimationActive={false} />
          <Line type="linear" dataKey="p90" name="p90" stroke="var(--fair)" strokeDasharray="4 3" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
      <ResponsiveContainer width="100%" height={90}>
        <BarChart data={data} syncId={syncId} margin={{ top: 4, right: 12, bottom: 0, left: 0 }} onClick={select}>
          <XAxis dataKey="label" tick={{ fontSize: 11, fill: 'var(--muted)' }} tickLine={false} interval="preserveStartEnd" />
          <YAxis width={36} tick={{ fontSize: 11, fill: 'var(--muted)' }} allowDecimals={false} />
          <Tooltip
            cursor={{ fill: 'var(--hover)' }}
            contentStyle={tooltipStyle}
            formatter={(value, name) => [formatInt(Number(value)), name]}
          />
          <Bar
            dataKey="count"
            name="scored"
            stackId="volume"
            fill="var(--line-strong)"
            isAnimationActive={false}
            onClick={(_bar, index) => pick(index)}
          />
          <Bar
            dataKey="errors"
            name="errors"
            stackId="volume"
            fill="var(--poor)"
            isAnimationActive={false}
            onClick={(_bar, index) => pick(index)}
          />
        </BarChart>
      </ResponsiveContainer>
      {points.length <= MAX_BUTTONS && (
        <ol className="window-strip" aria-label={`windows of ${metric}`}>
          {points.map((p) => (
            <li key={p.start}>
              <button
                type="button"
                className={`window-button${p.start === selected ? ' active' : ''}`}
                data-start={p.start}
                aria-pressed={p.start === selected}
                title={`${windowLabel(p.start, window)}: ${formatInt(p.count)} scored, ${formatInt(p.errors)} errors, mean ${formatNumber(p.mean)}`}
                onClick={() => onSelect(p)}
              >
                {windowLabel(p.start, window)}
              </button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
