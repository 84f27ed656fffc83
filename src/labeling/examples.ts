/**
 * Human labels as few-shot examples. An example is built from the row's own variables, so that it
 * shows the judge the same pieces, under the same names, as a real row:
 * - a rubric (built-in) judge: `inputs` → input (when the judge shows inputs), `outputs` → output,
 *   each grading-context column → grading_context, exactly as the rubric renders a row;
 * - a prompt judge: the variable of the prompt that names the output under judgement (`{outputs}`,
 *   `{response}`, `{predictions}`, `{answer}`, `{output}`…; else the prompt's last variable) →
 *   output, an `{inputs}` / `{request}` / `{question}` / `{input}`… variable → input, and every other variable → grading_context under its own name
 *   (`context:` followed by the row's context, as the row's `{context}` block).
 * The answer is the person's label (as the score the judge would give) with their justification.
 */
import { STANDARD_GROUPS, type Columns } from '../data/columns.js';
import type { DataRecord } from '../data/dataset.js';
import type { EvaluationExample, Judge } from '../judges/definition.js';
import { templateVariables } from '../judges/template.js';
import { variableText } from '../metrics/judge-metric.js';

/** Variables taken for the output under judgement: the standard names, then the usual column names. */
const OUTPUT_NAMES = new Set([...STANDARD_GROUPS.predictions!, 'answer', 'output', 'prediction', 'completion', 'generation']);
/** Variables taken for the input: the standard names, then the usual column names. */
const INPUT_NAMES = new Set([...STANDARD_GROUPS.inputs!, 'question', 'input', 'query', 'prompt']);

/** The parts of a row a judge's example shows, by the example field each goes to. */
export interface ExamplePlan {
  input?: string;
  output: string;
  gradingContext: string[];
}

/** Which variable of the judge goes where in an example (see the module comment). */
export function examplePlan(judge: Judge): ExamplePlan {
  if (judge.kind === 'rubric') {
    return { ...(judge.includeInput ? { input: 'inputs' } : {}), output: 'outputs', gradingContext: [...judge.gradingContextColumns] };
  }
  const variables = templateVariables(judge.judgePrompt);
  const output = variables.find((v) => OUTPUT_NAMES.has(v)) ?? variables[variables.length - 1];
  if (output === undefined) return { output: '', gradingContext: [] };
  const input = variables.find((v) => v !== output && INPUT_NAMES.has(v));
  return { ...(input !== undefined ? { input } : {}), output, gradingContext: variables.filter((v) => v !== output && v !== input) };
}

/** One row and the answer a person gave for it. */
export interface ExampleRow {
  record: DataRecord;
  score: number;
  justification: string;
}

/** The few-shot example of a row, with the row's variables placed as {@link examplePlan} says. */
export function rowExample(judge: Judge, columns: Columns, row: ExampleRow): EvaluationExample {
  const plan = examplePlan(judge);
  const text = (variable: string): string => {
    const source = columns.require(variable, `judge '${judge.name}'`);
    return variableText(variable, source, { record: row.record });
  };
  const gradingContext = Object.fromEntries(plan.gradingContext.map((v) => [v, text(v)]));
  return {
    ...(plan.input !== undefined ? { input: text(plan.input) } : {}),
    output: judge.kind === 'prompt' && plan.output === '' ? '' : text(plan.output),
    score: row.score,
    justification: row.justification,
    ...(judge.kind === 'rubric' ? { gradingContext } : Object.keys(gradingContext).length ? { gradingContext } : {}),
  };
}
