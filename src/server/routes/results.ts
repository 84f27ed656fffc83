/**
 * A run's results: `GET /api/runs/:id/results` (paged, filtered and sorted in SQL) and
 * `GET /api/runs/:id/results/:row` (one row with each judge's prompt as sent and raw answer).
 */
import type { FastifyInstance } from 'fastify';
import type { ResultsQuery as StoreQuery } from '../../store/results-page.js';
import type { ServerContext } from '../context.js';
import type { Panel } from '../../judges/jury.js';
import { ApiError, notFound } from '../errors.js';
import { route } from '../route.js';
import { idParams } from '../schemas/common.js';
import { resultRow, resultsPage, resultsQuery, rowParams } from '../schemas/results.js';

export function resultRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'GET',
    url: '/api/runs/:id/results',
    summary: "A page of a run's rows with every metric's value, label, justification and error",
    description:
      'Dataset order by default. `sort=<metric>` orders by its value ascending (ties in dataset order); `sort=-<metric>` is the exact reverse; rows without a value come last either way.',
    tags: ['results'],
    params: idParams,
    query: resultsQuery,
    response: resultsPage,
    errors: [404],
    handler: async ({ params, query }) => {
      const state = await ctx.runs.state(params.id);
      if (!state) throw notFound('run', params.id);
      const metrics = await ctx.results.metrics(params.id);
      const metric = query.metric === undefined ? undefined : resolveMetric(query.metric, metrics, 'metric');
      if (query.max_score !== undefined && !metric) {
        throw new ApiError(400, 'max_score needs metric: the metric whose value is compared', {
          field: 'max_score',
          hint: `add &metric=<one of ${metrics.join(', ') || 'the run’s metrics'}>`,
        });
      }
      const sort =
        query.sort === undefined
          ? undefined
          : { metric: resolveMetric(query.sort.replace(/^-/, ''), metrics, 'sort'), descending: query.sort.startsWith('-') };
      const q: StoreQuery = {
        offset: query.offset,
        limit: query.limit,
        ...(metric ? { metric } : {}),
        ...(query.max_score !== undefined ? { maxScore: query.max_score } : {}),
        ...(query.errors_only ? { errorsOnly: true } : {}),
        ...(sort ? { sort } : {}),
      };
      // A run that is not running no longer changes: its counts can be reused between pages.
      const version = state.status === 'running' ? undefined : `${state.status}:${state.finished_at}`;
      const { total, rowIndexes } = await ctx.results.rowIndexes(params.id, q, version);
      const rows = await ctx.results.rows(params.id, rowIndexes, metrics);
      return { run_id: params.id, total, offset: query.offset, limit: query.limit, metrics, rows };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/runs/:id/results/:row',
    summary: "One row of a run with each metric's judge prompt as sent (system and user), raw answer and per-chunk details",
    tags: ['results'],
    params: rowParams,
    response: resultRow,
    errors: [404],
    handler: async ({ params }) => {
      if (!(await ctx.runs.state(params.id))) throw notFound('run', params.id);
      const row = await ctx.results.row(params.id, params.row, await ctx.results.metrics(params.id));
      if (!row)
        throw new ApiError(404, `run ${params.id} has no row ${params.row}`, {
          field: 'row',
          hint: 'rows are numbered from 0 in dataset order; a running run has only its finished rows',
        });
      return {
        run_id: params.id,
        row_index: row.row_index,
        record: row.record,
        outputs: row.outputs,
        model_error: row.model_error,
        model_latency_ms: row.model_latency_ms,
        model_input_tokens: row.model_input_tokens,
        model_output_tokens: row.model_output_tokens,
        results: row.results.map((r) => ({
          metric: r.metric,
          value: r.value,
          score: r.score,
          label: r.label,
          justification: r.justification,
          error: r.error,
          raw: r.raw,
          details: r.details === null ? null : (JSON.parse(r.details) as unknown),
          panel: r.panel ? (JSON.parse(r.panel) as Panel) : null,
          prompt: { system: r.system_prompt, user: r.prompt },
          input_tokens: r.input_tokens,
          output_tokens: r.output_tokens,
          cost_usd: r.cost_usd,
          latency_ms: r.latency_ms,
        })),
      };
    },
  });
}

/** A metric of the run by its key (`name/version`), or by its name when only one version of it is there. */
function resolveMetric(given: string, metrics: string[], field: string): string {
  if (metrics.includes(given)) return given;
  const byName = metrics.filter((m) => m.slice(0, m.lastIndexOf('/')) === given);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1)
    throw new ApiError(400, `${field}: '${given}' names several versions: ${byName.join(', ')}`, {
      field,
      hint: 'give the metric as name/version',
    });
  throw new ApiError(400, `${field}: the run has no metric '${given}'`, {
    field,
    hint: metrics.length ? `use one of: ${metrics.join(', ')}` : 'the run has no results yet',
  });
}
