/** Numbers, dates, durations and money as the UI prints them. */
import type { MetricInfo } from './metrics.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : integer.format(n);
}

/** A number with about three significant digits, never in exponent form for everyday sizes. */
export function formatNumber(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 0.001 || abs >= 1e9)) return n.toExponential(2);
  if (Number.isInteger(n)) return integer.format(n);
  const decimals = abs >= 100 ? 1 : abs >= 10 ? 2 : digits;
  return n.toFixed(decimals).replace(/\.?0+$/, '');
}

export function formatPercent(share: number | null | undefined, decimals = 1): string {
  if (share === null || share === undefined || Number.isNaN(share)) return '—';
  return `${(share * 100).toFixed(decimals).replace(/\.0+$/, '')}%`;
}

/** A metric's value on its own scale: 3.75 for a 1–5 judge, 82% for yes/no. */
export function formatMetricValue(info: MetricInfo, value: number | null | undefined, aggregation = 'mean'): string {
  if (value === null || value === undefined) return '—';
  if (aggregation === 'variance') return formatNumber(value);
  // A jury's or samples' agreement: α is a coefficient (−1 to 1), the disagreement a share of rows.
  if (aggregation.endsWith('_alpha')) return formatNumber(value);
  if (aggregation.endsWith('_disagreement')) return formatPercent(value);
  if (info.kind === 'share') return formatPercent(value);
  if (info.kind === 'unit') return value.toFixed(3);
  return formatNumber(value, 2);
}

/** A single row's score, as stored: a label when it has one, else the value on the metric's scale. */
export function formatScore(info: MetricInfo, result: { value: number | null; score: string | null; label: string | null }): string {
  if (result.label) return result.label;
  if (result.value === null) return result.score ?? '—';
  if (info.kind === 'share' && info.labels) return info.labels[result.value] ?? formatNumber(result.value);
  if (info.kind === 'share' && !info.discrete) return formatPercent(result.value, 0);
  if (info.kind === 'unit') return result.value.toFixed(2);
  return formatNumber(result.value, 2);
}

/** A change between two metric values, with its sign. */
export function formatDelta(info: MetricInfo, delta: number): string {
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const abs = Math.abs(delta);
  if (info.kind === 'share') return `${sign}${(abs * 100).toFixed(1).replace(/\.0$/, '')} pt`;
  return `${sign}${info.kind === 'unit' ? abs.toFixed(3) : formatNumber(abs, 2)}`;
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '—';
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "3 min ago", for recent dates; the date otherwise. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return formatDate(iso);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return formatDate(iso);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** A cell value of a record as one line of text. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** The first hex digits of a content hash, without its `sha256:` prefix. */
export function shortHash(hash: string | null | undefined, length = 8): string {
  if (!hash) return '—';
  return hash.replace(/^[a-z0-9]+:/i, '').slice(0, length);
}
