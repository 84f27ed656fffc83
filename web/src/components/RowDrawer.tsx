/** One row in full: its record, the model's answer, and per metric the score, justification, judge prompt (system + user) and raw answer. */
import { api, type ResultRow } from '../api.js';
import { cellText, formatCost, formatDuration, formatInt, formatNumber, formatPercent, formatScore } from '../format.js';
import { useApi } from '../hooks.js';
import { plainMetricInfo, tone, type MetricInfo } from '../metrics.js';
import { Drawer } from './Drawer.js';
import { ErrorBox, Loading } from './common.js';

type Detail = ResultRow['results'][number];
type PanelDetail = NonNullable<Detail['panel']>;

const PANEL_TITLES: Record<PanelDetail['kind'], string> = { jury: 'Jury verdicts', samples: 'Samples', single: 'Score distribution' };

/** The verdicts behind a jury's, samples' or logprob call's value, each with what it said, and the row's spread. */
function PanelSection({ panel }: { panel: PanelDetail }) {
  const spread =
    panel.spread === null
      ? null
      : panel.level === 'nominal'
        ? `${formatPercent(panel.spread)} of the verdicts differ from the ${panel.aggregate ?? 'value'}`
        : `standard deviation ${formatNumber(panel.spread)}${panel.aggregate ? ` around the ${panel.aggregate}` : ''}`;
  return (
    <details className="panel" open data-testid="panel">
      <summary>
        {PANEL_TITLES[panel.kind]}
        {spread && <span className="muted small"> · {spread}</span>}
      </summary>
      <table className="table">
        <thead>
          <tr>
            <th>{panel.kind === 'jury' ? 'model' : 'call'}</th>
            <th className="num">verdict</th>
            <th>justification</th>
          </tr>
        </thead>
        <tbody>
          {panel.verdicts.map((v) => (
            <tr key={`${v.model}#${v.sample ?? 0}`} data-testid="panel-verdict">
              <td>
                {v.model}
                {v.sample !== undefined && <span className="muted"> #{v.sample}</span>}
              </td>
              <td className="num">{v.error ? <span className="score-chip error">error</span> : (v.label ?? formatNumber(v.value))}</td>
              <td className="pre">
                {v.error ?? v.justification}
                {v.distribution && (
                  <div className="muted small">
                    {Object.entries(v.distribution)
                      .map(([score, p]) => `P(${score}) = ${formatNumber(p)}`)
                      .join(' · ')}
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Field({ name, value }: { name: string; value: unknown }) {
  return (
    <div className="field">
      <div className="field-name">{name}</div>
      <div className="field-value pre">{cellText(value) || <span className="muted">(empty)</span>}</div>
    </div>
  );
}

function ResultSection({ result, info, expanded }: { result: Detail; info: MetricInfo; expanded: boolean }) {
  return (
    <section className={`result-section ${result.error ? 'has-error' : ''}`} data-testid={`result-${result.metric}`}>
      <header className="result-header">
        <h3>{result.metric}</h3>
        {result.error ? (
          <span className="score-chip error">error</span>
        ) : (
          <span className={`score-chip tone-${tone(info, result.value)}`}>{formatScore(info, result)}</span>
        )}
      </header>
      {result.error && <div className="error-box">{result.error}</div>}
      {result.justification && (
        <div className="justification">
          <div className="field-name">Justification</div>
          <p className="pre">{result.justification}</p>
        </div>
      )}
      {result.panel && <PanelSection panel={result.panel} />}
      {result.details !== null && result.details !== undefined && (
        <details>
          <summary>Per-chunk verdicts</summary>
          <pre className="code">{JSON.stringify(result.details, null, 2)}</pre>
        </details>
      )}
      {(result.prompt.system || result.prompt.user) && (
        <details className="prompt" open={expanded}>
          <summary>Judge prompt</summary>
          {result.prompt.system && (
            <>
              <div className="field-name">System</div>
              <pre className="code" data-testid="prompt-system">
                {result.prompt.system}
              </pre>
            </>
          )}
          {result.prompt.user && (
            <>
              <div className="field-name">User</div>
              <pre className="code" data-testid="prompt-user">
                {result.prompt.user}
              </pre>
            </>
          )}
        </details>
      )}
      {result.raw !== null && (
        <details className="raw" open>
          <summary>Raw answer</summary>
          <pre className="code" data-testid="raw-answer">
            {result.raw}
          </pre>
        </details>
      )}
      {(result.input_tokens > 0 || result.output_tokens > 0 || result.latency_ms !== null) && (
        <div className="muted small result-meta">
          {formatInt(result.input_tokens)} in / {formatInt(result.output_tokens)} out tokens · {formatCost(result.cost_usd)} ·{' '}
          {formatDuration(result.latency_ms)}
        </div>
      )}
    </section>
  );
}

/** Failed judgements first, then judges (they have prompts), then the rest; by metric within each. */
function ordered(results: Detail[]): Detail[] {
  const rank = (r: Detail) => (r.error !== null ? 0 : r.prompt.user !== null ? 1 : 2);
  return [...results].sort((a, b) => rank(a) - rank(b) || a.metric.localeCompare(b.metric));
}

export function RowDrawer({
  runId,
  rowIndex,
  metrics,
  onClose,
}: {
  runId: string;
  rowIndex: number;
  metrics: MetricInfo[];
  onClose: () => void;
}) {
  const row = useApi((signal) => api.row(runId, rowIndex, signal), [runId, rowIndex]);
  const infoOf = (key: string) => metrics.find((m) => m.key === key) ?? plainMetricInfo(key);
  return (
    <Drawer title={`Row ${rowIndex}`} onClose={onClose}>
      {row.error && <ErrorBox error={row.error} />}
      {!row.data && row.loading && <Loading what="Loading row" />}
      {row.data && (
        <div className="row-detail" data-row-index={row.data.row_index}>
          <section>
            <h3 className="section-title">Record</h3>
            {Object.entries(row.data.record).map(([key, value]) => (
              <Field key={key} name={key} value={value} />
            ))}
          </section>
          {(row.data.outputs !== null || row.data.model_error) && (
            <section>
              <h3 className="section-title">Model under test</h3>
              {row.data.outputs !== null && <Field name="answer" value={row.data.outputs} />}
              {row.data.model_error && <div className="error-box">model error: {row.data.model_error}</div>}
              <div className="muted small">
                {formatDuration(row.data.model_latency_ms)} · {formatInt(row.data.model_input_tokens)} in /{' '}
                {formatInt(row.data.model_output_tokens)} out tokens
              </div>
            </section>
          )}
          <h3 className="section-title">Judgements</h3>
          {row.data.results.length === 0 && <p className="muted">No results for this row yet.</p>}
          {ordered(row.data.results).map((result, i) => (
            <ResultSection key={result.metric} result={result} info={infoOf(result.metric)} expanded={i === 0 || result.error !== null} />
          ))}
        </div>
      )}
    </Drawer>
  );
}
