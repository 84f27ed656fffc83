/**
 * Every `/api/judges` route: the stored judges with their versions, a judge's agreement history,
 * checking a version against human labels (align), and auditing a version for biases (audit). The
 * work is done by src/judges, src/align and src/audit; these handlers parse, call and serialize.
 */
import type { FastifyInstance } from 'fastify';
import { JurorError, NotFoundError } from '../../errors.js';
import { planAlignment, type AlignPayload } from '../../jobs/handlers/align.js';
import { planAudit, type AuditPayload } from '../../jobs/handlers/audit.js';
import type { Estimate } from '../../audit/statistics.js';
import { AuditRepository } from '../../store/audits.js';
import { judgeToConfig } from '../../judges/serialize.js';
import { versionOrder } from '../../judges/versions.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { auditBody, auditResponse, judgeAudits, type AuditBody, type AuditResponse, type JudgeAudits } from '../schemas/audits.js';
import { judgesList } from '../schemas/catalog.js';
import {
  alignBody,
  alignResponse,
  judgeAgreementHistory,
  judgeNameParams,
  type AlignBody,
  type AlignResponse,
  type JudgeAgreementHistory,
} from '../schemas/label-jobs.js';

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
        versions: group.versions.map(({ definition, ...version }) => ({ ...version, definition: judgeToConfig(definition) })),
      })),
    }),
  });

  route(app, {
    method: 'GET',
    url: '/api/judges/:name/agreement',
    summary:
      "A judge's agreement with human labels over time, one series per version (every computation of GET /api/label-jobs/:id/agreement)",
    tags: ['judges'],
    params: judgeNameParams,
    response: judgeAgreementHistory,
    errors: [404],
    handler: async ({ params }) => {
      if (!(await ctx.store.judges.exists(params.name)))
        throw new NotFoundError(`no judge '${params.name}'`, { where: { field: 'name' }, hint: 'list judges with GET /api/judges' });
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
    summary:
      "Checks a judge version against a dataset's human labels: judges the labelled rows as a run of experiment align, then stores the agreement under the version",
    description:
      'The human labels are a column of the uploaded file (human_col) or the labels people gave in a label job of the dataset (label_job; by default its label job of this judge). Every label, the judge and its model are checked first (a 400 names the field; nothing is created). Follow the job with GET /api/jobs/:id; the agreement then appears in GET /api/judges/:name/agreement with its run_id.',
    tags: ['judges'],
    params: judgeNameParams,
    body: alignBody,
    status: 202,
    response: alignResponse,
    errors: [404],
    handler: ({ params, body }) => startAlignment(ctx, params.name, body),
  });

  route(app, {
    method: 'POST',
    url: '/api/judges/:name/audit',
    summary:
      'Audits a judge version for biases: judges the rows and perturbed copies of them (verbosity, authority/style, injection), samples it again at a temperature (self-consistency), then stores the audit under the version',
    description:
      'The perturbations are those of the built-in probe suite. The judge, the dataset, the response column and any human labels (human_col) are checked first (a 400 names the field; nothing is created). Follow the job with GET /api/jobs/:id; the audit then appears in GET /api/judges/:name/audits.',
    tags: ['judges'],
    params: judgeNameParams,
    body: auditBody,
    status: 202,
    response: auditResponse,
    errors: [404],
    handler: ({ params, body }) => startAudit(ctx, params.name, body),
  });

  route(app, {
    method: 'GET',
    url: '/api/judges/:name/audits',
    summary: "A judge's audits, oldest first, each under its version with its headline numbers and its whole report",
    tags: ['judges'],
    params: judgeNameParams,
    response: judgeAudits,
    errors: [404],
    handler: async ({ params }): Promise<JudgeAudits> => {
      if (!(await ctx.store.judges.exists(params.name)))
        throw new NotFoundError(`no judge '${params.name}'`, { where: { field: 'name' }, hint: 'list judges with GET /api/judges' });
      const audits = await new AuditRepository(ctx.store).ofJudge(params.name);
      return { name: params.name, audits: audits.map((audit) => ({ ...audit, summary: auditSummary(audit.report) })) };
    },
  });
}

/** The headline numbers of a stored report (`AuditReport` of src/audit/audit.ts). */
function auditSummary(report: Record<string, unknown>): JudgeAudits['audits'][number]['summary'] {
  const at = (...path: string[]): Estimate | null => {
    let value: unknown = report;
    for (const key of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value && typeof value === 'object' && 'value' in value ? (value as Estimate) : null;
  };
  const pick = (e: Estimate | null) => (e ? { value: e.value, ci: e.ci } : null);
  return {
    verbosity_shift: pick(at('verbosity', 'overall', 'mean_shift')),
    authority_shift: pick(at('authority', 'overall', 'mean_shift')),
    injection_flip_rate: pick(at('injection', 'overall', 'flip_rate')),
    consistency_alpha: pick(at('consistency', 'alpha')),
    consistency_change_rate: pick(at('consistency', 'change_rate')),
    position_consistency: pick(at('position', 'consistency')),
    first_position: pick(at('position', 'first_position')),
  };
}

/**
 * Plans the audit (src/audit: a bad request is a Juror error naming its field), then starts it as
 * an `audit` job (src/jobs/handlers/audit.ts), its version pinned, and answers once its run exists.
 */
async function startAudit(ctx: ServerContext, name: string, body: AuditBody): Promise<AuditResponse> {
  const { plan, judgeId } = await planAudit(ctx.store, ctx.dataDir, { name, audit: body });
  try {
    const payload: AuditPayload = { name, audit: { ...body, judge_id: judgeId } };
    const job = await ctx.runner.start('audit', payload, { awaitRun: true });
    return {
      job_id: job.id,
      run_id: job.run_id!,
      judge: { id: judgeId, name: plan.judge.name, version: plan.judge.version },
      rows: plan.records.length,
    };
  } catch (error) {
    if (error instanceof JurorError && (error.kind === 'config' || error.kind === 'input')) {
      const field = ['judge_model', 'col_mapping'].find((f) => error.where.field?.startsWith(f));
      throw new ApiError(400, error.message, { ...(field ? { field } : {}), ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}

/**
 * Plans the check (src/align: a bad request is a Juror error naming its field), then starts it as
 * an `align` job (src/jobs/handlers/align.ts), its version pinned, and answers once its run exists.
 */
async function startAlignment(ctx: ServerContext, name: string, body: AlignBody): Promise<AlignResponse> {
  const { judge, judgeId, labelled } = await planAlignment(ctx.store, ctx.dataDir, { name, check: body });
  try {
    const payload: AlignPayload = { name, check: { ...body, judge_id: judgeId } };
    const job = await ctx.runner.start('align', payload, { awaitRun: true });
    return {
      job_id: job.id,
      run_id: job.run_id!,
      judge: { id: judgeId, name: judge.name, version: judge.version },
      rows: labelled.records.length,
    };
  } catch (error) {
    // The run's config errors name engine options; the request's fields are judge_model and col_mapping.
    if (error instanceof JurorError && (error.kind === 'config' || error.kind === 'input')) {
      const field = ['judge_model', 'col_mapping'].find((f) => error.where.field?.startsWith(f));
      throw new ApiError(400, error.message, { ...(field ? { field } : {}), ...(error.hint ? { hint: error.hint } : {}) });
    }
    throw error;
  }
}
