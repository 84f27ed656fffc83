/**
 * A run's rows as a virtual list over server pages: input, output, expected answer and every
 * metric's score (justification on hover, errors in red). Headers sort; a click opens the row.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import type { PageRow, ResultsFilter } from '../api.js';
import { inputText, outputText, rowColumns, targetText } from '../columns.js';
import { formatScore } from '../format.js';
import { tone, type MetricInfo } from '../metrics.js';
import { useRowPages } from '../rowPages.js';

const ROW_HEIGHT = 52;

function ScoreCell({ info, row }: { info: MetricInfo; row: PageRow }) {
  const result = row.results[info.key];
  if (!result) return <span className="muted">·</span>;
  if (result.error) {
    return (
      <span className="score-chip error" title={`error: ${result.error}`} data-error>
        error
      </span>
    );
  }
  return (
    <span className={`score-chip tone-${tone(info, result.value)}`} title={result.justification ?? undefined}>
      {formatScore(info, result)}
    </span>
  );
}

export function RowsTable({
  runId,
  metrics,
  config,
  datasetColumns,
  filter,
  version,
  onSort,
  onOpen,
  onTotal,
}: {
  runId: string;
  metrics: MetricInfo[];
  /** The run's config, whose col_mapping names the input, output and expected columns. */
  config: unknown;
  /** The dataset's columns when the run recorded them; else the first row's. */
  datasetColumns: string[] | undefined;
  filter: ResultsFilter;
  version: string;
  onSort: (sort: string | undefined) => void;
  onOpen: (rowIndex: number) => void;
  onTotal: (total: number | undefined) => void;
}) {
  const pages = useRowPages(runId, filter, version);
  const scroller = useRef<HTMLDivElement>(null);
  const count = pages.total ?? 0;
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  const { ensure } = pages;
  useEffect(() => {
    if (count > 0) ensure(first, last);
  }, [first, last, count, ensure]);
  useEffect(() => onTotal(pages.total), [pages.total, onTotal]);
  // A new filter or order starts at the top.
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [filter.metric, filter.maxScore, filter.errorsOnly, filter.sort]);

  const sample = pages.rowAt(first) ?? pages.rowAt(0);
  const sampleKeys = sample ? Object.keys(sample.record).join('\u0000') : '';
  const columns = useMemo(
    () => rowColumns(config, datasetColumns?.length ? datasetColumns : sampleKeys ? sampleKeys.split('\u0000') : []),
    [config, datasetColumns, sampleKeys],
  );
  const hasTarget = columns.target !== undefined;
  const template = `4.5rem minmax(12rem, 2fr) minmax(12rem, 2fr)${hasTarget ? ' minmax(9rem, 1.3fr)' : ''}${' minmax(6.5rem, 0.8fr)'.repeat(metrics.length)}`;
  // Every row is a grid of its own: they share one minimum width, so a long cell never widens its row alone.
  const tracks = [4.5, 12, 12, ...(hasTarget ? [9] : []), ...metrics.map(() => 6.5)];
  const minWidth = `${tracks.reduce((a, b) => a + b, 0) + 0.9 * (tracks.length - 1) + 1.8}rem`;

  const sortState = (key: string) => (filter.sort === key ? 'asc' : filter.sort === `-${key}` ? 'desc' : undefined);
  const cycleSort = (key: string) => {
    const state = sortState(key);
    onSort(state === undefined ? `-${key}` : state === 'desc' ? key : undefined);
  };

  return (
    <div className="rows-table" role="table" aria-label="rows" aria-rowcount={count}>
      <div className="rows-scroller" ref={scroller} data-testid="rows-scroller">
        <div className="rows-head" role="row" style={{ gridTemplateColumns: template, minWidth }}>
          <div role="columnheader" className="num">
            #
          </div>
          <div role="columnheader">Input</div>
          <div role="columnheader">Output</div>
          {hasTarget && <div role="columnheader">Expected</div>}
          {metrics.map((m) => {
            const state = sortState(m.key);
            return (
              <button
                type="button"
                role="columnheader"
                key={m.key}
                className={`sort-header ${state ? 'sorted' : ''}`}
                onClick={() => cycleSort(m.key)}
                title={`Sort by ${m.key}${state === 'desc' ? ' (ascending next)' : state === 'asc' ? ' (dataset order next)' : ' (descending)'}`}
                aria-sort={state === 'asc' ? 'ascending' : state === 'desc' ? 'descending' : 'none'}
              >
                <span className="truncate">{m.name}</span>
                <span className="sort-mark">{state === 'asc' ? '▲' : state === 'desc' ? '▼' : ''}</span>
              </button>
            );
          })}
        </div>
        <div className="rows-body" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = pages.rowAt(item.index);
            const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT, gridTemplateColumns: template, minWidth };
            if (!row) {
              return (
                <div key={item.key} className="rows-row placeholder" style={style} role="row">
                  <div className="num muted">…</div>
                  <div className="skeleton" />
                  <div className="skeleton" />
                </div>
              );
            }
            const failed = row.model_error !== null || Object.values(row.results).some((r) => r.error !== null);
            return (
              <div
                key={item.key}
                className={`rows-row ${failed ? 'has-error' : ''}`}
                style={style}
                role="row"
                tabIndex={0}
                data-row-index={row.row_index}
                onClick={() => onOpen(row.row_index)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onOpen(row.row_index);
                  }
                }}
              >
                <div className="num muted mono" role="cell">
                  {row.row_index}
                </div>
                <div className="clamp" role="cell" title={inputText(row, columns)}>
                  {inputText(row, columns)}
                </div>
                <div className="clamp" role="cell" title={row.model_error ? `model error: ${row.model_error}` : outputText(row, columns)}>
                  {row.model_error ? <span className="text-poor">model error: {row.model_error}</span> : outputText(row, columns)}
                </div>
                {hasTarget && (
                  <div className="clamp muted" role="cell">
                    {targetText(row, columns)}
                  </div>
                )}
                {metrics.map((m) => (
                  <div key={m.key} role="cell" className="score-cell" data-metric={m.key}>
                    <ScoreCell info={m} row={row} />
                  </div>
                ))}
              </div>
            );
          })}
        </div>
        {pages.total === 0 && <div className="empty">No rows match.</div>}
      </div>
      {pages.error && <div className="error-box">{pages.error.message}</div>}
    </div>
  );
}
