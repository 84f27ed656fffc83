/** Every judge definition runs have used: rubric or prompt, few-shot examples, and each stored version. */
import { useState } from 'react';
import { api, type JudgeGroup } from '../api.js';
import { Empty, ErrorBox, Loading } from '../components/common.js';
import { cellText, formatDate, formatInt, shortHash } from '../format.js';
import { useApi } from '../hooks.js';

type Version = JudgeGroup['versions'][number];

function outputText(output: unknown, metadata: Record<string, unknown>): string {
  if (output === undefined) return metadata.score_threshold !== undefined ? `yes/no (score > ${cellText(metadata.score_threshold)})` : 'score 1–5';
  if (output === 'scale') return 'score 1–5';
  if (output === 'binary') return '1 / 0';
  if (output === 'yes_no') return 'yes / no';
  if (output && typeof output === 'object') {
    const o = output as Record<string, unknown>;
    if (Array.isArray(o.scale)) return `score ${o.scale[0]}–${o.scale[1]}`;
    if (o.yes_no && typeof o.yes_no === 'object') return `yes / no (score > ${cellText((o.yes_no as Record<string, unknown>).threshold)})`;
    if (o.categories && typeof o.categories === 'object') return `labels: ${Object.entries(o.categories as Record<string, unknown>).map(([k, v]) => `${k}=${cellText(v)}`).join(', ')}`;
  }
  return cellText(output);
}

function Definition({ version }: { version: Version }) {
  const d = version.definition;
  const metadata = (d.metric_metadata ?? {}) as Record<string, unknown>;
  const examples = Array.isArray(d.examples) ? (d.examples as Array<Record<string, unknown>>) : [];
  const isPrompt = typeof d.judge_prompt === 'string';
  return (
    <div className="judge-definition">
      <dl className="facts">
        <div>
          <dt>Kind</dt>
          <dd>{isPrompt ? 'prompt judge' : 'rubric judge'}</dd>
        </div>
        <div>
          <dt>Output</dt>
          <dd>{outputText(d.output, metadata)}</dd>
        </div>
        {typeof d.model === 'string' && (
          <div>
            <dt>Model</dt>
            <dd className="mono">{d.model}</dd>
          </div>
        )}
        {typeof metadata.assessment_type === 'string' && (
          <div>
            <dt>Assessment</dt>
            <dd>{metadata.assessment_type}</dd>
          </div>
        )}
        <div>
          <dt>Better</dt>
          <dd>{d.greater_is_better === false ? 'lower' : 'higher'}</dd>
        </div>
        {Array.isArray(d.aggregations) && (
          <div>
            <dt>Aggregations</dt>
            <dd>{(d.aggregations as string[]).join(', ')}</dd>
          </div>
        )}
        {Array.isArray(d.grading_context_columns) && d.grading_context_columns.length > 0 && (
          <div>
            <dt>Context columns</dt>
            <dd className="mono">{(d.grading_context_columns as string[]).join(', ')}</dd>
          </div>
        )}
        {!!d.parameters && typeof d.parameters === 'object' && Object.keys(d.parameters).length > 0 && (
          <div>
            <dt>Parameters</dt>
            <dd className="mono">{JSON.stringify(d.parameters)}</dd>
          </div>
        )}
      </dl>
      {isPrompt ? (
        <>
          <div className="field-name">Judge prompt</div>
          <pre className="code">{cellText(d.judge_prompt)}</pre>
        </>
      ) : (
        <>
          <div className="field-name">Definition</div>
          <p className="pre">{cellText(d.definition)}</p>
          <div className="field-name">Grading prompt</div>
          <pre className="code">{cellText(d.grading_prompt)}</pre>
        </>
      )}
      {examples.length > 0 && (
        <>
          <div className="field-name">Few-shot examples ({examples.length})</div>
          <table className="table examples-table">
            <thead>
              <tr>
                <th>Input</th>
                <th>Output</th>
                <th className="num">Score</th>
                <th>Justification</th>
              </tr>
            </thead>
            <tbody>
              {examples.map((e, i) => (
                <tr key={i}>
                  <td className="pre">{cellText(e.input)}</td>
                  <td className="pre">{cellText(e.output)}</td>
                  <td className="num">{cellText(e.score)}</td>
                  <td className="pre muted">{cellText(e.justification)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function JudgeCard({ judge }: { judge: JudgeGroup }) {
  const [selected, setSelected] = useState(judge.versions.length - 1);
  const version = judge.versions[selected] ?? judge.versions[judge.versions.length - 1];
  if (!version) return null;
  return (
    <article className="card judge-card" data-judge={judge.name}>
      <header className="judge-header">
        <h2>{judge.name}</h2>
        <div className="versions" role="tablist" aria-label={`versions of ${judge.name}`}>
          {judge.versions.map((v, i) => (
            <button type="button" role="tab" key={v.id} aria-selected={i === selected} className={`version-tab ${i === selected ? 'active' : ''}`} onClick={() => setSelected(i)} title={`hash ${v.hash}`}>
              {v.version}
              {judge.versions.filter((w) => w.version === v.version).length > 1 && <span className="mono muted"> {shortHash(v.hash, 6)}</span>}
            </button>
          ))}
        </div>
      </header>
      <div className="muted small">
        first used {formatDate(version.created_at)} · in {formatInt(version.run_count)} run{version.run_count === 1 ? '' : 's'} · <span className="mono">{shortHash(version.hash, 12)}</span>
      </div>
      <Definition version={version} />
    </article>
  );
}

export function JudgesPage() {
  const judges = useApi((_signal) => api.judges(), []);
  return (
    <div className="page judges-page">
      <div className="page-header">
        <h1>Judges</h1>
      </div>
      {judges.error && <ErrorBox error={judges.error} title="Could not load judges" />}
      {!judges.data && judges.loading && <Loading what="Loading judges" />}
      {judges.data && judges.data.judges.length === 0 && <Empty>No judge has been used yet.</Empty>}
      {judges.data?.judges.map((judge) => (
        <JudgeCard key={judge.name} judge={judge} />
      ))}
    </div>
  );
}
