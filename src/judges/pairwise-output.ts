/**
 * What makes a judge pairwise (issue #14 §2): a prompt judge whose prompt shows `{response_a}` and
 * `{response_b}`, or a rubric judge with `pairwise: true`. Such a judge compares two responses to
 * one request and answers A, B or tie — a categories output valued from A's side (1, 0, ½), so that
 * it runs through the engine as any other judge. Asking both orders and reading the verdicts is
 * src/judges/pairwise.ts.
 */
import { ConfigError } from '../errors.js';
import type { EvaluationExample, MetricMetadata, OutputKind } from './definition.js';
import { templateVariables } from './template.js';

/** The labels a pairwise judge answers, each valued from A's side. */
export const PAIRWISE_LABELS: Readonly<Record<'A' | 'B' | 'tie', number>> = { A: 1, B: 0, tie: 0.5 };

/** The variables holding the two responses, in the order shown. */
export const PAIRWISE_VARIABLES = ['response_a', 'response_b'] as const;

/** A pairwise judge's output kind. */
export function pairwiseOutput(): OutputKind {
  return { type: 'categories', labels: { ...PAIRWISE_LABELS } };
}

/**
 * Whether a prompt judge's prompt makes it pairwise: it uses both `{response_a}` and `{response_b}`.
 * One without the other is a config error.
 */
export function isPairwisePrompt(prompt: unknown, judge: string): boolean {
  if (typeof prompt !== 'string') return false;
  const variables = templateVariables(prompt);
  const used = PAIRWISE_VARIABLES.filter((v) => variables.includes(v));
  if (used.length === 1) {
    const missing = PAIRWISE_VARIABLES.find((v) => v !== used[0])!;
    throw new ConfigError(`judge '${judge}': judge_prompt uses {${used[0]}} but not {${missing}}`, {
      where: { field: 'judge_prompt' },
      hint: "a pairwise judge's prompt shows both responses, {response_a} and {response_b}; a judge of one response uses {response}",
    });
  }
  return used.length === 2;
}

/**
 * The options of a pairwise judge with its output set to A / B / tie; a different `output`,
 * few-shot examples or a RETRIEVAL assessment are config errors naming the field.
 */
export function pairwiseOptions<
  O extends { name: string; output?: OutputKind; examples?: EvaluationExample[]; metricMetadata?: MetricMetadata },
>(options: O, pairwise: boolean): O {
  if (!pairwise) return options;
  const where = `judge '${options.name}'`;
  const output = pairwiseOutput();
  if (options.output !== undefined && !sameOutput(options.output, output)) {
    throw new ConfigError(`${where}: a pairwise judge answers A, B or tie, so its output cannot be set`, {
      where: { field: 'output' },
      hint: 'remove output: (a pairwise judge answers { categories: { A: 1, B: 0, tie: 0.5 } })',
    });
  }
  if (options.examples?.length) {
    throw new ConfigError(`${where}: a pairwise judge takes no few-shot examples`, {
      where: { field: 'examples' },
      hint: 'remove examples:, or describe in the prompt what makes one response better than the other',
    });
  }
  if (String(options.metricMetadata?.assessment_type ?? 'ANSWER').toUpperCase() !== 'ANSWER') {
    throw new ConfigError(`${where}: a pairwise judge compares two whole responses, so its assessment_type is ANSWER`, {
      where: { field: 'metric_metadata.assessment_type' },
      hint: 'remove assessment_type, or set it to ANSWER',
    });
  }
  return { ...options, output };
}

function sameOutput(given: OutputKind, pairwise: OutputKind): boolean {
  if (given.type !== 'categories' || pairwise.type !== 'categories') return false;
  const a = Object.entries(given.labels).sort(([x], [y]) => x.localeCompare(y));
  const b = Object.entries(pairwise.labels).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(a) === JSON.stringify(b);
}
