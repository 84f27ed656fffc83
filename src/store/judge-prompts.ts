/**
 * The prompts a run sent its judges, as stored beside its results: each result's user message and
 * score, and each judge's system message (the same for every row, kept once per run and judge).
 * Read back to show what a judge saw, e.g. as fine-tuning data.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What one judge was sent for one row of a run, and the score it gave (as stored). */
export interface JudgedPrompt {
  row: number;
  /** The judge's metric, `name/version`. */
  metric: string;
  /** The user message; null where the result was not judged by an LLM (or not kept). */
  prompt: string | null;
  score: string | null;
}

export class JudgePromptRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** What every judge of run `runId` was sent for its rows `rows` (none for an empty list). */
  async ofRows(runId: string, rows: readonly number[]): Promise<JudgedPrompt[]> {
    if (rows.length === 0) return [];
    const found = await this.db
      .selectFrom('results')
      .select(['row_index', 'metric', 'prompt', 'score'])
      .where('run_id', '=', runId)
      .where('row_index', 'in', [...rows])
      .execute();
    return found.map((r) => ({ row: Number(r.row_index), metric: r.metric, prompt: r.prompt, score: r.score }));
  }

  /** The system message run `runId` sent the judge of `metric`, or undefined when it has none stored. */
  async systemPrompt(runId: string, metric: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('run_judges')
      .select('system_prompt')
      .where('run_id', '=', runId)
      .where('metric', '=', metric)
      .executeTakeFirst();
    return row?.system_prompt;
  }
}
