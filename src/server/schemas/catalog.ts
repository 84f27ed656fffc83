/** Schemas of experiments and judges. */
import { z } from 'zod';

export const experimentsList = z.object({
  experiments: z.array(
    z.object({ id: z.string(), name: z.string(), created_at: z.string(), run_count: z.number().int(), last_run_at: z.string().nullable() }),
  ),
});
export type ExperimentsList = z.infer<typeof experimentsList>;

export const judgesList = z.object({
  judges: z.array(
    z.object({
      name: z.string(),
      versions: z.array(
        z.object({
          id: z.string(),
          version: z.string(),
          hash: z.string(),
          created_at: z.string(),
          run_count: z.number().int(),
          definition: z.record(z.string(), z.unknown()).describe('the judge in its config form, examples included'),
        }),
      ),
    }),
  ),
});
export type JudgesList = z.infer<typeof judgesList>;
