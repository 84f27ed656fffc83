/**
 * How well each judge version of a job agrees with the people who reviewed it: the version's LLM
 * labels against the human labels of the same rows, with `compareLabels` (accuracy, κ, α, F1 …,
 * bootstrap intervals). Rows whose human labels are few-shot examples of a version are left out of
 * that version's comparison (`withoutExamples`, the rule align uses too) — the answer is in its prompt. Each computation is stored, so that a
 * judge's agreement has a history per version.
 */
import { compareLabels, type AgreementReport } from '../agreement/compare.js';
import { labelScheme } from '../agreement/scheme.js';
import { withoutExamples } from '../align/human-labels.js';
import type { LabelJobRecord } from '../store/label-jobs.js';
import { newestPerRow } from '../store/labels.js';
import { outputKind } from './criterion.js';
import type { LabelJobs } from './engine.js';
import { schemeLabel } from './label-values.js';

/** One version's agreement with the human labels. */
export interface VersionAgreement {
  judge_id: string;
  version: string;
  /** Pairs compared. */
  n: number;
  /** Reviewed rows left out because they are few-shot examples of this version. */
  excluded_examples: number;
  /** Reviewed rows this version has no label of (never labelled, or no usable answer). */
  unlabelled: number;
  statistics: AgreementReport['statistics'];
  confusion: AgreementReport['confusion'];
  ci: AgreementReport['ci'];
  notes: string[];
  computed_at: string;
}

/** A job's agreement, per judge version that labelled reviewed rows. */
export interface JobAgreement {
  job_id: string;
  judge: string;
  /** Rows with a human label. */
  reviewed: number;
  versions: VersionAgreement[];
  notes: string[];
}

/** Computes (and stores) the agreement of every version of the job that labelled reviewed rows. */
export async function jobAgreement(engine: LabelJobs, job: LabelJobRecord): Promise<JobAgreement> {
  const { criterion } = job;
  const scheme = labelScheme(outputKind(criterion.output));
  const human = newestPerRow(await engine.labels.human(job.id));
  const llm = await engine.labels.llm(job.id);
  const versions: VersionAgreement[] = [];
  const notes: string[] = [];
  if (human.size === 0) notes.push('no row has a human label yet: review the sample (POST /api/label-jobs/:id/review) first');
  for (const version of job.versions) {
    const byRow = newestPerRow(llm, (l) => l.judge_id === version.judge_id);
    const { fair, excluded } = withoutExamples(human, version.example_rows);
    const humanLabels: Array<string | number> = [];
    const judgeLabels: Array<string | number> = [];
    let unlabelled = 0;
    for (const [row, label] of fair) {
      const judged = byRow.get(row);
      if (!judged) {
        unlabelled++;
        continue;
      }
      humanLabels.push(schemeLabel(criterion.output, label.label!));
      judgeLabels.push(schemeLabel(criterion.output, judged.label!));
    }
    if (humanLabels.length === 0) continue;
    const report = compareLabels(humanLabels, judgeLabels, scheme, { seed: 1 });
    const saved = await engine.agreements.insert({
      judgeId: version.judge_id,
      datasetId: job.dataset_id,
      labelJobId: job.id,
      n: report.n,
      stats: report,
    });
    versions.push({
      judge_id: version.judge_id,
      version: version.version,
      n: report.n,
      excluded_examples: excluded,
      unlabelled,
      statistics: report.statistics,
      confusion: report.confusion,
      ci: report.ci,
      notes: [
        ...(excluded ? [`${excluded} reviewed rows are few-shot examples of ${version.version} and are left out`] : []),
        ...(unlabelled ? [`${unlabelled} reviewed rows have no label by ${version.version}`] : []),
        ...report.notes,
      ],
      computed_at: saved.created_at,
    });
  }
  if (human.size > 0 && versions.length === 0)
    notes.push('no judge version of this job has labelled a reviewed row that is not one of its examples');
  return { job_id: job.id, judge: job.name, reviewed: human.size, versions, notes };
}
