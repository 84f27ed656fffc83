/**
 * Labels as fine-tuning data for distilling the judge (chat-format JSON Lines, as OpenAI's and most
 * fine-tuning APIs take): per labelled row, the judge's system and user messages as it saw them —
 * from the stored result that labelled the row (run_judges.system_prompt + results.prompt) — and,
 * as the assistant's answer, the row's final label (a person's where given) with its
 * justification, in the JSON the judge answers: `{"justification": …, "score": …}`.
 *
 * A person's label is paired with the prompt of the LLM label they reviewed (the judge version
 * before their labels became examples, so no row's own answer is in its prompt). A reviewed row
 * the judge never labelled (an uncertain row) gets the prompt the final criterion renders with the
 * user's own examples only, for the same reason.
 */
import { Columns } from '../data/columns.js';
import { renderJudgePrompt, type JudgeMessages } from '../judges/prompt.js';
import { variableText } from '../metrics/judge-metric.js';
import type { LabelJobRecord } from '../store/label-jobs.js';
import { JudgePromptRepository } from '../store/judge-prompts.js';
import { currentLabels, newestPerRow, type LabelRecord } from '../store/labels.js';
import { judgeForCriterion } from './criterion.js';
import { recordsAt } from '../datasets/index.js';
import type { LabelJobs } from './engine.js';
import { judgeScore } from './label-values.js';

const CHUNK = 500;

/** One line of the export. */
export interface FinetuneExample {
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>;
}

/** The job's labelled rows as fine-tuning examples, in dataset order. */
export async function* finetuneExamples(engine: LabelJobs, job: LabelJobRecord): AsyncGenerator<FinetuneExample> {
  const { dataset, file } = await engine.datasetOf(job);
  const { criterion } = job;
  const finalVersion = job.versions.find((v) => v.judge_id === job.judge_id)?.version ?? 'v1';
  const plain = judgeForCriterion(criterion, { name: job.name, version: finalVersion });
  const columns = new Columns({
    columns: dataset.columns,
    ...(criterion.col_mapping ? { colMapping: criterion.col_mapping } : {}),
    hasModel: false,
  });
  const judgePrompts = new JudgePromptRepository(engine.store.db);
  const systems = new Map<string, string>();
  for (let from = 0; from < dataset.row_count; from += CHUNK) {
    const labels = await engine.labels.ofJob(job.id, { from, to: from + CHUNK - 1 });
    const current = currentLabels(labels, job.judge_id);
    const reviewedLlm = newestPerRow(labels, (l) => l.source === 'llm' && l.label !== null && l.run_id !== null);
    const versions = await engine.store.judges.versionNames(labels.flatMap((l) => (l.judge_id ? [l.judge_id] : [])));
    const chosen: Array<{ row: number; label: LabelRecord; source: LabelRecord | undefined }> = [];
    for (const [row, label] of current) {
      if (label.label === null) continue;
      chosen.push({ row, label, source: label.source === 'llm' ? label : reviewedLlm.get(row) });
    }
    const prompts = await storedPrompts(
      judgePrompts,
      job,
      chosen.flatMap((c) => (c.source ? [c.source] : [])),
      versions,
      systems,
    );
    const unseen = chosen.filter((c) => !c.source || !prompts.has(c.source.id)).map((c) => c.row);
    const records = unseen.length ? await recordsAt(file, unseen) : new Map();
    for (const { row, label, source } of chosen) {
      const stored = source ? prompts.get(source.id) : undefined;
      const messages: JudgeMessages =
        stored ??
        renderJudgePrompt(plain, (name) =>
          variableText(name, columns.require(name, `judge '${plain.name}'`), { record: records.get(row) ?? {} }),
        );
      const score = label.source === 'llm' && stored?.score !== undefined ? stored.score : judgeScore(criterion.output, label.label!);
      yield {
        messages: [
          { role: 'system', content: messages.system },
          { role: 'user', content: messages.user },
          { role: 'assistant', content: JSON.stringify({ justification: label.justification ?? '', score }) },
        ],
      };
    }
  }
}

/** The messages (and the judge's own score) of the results behind LLM labels, by label id. */
async function storedPrompts(
  judgePrompts: JudgePromptRepository,
  job: LabelJobRecord,
  labels: LabelRecord[],
  versions: Map<string, string>,
  systems: Map<string, string>,
): Promise<Map<string, JudgeMessages & { score?: number | string }>> {
  const found = new Map<string, JudgeMessages & { score?: number | string }>();
  const byRun = new Map<string, LabelRecord[]>();
  for (const label of labels) byRun.set(label.run_id!, [...(byRun.get(label.run_id!) ?? []), label]);
  for (const [runId, group] of byRun) {
    const results = await judgePrompts.ofRows(
      runId,
      group.map((l) => l.run_row_index!),
    );
    for (const label of group) {
      const metric = `${job.name}/${versions.get(label.judge_id!) ?? ''}`;
      const result = results.find((r) => r.row === label.run_row_index && r.metric === metric);
      if (!result?.prompt) continue;
      const systemKey = `${runId}\u0000${metric}`;
      if (!systems.has(systemKey)) systems.set(systemKey, (await judgePrompts.systemPrompt(runId, metric)) ?? '');
      const score = result.score === null ? undefined : Number.isFinite(Number(result.score)) ? Number(result.score) : result.score;
      found.set(label.id, { system: systems.get(systemKey)!, user: result.prompt, ...(score !== undefined ? { score } : {}) });
    }
  }
  return found;
}
