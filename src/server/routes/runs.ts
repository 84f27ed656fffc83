/** Runs: `GET /api/runs`, `GET/DELETE /api/runs/:id`, and `POST /api/runs` to start one. */
import type { FastifyInstance } from 'fastify';
import { checkThresholds, parseThresholds, runPassed } from '../../engine/thresholds.js';
import { FINAL_JOB_STATUSES } from '../../jobs/types.js';
import { judgeToConfig } from '../../judges/serialize.js';
import type { RunDetails } from '../../store/store.js';
import type { RunSummary as StoredRun } from '../../store/run-queries.js';
import type { ServerContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { startEvaluation } from '../evaluations.js';
import { route } from '../route.js';
import { idParams } from '../schemas/common.js';
import {
  createRunBody,
  createRunResponse,
  deleteRunQuery,
  deleteRunResponse,
  runDetail,
  runsList,
  runsQuery,
  type MetricInfo,
  type RunDetail,
  type RunSummary,
} from '../schemas/runs.js';
import { servedMetricInfo } from '../run-metric-info.js';

export function runRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'GET',
    url: '/api/runs',
    summary: 'Runs, newest first, with their aggregates',
    tags: ['runs'],
    query: runsQuery,
    response: runsList,
    handler: async ({ query }) => {
      const { runs, total } = await ctx.runs.runs({
        ...(query.experiment ? { experiment: query.experiment } : {}),
        ...(query.status ? { status: query.status } : {}),
        limit: query.limit,
        offset: query.offset,
      });
      // Only runs stored without metric info (older, or still running) need their judges read.
      const infos = await Promise.all(
        runs.map(async (run) =>
          run.metric_info ? servedMetricInfo({ ...run, judges: [], perMetric: [] }) : servedMetricInfo(await ctx.store.getRun(run.id)),
        ),
      );
      return { runs: runs.map((run, i) => toRunSummary(run, infos[i]!)), total, limit: query.limit, offset: query.offset };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/runs/:id',
    summary: 'A run: config, judges with their system prompts, aggregates, per-metric counts, cost, timings and dataset',
    tags: ['runs'],
    params: idParams,
    response: runDetail,
    errors: [404],
    handler: async ({ params }) => {
      if (!(await ctx.runs.state(params.id))) throw notFound('run', params.id);
      const [run, metricNames, job] = await Promise.all([
        ctx.store.getRun(params.id),
        ctx.results.metrics(params.id),
        ctx.jobs.latestForRun(params.id),
      ]);
      const config = JSON.parse(run.config) as unknown;
      return {
        ...toRunSummary(run, servedMetricInfo(run, metricNames)),
        ...verdict(run, config),
        config,
        judges: run.judges.map((j) => ({
          metric: j.metric,
          name: j.definition.name,
          version: j.definition.version,
          definition: judgeToConfig(j.definition),
          system_prompt: j.systemPrompt,
        })),
        metric_names: metricNames,
        per_metric: run.perMetric.map(({ run_id: _run, ...counts }) => ({
          ...counts,
          input_tokens: Number(counts.input_tokens),
          output_tokens: Number(counts.output_tokens),
        })),
        job: job ? { id: job.id, status: job.status } : null,
      };
    },
  });

  route(app, {
    method: 'DELETE',
    url: '/api/runs/:id',
    summary: 'Deletes a run with its rows, results and aggregates',
    tags: ['runs'],
    description:
      'A run still being evaluated is a 409: cancel its job first. A run left `running` by a process that is gone needs `force=true`.',
    params: idParams,
    query: deleteRunQuery,
    response: deleteRunResponse,
    errors: [404, 409],
    handler: async ({ params, query }) => {
      const job = await ctx.jobs.latestForRun(params.id);
      if (job && !FINAL_JOB_STATUSES.includes(job.status))
        throw new ApiError(409, `run ${params.id} is being evaluated by job ${job.id}`, {
          hint: `cancel it first: POST /api/jobs/${job.id}/cancel`,
        });
      const state = await ctx.runs.state(params.id);
      if (!state) throw notFound('run', params.id);
      if (state.status === 'running' && !query.force) {
        throw new ApiError(
          409,
          `run ${params.id} is running, perhaps in a \`juror eval\` elsewhere: deleting it would break that evaluation`,
          {
            hint: `stop that process first; if it is gone, delete with DELETE /api/runs/${params.id}?force=true`,
          },
        );
      }
      if (!(await ctx.runs.deleteRun(params.id))) throw notFound('run', params.id);
      return { id: params.id, deleted: true as const };
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/runs',
    summary: 'Starts an evaluation of an uploaded dataset in the background',
    description:
      'The config is the YAML config as JSON, without `data`. It is checked as `juror eval` checks a file (a bad one is a 400 naming the field, and nothing is created); the run exists when the answer is sent. Follow the job with GET /api/jobs/:id.',
    tags: ['runs'],
    body: createRunBody,
    status: 202,
    response: createRunResponse,
    errors: [404],
    handler: async ({ body }) => startEvaluation(ctx, body),
  });
}

/**
 * The run as a CI gate, as `juror eval` reports it: the config's thresholds checked against the
 * stored metrics, and whether it passed — undecided (null) while it runs.
 */
function verdict(run: RunDetails, config: unknown): Pick<RunDetail, 'thresholds' | 'passed'> {
  const specs = config && typeof config === 'object' ? (config as { thresholds?: Record<string, string | number> }).thresholds : undefined;
  const running = run.status === 'running';
  // Checked when the run started (POST /api/runs, juror eval, evaluate()), so they parse.
  const thresholds = checkThresholds(parseThresholds(specs), run.metrics);
  const failedMetrics = run.perMetric.filter((m) => Number(m.rows_scored) === 0 && Number(m.error_count) > 0).map((m) => m.metric);
  return {
    thresholds: thresholds.map((t) => ({
      key: t.key,
      op: t.op,
      value: t.value,
      actual: running ? null : (t.actual ?? null),
      passed: running ? null : t.passed,
    })),
    passed: running ? null : runPassed({ finished: run.status === 'finished', failedMetrics, thresholds }),
  };
}

/** A stored run in the API's shape, with its metrics' info. */
export function toRunSummary(run: StoredRun, metricInfo: MetricInfo[]): RunSummary {
  const dataset = JSON.parse(run.dataset) as {
    id?: string;
    name?: string;
    path?: string;
    format?: string;
    hash?: string;
    rowCount?: number;
    columns?: string[];
  };
  return {
    id: run.id,
    name: run.name,
    experiment: run.experiment,
    status: run.status,
    started_at: run.started_at,
    finished_at: run.finished_at,
    duration_ms: run.finished_at ? Date.parse(run.finished_at) - Date.parse(run.started_at) : null,
    row_count: Number(run.row_count),
    rows_done: Number(run.rows_done),
    error_count: Number(run.error_count),
    input_tokens: Number(run.input_tokens),
    output_tokens: Number(run.output_tokens),
    cost_usd: run.cost_usd,
    error: run.error,
    metrics: run.metrics,
    metric_info: metricInfo,
    dataset: {
      ...(dataset.id !== undefined ? { id: dataset.id } : {}),
      ...(dataset.name !== undefined ? { name: dataset.name } : {}),
      ...(dataset.path !== undefined ? { path: dataset.path } : {}),
      ...(dataset.format !== undefined ? { format: dataset.format } : {}),
      ...(dataset.hash !== undefined ? { hash: dataset.hash } : {}),
      ...(dataset.rowCount !== undefined ? { row_count: dataset.rowCount } : {}),
      ...(dataset.columns !== undefined ? { columns: dataset.columns } : {}),
    },
  };
}
