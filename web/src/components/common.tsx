/** Small shared pieces: status badges, progress bars, error boxes, empty states. */
import type { ReactNode } from 'react';
import { ApiError } from '../api.js';
import { formatInt, formatPercent } from '../format.js';

const STATUS_LABEL: Record<string, string> = {
  running: 'running',
  finished: 'finished',
  failed: 'failed',
  interrupted: 'interrupted',
  queued: 'queued',
  completed: 'completed',
  cancelled: 'cancelled',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge status-${status}`} data-status={status}>
      {status === 'running' && <span className="pulse" aria-hidden />}
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

export function ProgressBar({ done, total, label }: { done: number; total: number; label?: string }) {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      aria-label={label ?? 'progress'}
    >
      <div className="progress-track">
        <div className="progress-fill" style={{ width: `${share * 100}%` }} />
      </div>
      <span className="progress-text">
        {formatInt(done)} / {formatInt(total)} · {formatPercent(share, 0)}
      </span>
    </div>
  );
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiError ? error.hint : undefined;
  const field = error instanceof ApiError ? error.field : undefined;
  return (
    <div className="error-box" role="alert">
      {title && <strong>{title}: </strong>}
      {message}
      {field && (
        <div className="error-field">
          field: <code>{field}</code>
        </div>
      )}
      {hint && <div className="error-hint">{hint}</div>}
    </div>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <div className="loading" aria-busy>
      <span className="spinner" aria-hidden /> {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** A label over a value, as used in run headers. */
export function Stat({ label, children, tone }: { label: string; children: ReactNode; tone?: string }) {
  return (
    <div className={`stat ${tone ?? ''}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{children}</div>
    </div>
  );
}
