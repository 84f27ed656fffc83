/**
 * A judge definition as the store keeps it (the canonical JSON of a `Judge`), parsed back with a
 * schema instead of trusted by a cast: a definition that does not read as a judge is a store error
 * naming the judge, not a crash deep inside a run. Unknown keys are kept, so that the parsed judge
 * hashes as the stored one did.
 */
import { z } from 'zod';
import { JurorError } from '../errors.js';
import type { Judge } from './definition.js';

const example = z.looseObject({
  input: z.string().optional(),
  output: z.string(),
  score: z.union([z.number(), z.string()]),
  justification: z.string(),
  gradingContext: z.record(z.string(), z.string()).optional(),
});

const output = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('scale'), min: z.number(), max: z.number() }),
  z.looseObject({ type: z.literal('yes_no'), threshold: z.number() }),
  z.looseObject({ type: z.literal('binary') }),
  z.looseObject({ type: z.literal('categories'), labels: z.record(z.string(), z.number()) }),
]);

const common = {
  name: z.string(),
  version: z.string(),
  model: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()),
  aggregations: z.array(z.enum(['mean', 'variance', 'p90', 'ratio', 'min', 'max', 'median', 'sum'])),
  greaterIsBetter: z.boolean(),
  metricMetadata: z.record(z.string(), z.unknown()),
  output,
  assessmentType: z.enum(['ANSWER', 'RETRIEVAL']),
  examples: z.array(example),
  models: z.array(z.string()).optional(),
  aggregate: z.enum(['majority', 'mean', 'median']).optional(),
  samples: z.number().optional(),
  scoring: z.literal('logprobs').optional(),
};

const storedJudge: z.ZodType<Judge> = z.discriminatedUnion('kind', [
  z.looseObject({
    kind: z.literal('rubric'),
    ...common,
    definition: z.string(),
    gradingPrompt: z.string(),
    gradingContextColumns: z.array(z.string()),
    includeInput: z.boolean(),
    pairwise: z.literal(true).optional(),
  }),
  z.looseObject({ kind: z.literal('prompt'), ...common, judgePrompt: z.string(), pairwise: z.literal(true).optional() }),
]);

/** The judge stored as `definition` (JSON text) under `id`; a definition that is not a judge is a store error. */
export function parseStoredJudge(definition: string, id: string): Judge {
  let json: unknown;
  try {
    json = JSON.parse(definition);
  } catch (cause) {
    throw new JurorError('store', `judge ${id} in the store is not valid JSON`, {
      cause,
      hint: 'the store was changed outside Juror: restore it from a backup',
    });
  }
  const parsed = storedJudge.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new JurorError(
      'store',
      `judge ${id} in the store is not a judge definition: ${issue.path.join('.') || 'definition'}: ${issue.message}`,
      {
        hint: 'the store was changed outside Juror, or by a newer Juror: restore it from a backup, or upgrade',
      },
    );
  }
  return parsed.data;
}
