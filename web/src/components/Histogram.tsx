/** A small bar chart of a metric's score distribution. */
import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Bin } from '../distribution.js';
import { formatInt } from '../format.js';
import { goodness, type MetricInfo } from '../metrics.js';
import { goodnessColor } from './Gauge.js';

export function Histogram({ info, bins }: { info: MetricInfo; bins: Bin[] }) {
  const total = bins.reduce((sum, b) => sum + b.count, 0);
  return (
    <div className="histogram" data-testid={`histogram-${info.key}`} data-total={total}>
      <ResponsiveContainer width="100%" height={110}>
        <BarChart data={bins} margin={{ top: 6, right: 4, bottom: 0, left: 4 }} barCategoryGap="18%">
          <XAxis
            dataKey="label"
            tickLine={false}
            axisLine={{ stroke: 'var(--line)' }}
            tick={{ fontSize: 11, fill: 'var(--muted)' }}
            interval="preserveStartEnd"
          />
          <YAxis hide allowDecimals={false} />
          <Tooltip
            cursor={{ fill: 'var(--hover)' }}
            formatter={(value) => [
              `${formatInt(Number(value))} rows (${total ? ((Number(value) / total) * 100).toFixed(1) : 0}%)`,
              'count',
            ]}
            contentStyle={{ fontSize: 12, borderRadius: 6, border: '1px solid var(--line)' }}
          />
          <Bar dataKey="count" isAnimationActive={false} radius={[3, 3, 0, 0]}>
            {bins.map((bin) => (
              <Cell key={bin.label} fill={goodnessColor(goodness(info, bin.value))} fillOpacity={0.75} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
