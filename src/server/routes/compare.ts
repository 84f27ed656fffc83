/**
 * Comparing two runs: `GET /api/runs/compare` (paired statistics per metric, src/compare/runs.ts)
 * and `POST /api/runs/compare/pairwise` (a pairwise judge over each row's two outputs, as a job of
 * kind `pairwise`; `GET /api/runs/compare/pairwise/:id` reads it back with its report).
 */
import type { FastifyInstance } from 'fastify';
import { loadRunPairs, requirePairwise, storedPairwiseComparison } from '../../compare/pairwise.js';
import { compareRuns } from '../../compare/runs.js';
import type { PairwisePayload } from '../../jobs/handlers/pairwise.js';
import type { Judge } from '../../judges/definition.js';
import { judgeFromConfig, judgeToConfig } from '../../judges/serialize.js';
import { JurorError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { route } from '../route.js';
import { idParams } from '../schemas/common.js';
import {
  compareQuery,
  pairwiseBody,
  pairwiseResult,
  pairwiseStarted,
  runComparison,
  type PairwiseBody,
  type PairwiseResult,
  type PairwiseStarted,
} from '../schemas/compare.js';

export function compareRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'GET',
    url: '/api/runs/compare',
    summary: 'Compares run b with run a on the same dataset, metric by metric, with paired statistics',
    description:
      'For each metric both runs scored, rows scored in both are paired by row index: mean A, mean B, the difference B − A with a 95% paired-bootstrap interval, McNemar (1/0 and yes/no metrics) or Wilcoxon signed-rank (others), and a verdict: "B is better", "B is worse" or "not distinguishable" (p < 0.05, in the direction the metric prefers; "B is higher/lower" when neither is better). Runs of different datasets are a 400.',
    tags: ['runs'],
    query: compareQuery,
    response: runComparison,
    errors: [404],
    handler: async ({ query }) => {
      await requireRuns(ctx, query.a, query.b);
      return compareRuns(ctx.store, query.a, query.b, { seed: query.seed, resamples: query.resamples });
    },
  });

  route(app, {
    method: 'POST',
    url: '/api/runs/compare/pairwise',
    summary: "Judges run b's outputs against run a's with a pairwise judge, each row in both orders, as a job",
    description:
      'The judge is a stored judge (its newest version) or a definition: a judge_prompt with {response_a} and {response_b}, or a rubric judge with pairwise: true. The runs, their outputs and the judge are checked first (a 400 names the field; nothing is created). Follow the job with GET /api/runs/compare/pairwise/:id, which gives the report once it completed.',
    tags: ['runs'],
    body: pairwiseBody,
    status: 202,
    response: pairwiseStarted,
    errors: [404],
    handler: ({ body }) => startPairwise(ctx, body),
  });

  route(app, {
    method: 'GET',
    url: '/api/runs/compare/pairwise/:id',
    summary: 'A pairwise comparison job: its status and, once completed, win / loss / tie rates, consistency and first-position preference',
    tags: ['runs'],
    params: idParams,
    response: pairwiseResult,
    errors: [404],
    handler: async ({ params }): Promise<PairwiseResult> => {
      const job = await ctx.runner.get(params.id);
      if (!job || job.kind !== 'pairwise') throw notFound('pairwise comparison', params.id, 'id');
      const payload = job.payload as PairwisePayload;
      const progress = ctx.runner.liveProgress(job.id) ?? job.progress ?? undefined;
      const report =
        job.status === 'completed' && job.run_id
          ? await storedPairwiseComparison(ctx.store, payload.a, payload.b, judgeFromConfig(payload.judge), job.run_id, payload.seed)
          : null;
      return {
        job_id: job.id,
        status: job.status,
        error: job.error,
        ...(progress !== undefined ? { progress } : {}),
        a: payload.a,
        b: payload.b,
        report,
      };
    },
  });
}

/** Both runs exist, or a 404 naming the one that does not. */
async function requireRuns(ctx: ServerContext, a: string, b: string): Promise<void> {
  if (!(await ctx.runs.state(a))) throw notFound('run', a, 'a');
  if (!(await ctx.runs.state(b))) throw notFound('run', b, 'b');
}

/** Checks the runs, their outputs and the judge, then starts the `pairwise` job and answers once its run exists. */
async function startPairwise(ctx: ServerContext, body: PairwiseBody): Promise<PairwiseStarted> {
  await requireRuns(ctx, body.a, body.b);
  const judge = await judgeOf(ctx, body.judge);
  try {
    requirePairwise(judge, 'judge');
    const { pairs, skipped } = await loadRunPairs(ctx.store, body.a, body.b);
    const payload: PairwisePayload = {
      a: body.a,
      b: body.b,
      judge: judgeToConfig(judge),
      ...(body.judge_model ? { judge_model: body.judge_model } : {}),
      seed: body.seed,
    };
    const job = await ctx.runner.start('pairwise', payload, { awaitRun: true });
    return { job_id: job.id, run_id: job.run_id!, judge: { name: judge.name, version: judge.version }, pairs: pairs.length, skipped };
  } catch (error) {
    if (error instanceof JurorError && (error.kind === 'config' || error.kind === 'input')) {
      const field = error.where.field?.startsWith('judge') ? 'judge' : error.where.field === 'b' ? 'b' : undefined;
      throw new ApiError(400, error.message, { ...(field ? { field } : {}), ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}

/** A stored judge by name (its newest version), or a definition given inline. */
async function judgeOf(ctx: ServerContext, spec: PairwiseBody['judge']): Promise<Judge> {
  if (typeof spec === 'string') {
    const stored = await ctx.store.judges.latest(spec);
    if (!stored) throw notFound('judge', spec, 'judge');
    return stored.judge;
  }
  try {
    return judgeFromConfig(spec, 'judge');
  } catch (error) {
    if (error instanceof JurorError) {
      throw new ApiError(400, error.message, { field: error.where.field ?? 'judge', ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}
