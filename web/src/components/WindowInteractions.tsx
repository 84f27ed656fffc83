/**
 * One monitor window's interactions, lowest score of the chosen metric first, with every metric's
 * score and justification; any of them can be ticked and saved as a dataset (to label, align, or
 * take examples from).
 */
import { useState, type FormEvent } from 'react';
import { api, type Dataset, type SeriesPoint, type WindowInteraction } from '../api.js';
import { formatInt, formatNumber } from '../format.js';
import { useApi } from '../hooks.js';
import { Link } from '../router.js';
import { Empty, ErrorBox, Loading } from './common.js';
import { windowLabel } from './MonitorChart.js';

const PAGE = 50;

function Score({ score }: { score: WindowInteraction['scores'][string] | undefined }) {
  if (!score) return <span className="muted">—</span>;
  if (score.value === null)
    return (
      <span className="score-chip error" title={score.error ?? 'no score'}>
        error
      </span>
    );
  return (
    <span className="score-chip" title={score.justification ?? ''}>
      {formatNumber(score.value, 2)}
    </span>
  );
}

function SaveForm({
  ids,
  monitorId,
  defaultName,
  onSaved,
}: {
  ids: string[];
  monitorId: string;
  defaultName: string;
  onSaved: (dataset: Dataset) => void;
}) {
  const [name, setName] = useState(defaultName);
  const [withScores, setWithScores] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSaved(
        await api.datasetFromInteractions({ name: name.trim(), interaction_ids: ids, ...(withScores ? { monitor_id: monitorId } : {}) }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="save-dataset" onSubmit={submit} aria-label="save as dataset">
      <label className="control grow">
        <span>Dataset name</span>
        <input type="text" name="name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      </label>
      <label className="control check" title="adds <metric>/score and <metric>/justification columns">
        <span>With this monitor's scores</span>
        <input type="checkbox" name="with_scores" checked={withScores} onChange={(e) => setWithScores(e.target.checked)} />
      </label>
      <button type="submit" className="button primary" disabled={busy || !name.trim()}>
        {busy ? 'Saving…' : `Save ${formatInt(ids.length)} as dataset`}
      </button>
      {error !== undefined && <ErrorBox error={error} title="Could not save" />}
    </form>
  );
}

export function WindowInteractions({
  monitorId,
  monitorName,
  metric,
  metrics,
  window,
  point,
}: {
  monitorId: string;
  monitorName: string;
  /** The metric whose scores order the list. */
  metric: string;
  /** Every metric of the monitor, one column each. */
  metrics: string[];
  window: string;
  point: SeriesPoint;
}) {
  const [offset, setOffset] = useState(0);
  const [picked, setPicked] = useState<string[]>([]);
  const [naming, setNaming] = useState(false);
  const [saved, setSaved] = useState<Dataset | undefined>();
  const page = useApi(
    (signal) => api.windowInteractions(monitorId, { metric, from: point.start, to: point.end, limit: PAGE, offset }, signal),
    [monitorId, metric, point.start, point.end, offset],
  );
  const rows = page.data?.interactions ?? [];
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const allPicked = rows.length > 0 && rows.every((r) => picked.includes(r.id));
  const label = windowLabel(point.start, window);

  return (
    <section className="card window-interactions" aria-label="window interactions" data-window={point.start}>
      <div className="section-header">
        <h2>
          {label} · {metric}
        </h2>
        <div className="page-actions">
          <span className="muted small">
            {formatInt(page.data?.total ?? point.count + point.errors)} interactions, lowest {metric} first
          </span>
          <button type="button" className="button" disabled={picked.length === 0} onClick={() => setNaming((n) => !n)}>
            Save as dataset{picked.length > 0 ? ` (${formatInt(picked.length)})` : ''}
          </button>
        </div>
      </div>
      {naming && picked.length > 0 && (
        <SaveForm
          ids={picked}
          monitorId={monitorId}
          defaultName={`${monitorName} ${metric} ${label}`}
          onSaved={(dataset) => {
            setSaved(dataset);
            setNaming(false);
            setPicked([]);
          }}
        />
      )}
      {saved && (
        <div className="saved-note" role="status">
          Saved {formatInt(saved.row_count)} interactions as dataset{' '}
          <Link to={`/datasets/${encodeURIComponent(saved.id)}`}>{saved.name}</Link>.
        </div>
      )}
      {page.error && <ErrorBox error={page.error} title="Could not load the window's interactions" />}
      {!page.data && page.loading && <Loading what="Loading interactions" />}
      {page.data && rows.length === 0 && <Empty>No interaction of this window was scored by {metric}.</Empty>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="table interactions-table">
            <thead>
              <tr>
                <th className="col-check">
                  <input
                    type="checkbox"
                    aria-label="select every interaction on this page"
                    checked={allPicked}
                    onChange={() =>
                      setPicked((p) =>
                        allPicked ? p.filter((id) => !rows.some((r) => r.id === id)) : [...new Set([...p, ...rows.map((r) => r.id)])],
                      )
                    }
                  />
                </th>
                <th>{metric}</th>
                <th>Justification</th>
                <th>Request</th>
                <th>Response</th>
                {metrics
                  .filter((m) => m !== metric)
                  .map((m) => (
                    <th key={m}>{m}</th>
                  ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const score = row.scores[metric];
                return (
                  <tr key={row.id} data-interaction-id={row.id} className={picked.includes(row.id) ? 'selected' : ''}>
                    <td className="col-check">
                      <input
                        type="checkbox"
                        aria-label={`select interaction ${row.id}`}
                        checked={picked.includes(row.id)}
                        onChange={() => toggle(row.id)}
                      />
                    </td>
                    <td className="num">
                      <Score score={score} />
                    </td>
                    <td className="justification-cell">
                      {score?.value === null ? <span className="text-poor">{score.error}</span> : score?.justification}
                    </td>
                    <td className="wide-cell">
                      <div className="clamp">{row.request}</div>
                    </td>
                    <td className="wide-cell">
                      <div className="clamp">{row.response}</div>
                      {row.retrieved_context && (
                        <div className="muted small">{formatInt(row.retrieved_context.length)} retrieved chunks</div>
                      )}
                    </td>
                    {metrics
                      .filter((m) => m !== metric)
                      .map((m) => (
                        <td key={m} className="num" title={row.scores[m]?.justification ?? row.scores[m]?.error ?? ''}>
                          <Score score={row.scores[m]} />
                        </td>
                      ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {page.data && page.data.total > PAGE && (
        <div className="pager">
          <button type="button" className="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Previous
          </button>
          <span className="muted small">
            {formatInt(offset + 1)}–{formatInt(Math.min(offset + PAGE, page.data.total))} of {formatInt(page.data.total)}
          </span>
          <button type="button" className="button" disabled={offset + PAGE >= page.data.total} onClick={() => setOffset(offset + PAGE)}>
            Next
          </button>
        </div>
      )}
    </section>
  );
}
