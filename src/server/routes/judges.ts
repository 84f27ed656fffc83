/**
 * Every `/api/judges` route: the stored judges with their versions, a judge's agreement history,
 * and checking a version against human labels (align). The work is done by src/judges and
 * src/align; these handlers parse, call and serialize.
 */
import type { FastifyInstance } from 'fastify';
import { planStoredCheck } from '../../align/stored-check.js';
import { compareRun, recordAlignment } from '../../align/check.js';
import { JurorError, NotFoundError } from '../../errors.js';
import { judgeToConfig } from '../../judges/serialize.js';
import { versionOrder } from '../../judges/versions.js';
import { judgeMetric } from '../../metrics/judge-metric.js';
import { metricKey } from '../../metrics/metric.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { recordDataset } from '../evaluations.js';
import { route } from '../route.js';
import { judgesList } from '../schemas/catalog.js';
import { alignBody, alignResponse, judgeAgreementHistory, judgeNameParams, type AlignBody, type AlignResponse, type JudgeAgreementHistory } from '../schemas/label-jobs.js';

/** Registers the `/api/judges` routes. */
export function judgeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'GET',
    url: '/api/judges',
    summary: 'Every judge definition ever used, grouped by name with its versions (examples included)',
    tags: ['judges'],
    response: judgesList,
    handler: async () => ({
      judges: (await ctx.store.judges.all()).map((group) => ({
        name: group.name,
        versions: group.versions.map(({ definition, ...version }) => ({ ...version, definition: judgeToConfig(definition) as unknown as Record<string, unknown> })),
      })),
    }),
  });

  route(app, {
    method: 'GET',
    url: '/api/judges/:name/agreement',
    summary: "A judge's agreement with human labels over time, one series per version (every computation of GET /api/label-jobs/:id/agreement)",
    tags: ['judges'],
    params: judgeNameParams,
    response: judgeAgreementHistory,
    errors: [404],
    handler: async ({ params }) => {
      if (!(await ctx.store.judges.exists(params.name))) throw new NotFoundError(`no judge '${params.name}'`, { where: { field: 'name' }, hint: 'list judges with GET /api/judges' });
      const series = new Map<string, JudgeAgreementHistory['series'][number]>();
      for (const entry of await ctx.labeling.agreements.ofJudge(params.name)) {
        const s = series.get(entry.judge_id) ?? { version: entry.version, judge_id: entry.judge_id, points: [] };
        s.points.push({
          computed_at: entry.created_at,
          n: entry.n,
          dataset_id: entry.dataset_id,
          label_job_id: entry.label_job_id,
          run_id: entry.run_id,
          statistics: (entry.stats.statistics ?? {}) as Record<string, number | null>,
        });
        series.set(entry.judge_id, s);
      }
      return { name: params.name, series: [...series.values()].sort((a, b) => versionOrder(a.version, b.version)) };
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/judges/:name/align',
    summary: "Checks a judge version against a dataset's human labels: judges the labelled rows as a run of experiment align, then stores the agreement under the version",
    description:
      "The human labels are a column of the uploaded file (human_col) or the labels people gave in a label job of the dataset (label_job; by default its label job of this judge). Every label, the judge and its model are checked first (a 400 names the field; nothing is created). Follow the job with GET /api/jobs/:id; the agreement then appears in GET /api/judges/:name/agreement with its run_id.",
    tags: ['judges'],
    params: judgeNameParams,
    body: alignBody,
    status: 202,
    response: alignResponse,
    errors: [404],
    handler: ({ params, body }) => startAlignment(ctx, params.name, body),
  });
}

/**
 * Plans the check (src/align: a bad request is a Juror error naming its field), then judges the
 * labelled rows as a background run; when it finishes, the agreement is compared and stored.
 */
async function startAlignment(ctx: ServerContext, name: string, body: AlignBody): Promise<AlignResponse> {
  const { judge, judgeId, dataset, scheme, labelled } = await planStoredCheck(ctx, name, body);
  const metric = judgeMetric(judge);
  const key = metricKey(metric);
  const options = {
    data: labelled.records,
    metrics: [metric],
    ...(body.col_mapping ? { colMapping: body.col_mapping } : {}),
    ...(body.judge_model ? { judgeModel: body.judge_model } : {}),
    experiment: 'align',
    cache: body.cache,
    runName: `align-${judge.name}-${judge.version}`,
    config: { command: 'align', judge: judgeToConfig(judge), dataset_id: dataset.id, human_col: body.human_col ?? null, col_mapping: body.col_mapping ?? {}, judge_model: body.judge_model ?? null, threshold: body.threshold ?? null, seed: body.seed, cache: body.cache },
    env: ctx.env,
  };
  try {
    const { runId, jobId } = await ctx.runner.startEvaluation(options, labelled.records.length, (id) => recordDataset(ctx, id, dataset, { labelled_rows: labelled.rows.length }), {
      collectTable: true,
      onFinished: async (result) => {
        const report = compareRun(result, key, scheme, labelled.labels, { seed: body.seed });
        await recordAlignment(ctx.store, { judge, runId: result.runId, dataHash: dataset.hash, datasetId: dataset.id, report });
      },
    });
    return { job_id: jobId, run_id: runId, judge: { id: judgeId, name: judge.name, version: judge.version }, rows: labelled.records.length };
  } catch (error) {
    // The run's config errors name engine options; the request's fields are judge_model and col_mapping.
    if (error instanceof JurorError && (error.kind === 'config' || error.kind === 'input')) {
      const field = ['judge_model', 'col_mapping'].find((f) => error.where.field?.startsWith(f));
      throw new ApiError(400, error.message, { ...(field ? { field } : {}), ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}
