/** Datasets: upload (multipart) or save interactions as one, list, show with a preview, and download as CSV or JSON Lines. */
import type { FastifyInstance } from 'fastify';
import { previewRows, storedFile, storeInteractions } from '../../datasets/index.js';
import type { DatasetRecord } from '../../store/datasets.js';
import { MonitorRepository } from '../../store/monitors.js';
import type { ServerContext } from '../context.js';
import { exportFile } from '../datasets/files.js';
import { downloadLabels } from '../datasets/labels.js';
import { formatBytes, receiveDataset } from '../datasets/upload.js';
import { ApiError, notFound } from '../errors.js';
import { route } from '../route.js';
import { errorBody, idParams } from '../schemas/common.js';
import {
  dataset,
  datasetDetail,
  datasetsList,
  datasetsQuery,
  downloadQuery,
  fromInteractionsBody,
  uploadBody,
  type Dataset,
} from '../schemas/datasets.js';

const PREVIEW_ROWS = 20;

export function datasetRoutes(app: FastifyInstance, ctx: ServerContext): void {
  route(app, {
    method: 'POST',
    url: '/api/datasets',
    summary: 'Uploads a dataset (CSV, JSONL, JSON or Parquet) as multipart/form-data',
    description: `The file is validated end to end (a malformed file is a 400 naming the line) and kept only when valid. Limit: ${formatBytes(ctx.maxUploadBytes)} (413 beyond).`,
    tags: ['datasets'],
    multipartBody: uploadBody,
    status: 201,
    response: dataset,
    errors: [413],
    handler: async ({ request }) => toDataset(await receiveDataset(request, ctx)),
  });

  route(app, {
    method: 'POST',
    url: '/api/datasets/from-interactions',
    summary: 'Saves stored interactions as a dataset, to label, align or evaluate like an upload',
    description:
      "One row per interaction, in the order given, with the columns interaction_id, request, response, retrieved_context, expected_response, app and timestamp (null where an interaction has none), and with `monitor_id` that monitor's <metric>/score and <metric>/justification; stored as JSON Lines. An id that names no stored interaction is a 400 naming it, and nothing is stored.",
    tags: ['datasets'],
    body: fromInteractionsBody,
    status: 201,
    response: dataset,
    handler: async ({ body }) => {
      const ids = [...new Set(body.interaction_ids)];
      const monitors = new MonitorRepository(ctx.store);
      if (body.monitor_id !== undefined && !(await monitors.get(body.monitor_id)))
        throw new ApiError(400, `no monitor '${body.monitor_id}'`, { field: 'monitor_id', hint: 'list monitors with GET /api/monitors' });
      const interactions = await monitors.interactionsByIds(ids);
      if (interactions.length < ids.length) {
        const known = new Set(interactions.map((i) => i.id));
        const unknown = ids.filter((id) => !known.has(id));
        const named = unknown
          .slice(0, 10)
          .map((id) => `'${id}'`)
          .join(', ');
        throw new ApiError(
          400,
          `no stored interaction with id ${named}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}; nothing was stored`,
          {
            field: `interaction_ids[${body.interaction_ids.indexOf(unknown[0]!)}]`,
            hint: 'list stored interactions with GET /api/interactions',
          },
        );
      }
      const scored =
        body.monitor_id !== undefined
          ? { metrics: await monitors.scoredMetrics(body.monitor_id), scores: await monitors.scoresOf(body.monitor_id, ids) }
          : undefined;
      return toDataset(await storeInteractions(ctx.datasets, ctx.dataDir, body.name, interactions, scored));
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/datasets',
    summary: 'Uploaded datasets, newest first',
    tags: ['datasets'],
    query: datasetsQuery,
    response: datasetsList,
    handler: async ({ query }) => {
      const { datasets, total } = await ctx.datasets.list(query);
      return { datasets: datasets.map(toDataset), total, limit: query.limit, offset: query.offset };
    },
  });

  route(app, {
    method: 'GET',
    url: '/api/datasets/:id',
    summary: 'A dataset: columns, row count and its first 20 rows',
    tags: ['datasets'],
    params: idParams,
    response: datasetDetail,
    errors: [404],
    handler: async ({ params }) => {
      const found = await ctx.datasets.get(params.id);
      if (!found) throw notFound('dataset', params.id);
      return { ...toDataset(found), preview: await previewRows(storedFile(ctx.dataDir, found), PREVIEW_ROWS) };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/datasets/:id/download',
    schema: {
      summary:
        'Downloads a dataset as CSV or JSON Lines (streamed), in dataset order, with the label columns of its label job when it has one',
      description:
        'A labelled dataset gets the columns label, label_justification, label_source (human, llm, code) and label_judge_version, from the label job named by label_job, else its newest completed one.',
      tags: ['datasets'],
      params: idParams,
      querystring: downloadQuery,
      response: {
        200: {
          description: 'the rows, as text/csv or application/x-ndjson',
          content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: { type: 'string' } } },
        },
        400: errorBody,
        401: errorBody,
        404: errorBody,
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { format, label_job: labelJob } = request.query as { format?: 'csv' | 'jsonl'; label_job?: string };
      const found = await ctx.datasets.get(id);
      if (!found) throw notFound('dataset', id);
      const to = format ?? (found.format === 'csv' ? 'csv' : 'jsonl');
      const labels = await downloadLabels(ctx, found, labelJob);
      const filename = `${found.name}.${to}`;
      reply
        .type(to === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
        );
      return reply.send(exportFile(storedFile(ctx.dataDir, found), found.columns, to, labels));
    },
  });
}

function toDataset(record: DatasetRecord): Dataset {
  const { file: _file, ...rest } = record;
  return rest;
}
