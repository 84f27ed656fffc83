/**
 * Starting an evaluation over the API: the config (as JSON, without `data`) is checked exactly as
 * the CLI checks a YAML file — the config schema and judges first, then every check `evaluate()`
 * makes before its first call — so a bad config is a 400 naming the field and nothing is created.
 * The evaluation is a job (src/jobs/handlers/evaluate.ts); the answer is sent once its run exists,
 * with the run and job ids.
 */
import { join } from 'node:path';
import { judgeFieldByIndex } from '../config/from-object.js';
import type { JurorConfig } from '../config/schema.js';
import { JurorError } from '../errors.js';
import { evaluationOptions, type EvaluatePayload } from '../jobs/handlers/evaluate.js';
import type { ServerContext } from './context.js';
import { ApiError, notFound } from './errors.js';
import type { CreateRunBody, CreateRunResponse } from './schemas/runs.js';

/** Checks the request, starts the evaluation as an `evaluate` job, and answers once its run exists. */
export async function startEvaluation(ctx: ServerContext, body: CreateRunBody): Promise<CreateRunResponse> {
  const dataset = await ctx.datasets.get(body.dataset_id);
  if (!dataset) throw notFound('dataset', body.dataset_id, 'dataset_id');
  if ('data' in body.config) {
    throw new ApiError(400, 'config.data is not allowed: the data is the uploaded dataset named by dataset_id', {
      field: 'config.data',
      hint: 'remove `data` from the config',
    });
  }
  refuseServerSideEffects(body.config, ctx.allowConfigEndpoints);
  // The stored config holds every threshold, so that GET /api/runs/:id checks them as `juror eval` does.
  const payload: EvaluatePayload = { dataset_id: dataset.id, config: withThresholds(body) };
  let config: JurorConfig | undefined;
  let file = join(ctx.dataDir, dataset.file);
  try {
    // Checked here too, so that a bad config is answered with its field before any job exists.
    ({
      checked: { config },
      file,
    } = await evaluationOptions(ctx.store, ctx.dataDir, payload, ctx.env));
    const job = await ctx.runner.start('evaluate', payload, { awaitRun: true });
    return { run_id: job.run_id!, job_id: job.id };
  } catch (error) {
    throw configProblem(error, config, file, dataset.original_name, Object.keys(body.thresholds ?? {}));
  }
}

/** The config with the request's own `thresholds` added to its `thresholds:`; a key in both is a 400. */
function withThresholds(body: CreateRunBody): Record<string, unknown> {
  if (!body.thresholds) return body.config;
  const inConfig = body.config.thresholds;
  const own = inConfig && typeof inConfig === 'object' && !Array.isArray(inConfig) ? (inConfig as Record<string, unknown>) : {};
  for (const key of Object.keys(body.thresholds)) {
    if (key in own) {
      throw new ApiError(400, `thresholds.${key} is also given in config.thresholds`, {
        field: `thresholds.${key}`,
        hint: 'give each threshold once, in thresholds or in config.thresholds',
      });
    }
  }
  return { ...body.config, thresholds: { ...own, ...body.thresholds } };
}

/**
 * A config sent over HTTP runs on the server, with the server's keys and files: it may not load
 * code (`metric: code`), read server folders (`local_path`), or send the server's keys to an
 * address of its own choosing (`endpoints`, unless the server allows it). Fields are named under
 * `prefix` (a run's config is `config.`; a monitor's metrics are at the top of its body).
 */
export function refuseServerSideEffects(config: Record<string, unknown>, allowEndpoints: boolean, prefix = 'config.'): void {
  if (config.endpoints !== undefined && !allowEndpoints) {
    throw new ApiError(
      400,
      `${prefix}endpoints is not allowed over the API: it would send the server's provider keys to an address the request chooses`,
      {
        field: `${prefix}endpoints`,
        hint: 'use the providers the server is configured for, or start the server with --allow-config-endpoints',
      },
    );
  }
  for (const key of ['metrics', 'extra_metrics'] as const) {
    const list = Array.isArray(config[key]) ? (config[key] as unknown[]) : [];
    list.forEach((entry, i) => {
      if (!entry || typeof entry !== 'object') return;
      const field = `${prefix}${key}[${i}]`;
      if ((entry as { metric?: unknown }).metric === 'code') {
        throw new ApiError(400, `${field}: code metrics cannot be run over the API (they would run a module on the server)`, {
          field,
          hint: 'run code metrics with the CLI or the TypeScript API',
        });
      }
      if ('local_path' in entry) {
        throw new ApiError(400, `${field}.local_path is not allowed over the API (it reads a folder on the server)`, {
          field: `${field}.local_path`,
          hint: 'use a model id the server can load, or run with the CLI',
        });
      }
    });
  }
}

/**
 * A config or data error, its field placed under `config.` (or at `dataset_id` for the data; a
 * threshold of the request's own `thresholds`, whose keys are `ownThresholds`, stays `thresholds.<key>`).
 */
function configProblem(
  error: unknown,
  config: JurorConfig | undefined,
  file: string,
  originalName: string,
  ownThresholds: string[],
): unknown {
  if (!(error instanceof JurorError) || (error.kind !== 'config' && error.kind !== 'input')) return error;
  const inConfig = error.where.field && config ? judgeFieldByIndex(error.where.field, config) : error.where.field;
  const own = ownThresholds.some((key) => inConfig === `thresholds.${key}`);
  const field =
    error.where.file === file || error.where.field === 'data'
      ? 'dataset_id'
      : inConfig
        ? own
          ? inConfig
          : `config.${inConfig}`
        : 'config';
  let message = error.message.replaceAll(file, originalName);
  // Name the field as the request does: `metrics[0] is …` becomes `config.metrics[0] is …`.
  const named = [inConfig, error.where.field].find((f) => f && message.startsWith(f));
  if (named) message = field + message.slice(named.length);
  else if (!message.includes(field)) message = `${field}: ${message}`;
  return new ApiError(400, message, { field, ...(error.hint ? { hint: error.hint } : {}) });
}
