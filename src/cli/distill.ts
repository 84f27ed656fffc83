/**
 * `juror distill --label-job <id> | --data <file> --label-col <c> [--text-cols a,b] --name <judge>`:
 * trains a distilled judge on the labels, prints its cross-validated report and stores it as the
 * next version of the name, usable as `- { metric: distilled, judge: <name>, version: <v> }`.
 */
import { z } from 'zod';
import { distillJudge, type StoredDistilled } from '../distill/index.js';
import { ConfigError } from '../errors.js';
import { LabelJobs } from '../labeling/engine.js';
import { defaultDataDir } from '../store/data-dir.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { EXIT, reportError } from './exit.js';

/** The flags of `juror distill`. */
export interface DistillFlags {
  labelJob?: string;
  data?: string;
  labelCol?: string;
  textCols?: string;
  name: string;
  folds: string;
  features: string;
  embeddingModel?: string;
  embeddingPath?: string;
  seed: string;
  json?: boolean;
  db?: string;
}

/** Runs `juror distill` and returns its exit code. */
export async function distillCommand(flags: DistillFlags): Promise<number> {
  let store: Store | undefined;
  try {
    if (!flags.labelJob === !flags.data) {
      throw new ConfigError('give the labels either as --label-job <id> or as --data <file> --label-col <column>', {
        where: { field: flags.labelJob ? '--data' : '--label-job' },
        hint: 'juror distill --label-job <id> --name <judge>, or juror distill --data labelled.csv --label-col label --name <judge>',
      });
    }
    if (flags.data && !flags.labelCol) {
      throw new ConfigError('--data needs --label-col, the column holding each row’s label', { where: { field: '--label-col' } });
    }
    const number = (flag: string, value: string) => {
      const parsed = Number(value);
      if (!Number.isInteger(parsed)) throw new ConfigError(`${flag} must be an integer, not '${value}'`, { where: { field: flag } });
      return parsed;
    };
    const request = {
      name: flags.name,
      folds: number('--folds', flags.folds),
      features: flags.features as 'ngrams',
      seed: number('--seed', flags.seed),
      ...(flags.embeddingModel ? { embedding_model: flags.embeddingModel } : {}),
      ...(flags.embeddingPath ? { embedding_path: flags.embeddingPath } : {}),
    };
    store = await Store.open(flags.db ? { path: flags.db } : defaultStoreLocation());
    const openStore = store;
    const source = flags.labelJob
      ? await (async () => {
          const engine = new LabelJobs({ store: openStore, dataDir: defaultDataDir(openStore) });
          return { labelJob: await engine.jobs.findId(flags.labelJob!), engine };
        })()
      : {
          file: flags.data!,
          labelCol: flags.labelCol!,
          ...(flags.textCols ? { textCols: flags.textCols.split(',').map((c) => c.trim()) } : {}),
        };
    const stored = await distillJudge(store, source, request, (done, total) => {
      if (!flags.json) process.stderr.write(`juror: distilling: ${done} of ${total} fits\n`);
    }).catch((error: unknown) => {
      if (error instanceof z.ZodError) {
        const issue = error.issues[0]!;
        const flag = `--${String(issue.path[0] ?? 'name').replace(/_/g, '-')}`;
        throw new ConfigError(`${flag}: ${issue.message}`, { where: { field: flag } });
      }
      throw error;
    });
    process.stdout.write(flags.json ? `${JSON.stringify(stored, null, 2)}\n` : formatReport(stored));
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  } finally {
    await store?.close();
  }
}

const pct = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${(100 * value).toFixed(1)}%`);
const num = (value: number | null | undefined) => (value === null || value === undefined ? '—' : value.toFixed(3));

/** The report for a person: what was stored, and the cross-validated numbers. */
export function formatReport(stored: StoredDistilled): string {
  const { report } = stored;
  const lines = [
    `distilled judge ${stored.name} ${stored.version} stored (${report.rows} rows, ${report.features.kind} features over ${report.features.columns.join(', ')}, ${report.features.used} used)`,
    `${report.folds}-fold cross-validation (seed ${report.seed}): every row scored by a model that did not see it`,
  ];
  const agreement = (label: string, a: typeof report.agreement.labels | undefined) => {
    if (!a) return;
    const ci = (name: 'accuracy' | 'cohen_kappa') => (a.ci[name] ? ` [${num(a.ci[name][0])}, ${num(a.ci[name][1])}]` : '');
    lines.push(
      `  vs ${label.padEnd(16)} n=${String(a.n).padEnd(6)} accuracy ${num(a.statistics.accuracy)}${ci('accuracy')}  κ ${num(a.statistics.cohen_kappa)}${ci('cohen_kappa')}`,
    );
  };
  agreement('training labels', report.agreement.labels);
  agreement('human labels', report.agreement.human);
  agreement('LLM judge labels', report.agreement.llm);
  lines.push(
    `calibration: temperature ${report.calibration.temperature.toFixed(3)}, expected calibration error ${num(report.calibration.ece)} (${num(report.calibration.ece_before)} before)`,
    '  confidence   rows   mean conf.  accuracy',
    ...report.calibration.reliability
      .filter((bin) => bin.count > 0)
      .map(
        (bin) =>
          `  ${bin.low.toFixed(1)}–${bin.high.toFixed(1)}    ${String(bin.count).padStart(5)}   ${num(bin.confidence).padStart(9)}  ${pct(bin.accuracy).padStart(8)}`,
      ),
    'a cascade would keep (rows at or above the confidence, and their accuracy):',
    ...report.coverage.map((c) => `  min_confidence ${c.min_confidence.toFixed(2)}: ${pct(c.share)} of rows, accuracy ${pct(c.accuracy)}`),
    `use it: - { metric: distilled, judge: ${stored.name}, version: ${stored.version} }`,
  );
  return `${lines.join('\n')}\n`;
}
