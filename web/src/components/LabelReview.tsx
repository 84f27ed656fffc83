/**
 * Reviewing a label job's sample (LLM Judge++): the judge's labels a page at a time, each with
 * the row's columns and the judge's justification, then all of them together ("review and
 * submit"), where each is kept, flipped (or set, on a scale) or skipped and its justification
 * edited. Rows the judge is least sure of can be added, with why they were chosen. Submitting
 * makes the person's labels the judge's few-shot examples and labels every other row; a revised
 * criterion can be tried on the sample first (resample).
 */
import { useMemo, useState } from 'react';
import { api, type LabelJob, type LabelOutput, type UncertainResponse } from '../api.js';
import { cellText, formatCost, formatInt } from '../format.js';
import {
  flipped,
  humanLabels,
  initialDecision,
  labelChoices,
  labelText,
  verdictOf,
  type Decision,
  type ReviewItem,
  type Verdict,
} from '../labels.js';
import { ErrorBox } from './common.js';

const PAGE_SIZE = 4;

/** The rows under review: the sample, then the uncertain rows outside it. */
function reviewItems(job: LabelJob): ReviewItem[] {
  const items: ReviewItem[] = job.labels.map((l) => {
    const human = l.source === 'human';
    return {
      row: l.row,
      judgeLabel: human ? (l.llm?.label ?? null) : l.label,
      judgeJustification: human ? (l.llm?.justification ?? null) : l.justification,
      judgeVersion: human ? (l.llm?.judge_version ?? null) : l.judge_version,
      error: l.error,
      humanLabel: human ? l.label : null,
      humanJustification: human ? l.justification : null,
      record: l.record ?? {},
    };
  });
  const inSample = new Set(job.sample);
  for (const u of job.uncertain ?? []) {
    if (inSample.has(u.row)) continue;
    const top = u.votes[0]?.label ?? null;
    items.push({
      row: u.row,
      judgeLabel: top,
      judgeJustification: u.samples.find((s) => s.label === top)?.justification ?? null,
      judgeVersion: job.judge?.version ?? null,
      error: null,
      humanLabel: null,
      humanJustification: null,
      record: u.record ?? {},
      reason: u.reason,
    });
  }
  return items;
}

const VERDICT_TEXT: Record<Verdict, string> = { kept: 'kept', changed: 'changed', skipped: 'skipped', missing: 'needs a label' };

function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span className={`badge verdict verdict-${verdict}`} data-verdict={verdict}>
      {VERDICT_TEXT[verdict]}
    </span>
  );
}

function LabelChip({ output, label }: { output: LabelOutput; label: number | null }) {
  return (
    <span className={`label-chip ${label === null ? 'none' : output === 'scale_1_5' ? 'scale' : label === 1 ? 'yes' : 'no'}`}>
      {labelText(output, label)}
    </span>
  );
}

/** Keep / flip / skip for two-valued labels the judge gave; a choice of labels otherwise. */
function DecisionControls({
  output,
  item,
  decision,
  onChange,
}: {
  output: LabelOutput;
  item: ReviewItem;
  decision: Decision;
  onChange: (d: Decision) => void;
}) {
  const other = flipped(output, item.judgeLabel);
  // Until the person writes one, the justification shown is the judge's for its own label, and empty for another.
  const set = (label: number) =>
    onChange({
      ...decision,
      label,
      skip: false,
      ...(decision.edited ? {} : { justification: label === item.judgeLabel ? (item.judgeJustification ?? '') : '' }),
    });
  const options: Array<{ key: string; text: string; active: boolean; choose: () => void; title?: string }> =
    other !== undefined && item.judgeLabel !== null
      ? [
          {
            key: 'keep',
            text: `Keep ${labelText(output, item.judgeLabel)}`,
            active: !decision.skip && decision.label === item.judgeLabel,
            choose: () => set(item.judgeLabel!),
            title: "Agree with the judge's label",
          },
          {
            key: 'flip',
            text: `Flip to ${labelText(output, other)}`,
            active: !decision.skip && decision.label === other,
            choose: () => set(other),
            title: 'The judge got it wrong',
          },
        ]
      : labelChoices(output).map((label) => ({
          key: String(label),
          text: labelText(output, label),
          active: !decision.skip && decision.label === label,
          choose: () => set(label),
        }));
  options.push({
    key: 'skip',
    text: 'Skip',
    active: decision.skip,
    choose: () => onChange({ ...decision, skip: true }),
    title: 'Leave this row to the judge: not a few-shot example',
  });
  return (
    <div className="decision" role="group" aria-label={`label of row ${item.row}`}>
      {options.map((o) => (
        <button
          key={o.key}
          type="button"
          className={`decision-option ${o.active ? 'active' : ''}`}
          aria-pressed={o.active}
          title={o.title}
          data-choice={o.key}
          onClick={o.choose}
        >
          {o.text}
        </button>
      ))}
    </div>
  );
}

function JustificationInput({
  item,
  decision,
  onChange,
  rows = 3,
}: {
  item: ReviewItem;
  decision: Decision;
  onChange: (d: Decision) => void;
  rows?: number;
}) {
  const changedLabel = decision.label !== item.judgeLabel;
  return (
    <textarea
      className="justification-input"
      aria-label={`justification of row ${item.row}`}
      rows={rows}
      value={decision.justification}
      disabled={decision.skip}
      placeholder={changedLabel ? 'Why the label differs (becomes the few-shot example’s justification)' : "The judge's justification"}
      onChange={(e) => onChange({ ...decision, justification: e.target.value, edited: true })}
    />
  );
}

function ReviewCard({
  output,
  item,
  decision,
  onChange,
  position,
}: {
  output: LabelOutput;
  item: ReviewItem;
  decision: Decision;
  onChange: (d: Decision) => void;
  position: string;
}) {
  return (
    <article className="card review-item" data-row={item.row} aria-label={`row ${item.row}`}>
      <header className="review-item-head">
        <h3>
          Row {item.row} <span className="muted small">{position}</span>
        </h3>
        {item.reason && (
          <span className="badge unsure" title="Why this row was offered">
            judge unsure: {item.reason}
          </span>
        )}
        <VerdictBadge verdict={verdictOf(item, decision)} />
      </header>
      <div className="review-item-body">
        <dl className="record">
          {Object.entries(item.record).map(([column, value]) => (
            <div key={column}>
              <dt>{column}</dt>
              <dd className="pre">{cellText(value)}</dd>
            </div>
          ))}
        </dl>
        <div className="judge-says">
          <div className="field-name">
            Judge{item.judgeVersion ? ` ${item.judgeVersion}` : ''} says <LabelChip output={output} label={item.judgeLabel} />
          </div>
          {item.judgeLabel === null ? (
            <p className="text-poor small">No usable answer{item.error ? `: ${item.error}` : ''}. Give a label or skip the row.</p>
          ) : (
            <p className="pre judge-justification">{item.judgeJustification}</p>
          )}
          <div className="field-name">Your label</div>
          <DecisionControls output={output} item={item} decision={decision} onChange={onChange} />
          <div className="field-name">Justification</div>
          <JustificationInput item={item} decision={decision} onChange={onChange} />
        </div>
      </div>
    </article>
  );
}

function SummaryTable({
  output,
  items,
  decisions,
  onChange,
}: {
  output: LabelOutput;
  items: ReviewItem[];
  decisions: Map<number, Decision>;
  onChange: (row: number, d: Decision) => void;
}) {
  return (
    <div className="table-wrap card">
      <table className="table review-summary" aria-label="review and submit">
        <thead>
          <tr>
            <th className="num">Row</th>
            <th>Judge</th>
            <th>Your label</th>
            <th>Justification</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const decision = decisions.get(item.row) ?? initialDecision(item);
            return (
              <tr key={item.row} data-row={item.row}>
                <td className="num mono">{item.row}</td>
                <td>
                  <LabelChip output={output} label={item.judgeLabel} />
                  {item.reason && <div className="muted small">unsure: {item.reason}</div>}
                </td>
                <td>
                  <DecisionControls output={output} item={item} decision={decision} onChange={(d) => onChange(item.row, d)} />
                </td>
                <td className="justification-cell">
                  <JustificationInput item={item} decision={decision} onChange={(d) => onChange(item.row, d)} rows={2} />
                </td>
                <td>
                  <VerdictBadge verdict={verdictOf(item, decision)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Finds the rows the judge is least sure of (k samples at temperature 1 that disagree). */
function UncertainFinder({ job, onFound }: { job: LabelJob; onFound: () => void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<UncertainResponse | Error>();
  const find = async () => {
    setBusy(true);
    try {
      setResult(await api.uncertainRows(job.id, { k: 3 }));
      onFound();
    } catch (e) {
      setResult(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="uncertain-finder">
      <button
        type="button"
        className="button"
        onClick={find}
        disabled={busy}
        title="Asks the judge 3 times per unlabelled row at temperature 1 and offers the rows where the answers differ"
      >
        {busy ? 'Probing rows…' : 'Find rows the judge is least sure of'}
      </button>
      {result instanceof Error && <ErrorBox error={result} title="Could not find uncertain rows" />}
      {result && !(result instanceof Error) && (
        <span className="muted small" role="status">
          {result.rows.length === 0 ? 'The judge answered every probed row the same way each time' : `${result.rows.length} rows added`} ·{' '}
          {formatInt(result.candidates)} rows probed with {formatInt(result.calls)} calls · {formatCost(result.cost_usd)}
        </span>
      )}
    </div>
  );
}

/** Tries a revised criterion on the sample; the corrections so far go along as examples. */
function Resample({ job, corrections, onDone }: { job: LabelJob; corrections: ReturnType<typeof humanLabels>; onDone: () => void }) {
  const current = typeof job.criterion.prompt === 'string' ? job.criterion.prompt : undefined;
  const [prompt, setPrompt] = useState(current ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const resample = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.resampleLabels(job.id, {
        ...(current !== undefined && prompt !== current ? { prompt } : {}),
        ...(corrections.length ? { labels: corrections } : {}),
      });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="card resample">
      <summary>Revise the criterion and re-label the sample</summary>
      {current !== undefined ? (
        <label className="control">
          <span>Criterion — with {'{column}'} variables</span>
          <textarea name="revised_prompt" rows={4} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        </label>
      ) : (
        <p className="muted small">
          This job uses the built-in judge {cellText(job.criterion.builtin)}: its criterion is fixed, but your corrections can still be
          tried as examples.
        </p>
      )}
      <p className="muted small">
        The sample is labelled again by a new judge version
        {corrections.length ? `, with your ${corrections.length} changed labels as few-shot examples` : ''}. You review it again before
        every row is labelled.
      </p>
      {error !== undefined && <ErrorBox error={error} title="Not resampled" />}
      <button
        type="button"
        className="button"
        onClick={resample}
        disabled={busy || ((current === undefined || prompt === current) && corrections.length === 0)}
      >
        {busy ? 'Resampling…' : 'Re-label the sample'}
      </button>
    </details>
  );
}

export function LabelReview({ job, output, onChanged }: { job: LabelJob; output: LabelOutput; onChanged: () => void }) {
  const items = useMemo(() => reviewItems(job), [job]);
  const [decisions, setDecisions] = useState<Map<number, Decision>>(() => new Map());
  const [step, setStep] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>();
  const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  const summary = step >= pages;

  const decisionOf = (item: ReviewItem) => decisions.get(item.row) ?? initialDecision(item);
  const change = (row: number, d: Decision) => setDecisions((m) => new Map(m).set(row, d));
  const counts = { kept: 0, changed: 0, skipped: 0, missing: 0 } satisfies Record<Verdict, number>;
  for (const item of items) counts[verdictOf(item, decisionOf(item))]++;
  const labels = humanLabels(output, items, decisions);
  const corrections = humanLabels(
    output,
    items.filter((item) => verdictOf(item, decisionOf(item)) === 'changed'),
    decisions,
  );

  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      await api.reviewLabels(job.id, labels);
      onChanged();
    } catch (e) {
      setError(e);
      setSubmitting(false);
    }
  };

  const pageItems = items.slice(step * PAGE_SIZE, (step + 1) * PAGE_SIZE);
  return (
    <section className="review" aria-label="review the sample">
      <div className="review-intro">
        <p>
          The judge labelled {formatInt(job.sample.length)} sampled rows. Keep or flip each label and edit the justification where it is
          wrong; your labels become the judge’s few-shot examples for every other row.
        </p>
        <UncertainFinder job={job} onFound={onChanged} />
      </div>
      <nav className="review-steps" aria-label="review pages">
        {Array.from({ length: pages }, (_, i) => (
          <button
            key={i}
            type="button"
            className={`step ${i === step ? 'active' : ''}`}
            aria-current={i === step ? 'step' : undefined}
            onClick={() => setStep(i)}
          >
            {i + 1}
          </button>
        ))}
        <button
          type="button"
          className={`step final ${summary ? 'active' : ''}`}
          aria-current={summary ? 'step' : undefined}
          onClick={() => setStep(pages)}
        >
          Review and submit
        </button>
        <span className="muted small review-counts" role="status">
          {counts.kept} kept · {counts.changed} changed · {counts.skipped} skipped
          {counts.missing ? ` · ${counts.missing} need a label` : ''}
        </span>
      </nav>

      {summary ? (
        <>
          <SummaryTable output={output} items={items} decisions={decisions} onChange={change} />
          {error !== undefined && <ErrorBox error={error} title="The labels were not submitted" />}
          <div className="review-actions">
            <button type="button" className="button" onClick={() => setStep(pages - 1)}>
              Back
            </button>
            <button
              type="button"
              className="button primary"
              onClick={submit}
              disabled={submitting || counts.missing > 0}
              title={counts.missing ? 'Give every row a label or skip it' : undefined}
            >
              {submitting ? 'Submitting…' : `Submit ${labels.length} labels and label every row`}
            </button>
          </div>
        </>
      ) : (
        <>
          <div className="review-page">
            {pageItems.map((item, i) => (
              <ReviewCard
                key={item.row}
                output={output}
                item={item}
                decision={decisionOf(item)}
                onChange={(d) => change(item.row, d)}
                position={`${step * PAGE_SIZE + i + 1} of ${items.length}`}
              />
            ))}
          </div>
          <div className="review-actions">
            <button type="button" className="button" onClick={() => setStep(step - 1)} disabled={step === 0}>
              Previous
            </button>
            <span className="muted small">
              Page {step + 1} of {pages}
            </span>
            <button type="button" className="button primary" onClick={() => setStep(step + 1)}>
              {step + 1 === pages ? 'Review and submit' : 'Next'}
            </button>
          </div>
        </>
      )}
      <Resample job={job} corrections={corrections} onDone={onChanged} />
    </section>
  );
}
