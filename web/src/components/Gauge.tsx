/** A half-circle gauge of a value on its metric's scale, coloured by how good it is. */
import { goodness, position, type MetricInfo } from '../metrics.js';

const R = 52;
const CX = 64;
const CY = 64;

function point(share: number, r: number): [number, number] {
  const angle = Math.PI * (1 - share);
  return [CX + r * Math.cos(angle), CY - r * Math.sin(angle)];
}

function arc(from: number, to: number, r = R): string {
  const [x1, y1] = point(from, r);
  const [x2, y2] = point(to, r);
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 0 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

/** Red through amber to green, by goodness 0–1; slate when the metric has no direction. */
export function goodnessColor(g: number | undefined): string {
  if (g === undefined) return 'var(--accent)';
  if (g >= 0.7) return 'var(--good)';
  if (g >= 0.4) return 'var(--fair)';
  return 'var(--poor)';
}

export function Gauge({ info, value, low, high }: { info: MetricInfo; value: number | undefined; low?: number; high?: number }) {
  const p = value === undefined ? undefined : position(info, value);
  if (p === undefined && value !== undefined) return null;
  const color = value === undefined ? 'var(--muted)' : goodnessColor(goodness(info, value));
  const lowP = low === undefined ? undefined : position(info, low);
  const highP = high === undefined ? undefined : position(info, high);
  return (
    <svg className="gauge" viewBox="0 0 128 74" role="img" aria-label={`gauge ${info.key}`}>
      <path d={arc(0, 1)} className="gauge-track" />
      {p !== undefined && p > 0.001 && <path d={arc(0, p)} stroke={color} className="gauge-value" />}
      {lowP !== undefined && highP !== undefined && highP > lowP && (
        <path d={arc(lowP, highP, R + 9)} className="gauge-ci">
          <title>95% confidence interval</title>
        </path>
      )}
      <text x={CX - R} y={CY + 9} className="gauge-tick" textAnchor="middle">
        {info.kind === 'share' ? '0%' : info.min}
      </text>
      <text x={CX + R} y={CY + 9} className="gauge-tick" textAnchor="middle">
        {info.kind === 'share' ? '100%' : info.max}
      </text>
    </svg>
  );
}
