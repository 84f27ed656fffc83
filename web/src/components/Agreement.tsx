/** Judge–human agreement: judge versions side by side, and a confusion matrix. */
import type { ReactNode } from 'react';
import { formatInt, formatNumber } from '../format.js';

/** The statistics in the order people read them, with their names. */
export const AGREEMENT_STATS: Array<{ key: string; name: string; title: string }> = [
  { key: 'accuracy', name: 'Accuracy', title: 'share of rows where judge and person agree' },
  { key: 'cohen_kappa', name: "Cohen's κ", title: 'agreement beyond chance (0 = chance, 1 = perfect)' },
  { key: 'weighted_kappa', name: 'Weighted κ', title: 'quadratic weights: near misses on a scale count less' },
  { key: 'krippendorff_alpha', name: "Krippendorff's α", title: 'agreement beyond chance, for any scale' },
  { key: 'spearman', name: 'Spearman ρ', title: 'rank correlation of the scores' },
  { key: 'kendall_tau', name: 'Kendall τ-b', title: 'rank correlation, with ties' },
  { key: 'precision', name: 'Precision', title: 'of the rows the judge failed, the share the person failed too' },
  { key: 'recall', name: 'Recall', title: 'of the rows the person failed, the share the judge failed too' },
  { key: 'f1', name: 'F1', title: 'harmonic mean of precision and recall (negative verdict as the positive class)' },
];

export interface AgreementColumn {
  key: string;
  title: string;
  subtitle?: string;
  n: number;
  statistics: Record<string, number | null>;
  ci?: Record<string, [number, number] | null>;
}

/** Each column a judge version; rows the facts given (first) and the statistics any of them has. */
export function AgreementTable({
  columns,
  facts = [],
  label = 'agreement',
}: {
  columns: AgreementColumn[];
  facts?: Array<{ name: string; values: ReactNode[] }>;
  label?: string;
}) {
  const stats = AGREEMENT_STATS.filter((s) => columns.some((c) => c.statistics[s.key] !== null && c.statistics[s.key] !== undefined));
  return (
    <div className="table-wrap">
      <table className="table agreement-table" aria-label={label}>
        <thead>
          <tr>
            <th />
            {columns.map((c) => (
              <th key={c.key} className="num" data-version={c.title}>
                {c.title}
                {c.subtitle && <div className="muted small">{c.subtitle}</div>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {facts.map((f) => (
            <tr key={f.name}>
              <th>{f.name}</th>
              {f.values.map((value, i) => (
                <td key={columns[i]?.key ?? i} className="num">
                  {value}
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <th title="rows compared">Rows compared</th>
            {columns.map((c) => (
              <td key={c.key} className="num">
                {formatInt(c.n)}
              </td>
            ))}
          </tr>
          {stats.map((s) => (
            <tr key={s.key} data-stat={s.key}>
              <th title={s.title}>{s.name}</th>
              {columns.map((c) => {
                const ci = c.ci?.[s.key];
                return (
                  <td key={c.key} className="num">
                    {formatNumber(c.statistics[s.key] ?? null, 3)}
                    {ci && (
                      <div className="muted small" title="95% bootstrap interval">
                        [{formatNumber(ci[0], 2)}, {formatNumber(ci[1], 2)}]
                      </div>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Rows: the person's label; columns: the judge's. */
export function ConfusionMatrix({
  labels,
  matrix,
  text,
}: {
  labels: Array<string | number>;
  matrix: number[][];
  text: (label: string | number) => string;
}) {
  return (
    <table className="table confusion" aria-label="confusion matrix">
      <thead>
        <tr>
          <th className="muted small">person ↓ judge →</th>
          {labels.map((l) => (
            <th key={String(l)} className="num">
              {text(l)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {labels.map((l, i) => (
          <tr key={String(l)}>
            <th>{text(l)}</th>
            {labels.map((m, j) => (
              <td key={String(m)} className={`num ${i === j ? 'diagonal' : matrix[i]?.[j] ? 'off' : ''}`}>
                {formatInt(matrix[i]?.[j] ?? 0)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
