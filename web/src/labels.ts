/** Label values of a label job as people see and change them: 1 / 0, yes / no, or 1–5. */
import type { HumanLabel, LabelOutput } from './api.js';

export const OUTPUT_NAMES: Record<LabelOutput, string> = { binary: '1 / 0', yes_no: 'yes / no', scale_1_5: 'score 1–5' };

/** The output kind a job's criterion names (binary when it names none it knows). */
export function jobOutput(criterion: Record<string, unknown>): LabelOutput {
  const output = criterion.output;
  return output === 'yes_no' || output === 'scale_1_5' ? output : 'binary';
}

/** Every label a person may give, best first for yes/no and 1/0 (as the seeds write them). */
export function labelChoices(output: LabelOutput): number[] {
  return output === 'scale_1_5' ? [1, 2, 3, 4, 5] : [1, 0];
}

export function labelText(output: LabelOutput, label: number | null | undefined): string {
  if (label === null || label === undefined) return '—';
  if (output === 'yes_no') return label === 1 ? 'yes' : 'no';
  return String(label);
}

/** The other label of a two-valued output; undefined on a scale. */
export function flipped(output: LabelOutput, label: number | null): number | undefined {
  if (output === 'scale_1_5' || label === null) return undefined;
  return label === 1 ? 0 : 1;
}

/** One row under review: what the judge said, and why the row is here. */
export interface ReviewItem {
  row: number;
  /** The judge's label, null when it gave no usable answer. */
  judgeLabel: number | null;
  judgeJustification: string | null;
  judgeVersion: string | null;
  /** Why the judge gave no label. */
  error: string | null;
  /** A person's earlier label of the row (after a resample), which the review starts from. */
  humanLabel: number | null;
  humanJustification: string | null;
  record: Record<string, unknown>;
  /** Set for rows offered because the judge is unsure of them. */
  reason?: string;
}

/** What the person decided for a row. */
export interface Decision {
  label: number | null;
  justification: string;
  /** Whether the person wrote the justification (else the judge's stands, or the server's default). */
  edited: boolean;
  skip: boolean;
}

export function initialDecision(item: ReviewItem): Decision {
  if (item.humanLabel !== null)
    return { label: item.humanLabel, justification: item.humanJustification ?? '', edited: !!item.humanJustification, skip: false };
  return { label: item.judgeLabel, justification: item.judgeJustification ?? '', edited: false, skip: false };
}

export type Verdict = 'kept' | 'changed' | 'skipped' | 'missing';

export function verdictOf(item: ReviewItem, decision: Decision): Verdict {
  if (decision.skip) return 'skipped';
  if (decision.label === null) return 'missing';
  return decision.label === item.judgeLabel && !decision.edited ? 'kept' : 'changed';
}

/**
 * The labels to submit: every row not skipped. A justification goes along only when the person
 * wrote one; otherwise the server keeps the judge's (for a kept label) or notes the change.
 */
export function humanLabels(output: LabelOutput, items: ReviewItem[], decisions: Map<number, Decision>): HumanLabel[] {
  const labels: HumanLabel[] = [];
  for (const item of items) {
    const decision = decisions.get(item.row) ?? initialDecision(item);
    if (decision.skip || decision.label === null) continue;
    const label = output === 'yes_no' ? labelText(output, decision.label) : decision.label;
    const justification = decision.edited && decision.justification.trim() ? decision.justification.trim() : undefined;
    labels.push({ row: item.row, label, ...(justification !== undefined ? { justification } : {}) });
  }
  return labels;
}
