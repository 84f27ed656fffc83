/** The read routes over a seeded store: health, experiments, runs, one run, deleting, judges, the document and the UI page. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGenaiMetric, makeGenaiMetricFromPrompt } from '../../src/judges/definition.js';
import { seedRun, startTestServer, STORES, type TestServer } from './helpers.js';

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let server: TestServer;
  const quality = makeGenaiMetric({
    name: 'quality',
    definition: 'How good the answer is.',
    gradingPrompt: 'Score 1-5.',
    examples: [{ input: 'q', output: 'a', score: 4, justification: 'fine' }],
  });
  const qualityV2 = makeGenaiMetric({
    name: 'quality',
    version: 'v2',
    definition: 'How good and short the answer is.',
    gradingPrompt: 'Score 1-5.',
  });
  const tone = makeGenaiMetricFromPrompt({ name: 'tone', judgePrompt: 'Is {response} polite?', metricMetadata: { score_threshold: 2 } });
  const runs: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ storeKind });
    runs.a = await seedRun(server.store, {
      experiment: 'alpha',
      name: 'first',
      rows: 3,
      judges: [quality],
      metrics: ['quality/v1'],
      result: () => ({ value: 4 }),
    });
    runs.b = await seedRun(server.store, {
      experiment: 'alpha',
      name: 'second',
      rows: 2,
      judges: [qualityV2, tone],
      metrics: ['quality/v2', 'tone/v1'],
      result: () => ({ value: 1, label: 'yes' }),
    });
    runs.c = await seedRun(server.store, {
      experiment: 'beta',
      name: 'third',
      rows: 1,
      judges: [quality],
      metrics: ['quality/v1'],
      result: () => ({ value: 2 }),
      status: 'running',
    });
  });
  afterAll(() => server.stop());

  describe('GET /api/health', () => {
    it('answers ok with the version and whether a token is needed', async () => {
      expect(await server.call('GET', '/api/health')).toMatchObject({
        status: 200,
        body: { status: 'ok', version: expect.any(String), auth: false, store: storeKind.toLowerCase() },
      });
    });
  });

  describe('GET /api/experiments', () => {
    it('lists experiments by name with their run counts', async () => {
      const { body } = await server.call('GET', '/api/experiments');
      expect(body.experiments.map((e: { name: string; run_count: number }) => [e.name, e.run_count])).toEqual([
        ['alpha', 2],
        ['beta', 1],
      ]);
      expect(body.experiments[0].last_run_at).toEqual(expect.any(String));
    });
  });

  describe('GET /api/runs', () => {
    it('lists runs newest first with aggregates and the total', async () => {
      const { status, body } = await server.call('GET', '/api/runs');
      expect(status).toBe(200);
      expect(body.runs.map((r: { id: string }) => r.id)).toEqual([runs.c, runs.b, runs.a]);
      expect(body).toMatchObject({ total: 3, limit: 50, offset: 0 });
      expect(body.runs[2]).toMatchObject({
        name: 'first',
        experiment: 'alpha',
        status: 'finished',
        row_count: 3,
        rows_done: 3,
        metrics: { 'quality/v1/mean': 1 },
        dataset: { name: 'seeded', row_count: 3 },
      });
      expect(body.runs[2].duration_ms).toEqual(expect.any(Number));
      expect(body.runs[0]).toMatchObject({ status: 'running', finished_at: null, duration_ms: null });
    });

    it('filters by experiment and status, and pages', async () => {
      expect((await server.call('GET', '/api/runs?experiment=alpha')).body.runs.map((r: { id: string }) => r.id)).toEqual([runs.b, runs.a]);
      expect((await server.call('GET', '/api/runs?status=running')).body).toMatchObject({ total: 1, runs: [{ id: runs.c }] });
      expect((await server.call('GET', '/api/runs?experiment=nobody')).body).toMatchObject({ total: 0, runs: [] });
      const second = await server.call('GET', '/api/runs?limit=1&offset=1');
      expect(second.body).toMatchObject({ total: 3, limit: 1, offset: 1, runs: [{ id: runs.b }] });
    });

    it('answers 400 naming a bad parameter', async () => {
      expect(await server.call('GET', '/api/runs?status=done')).toMatchObject({
        status: 400,
        body: { field: 'status', message: expect.stringMatching(/^status: /) },
      });
      expect(await server.call('GET', '/api/runs?limit=x')).toMatchObject({ status: 400, body: { field: 'limit' } });
      expect(await server.call('GET', '/api/runs?experiments=alpha')).toMatchObject({
        status: 400,
        body: { field: 'experiments', message: "unknown query parameter 'experiments'" },
      });
    });
  });

  describe('GET /api/runs/:id', () => {
    it('gives config, judges with system prompts and examples, metrics, per-metric counts and dataset', async () => {
      const { status, body } = await server.call('GET', `/api/runs/${runs.a}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        id: runs.a,
        name: 'first',
        experiment: 'alpha',
        status: 'finished',
        config: { metrics: ['quality/v1'] },
        metrics: { 'quality/v1/mean': 1 },
        metric_names: ['quality/v1'],
        per_metric: [{ metric: 'quality/v1', rows_scored: 3, error_count: 0, input_tokens: 10, output_tokens: 5, cost_usd: 0.001 }],
        dataset: { name: 'seeded', format: 'memory', columns: ['inputs', 'outputs'] },
        job: null,
      });
      expect(body.judges).toHaveLength(1);
      expect(body.judges[0]).toMatchObject({
        metric: 'quality/v1',
        name: 'quality',
        version: 'v1',
        definition: {
          name: 'quality',
          definition: 'How good the answer is.',
          examples: [{ input: 'q', output: 'a', score: 4, justification: 'fine' }],
        },
      });
      expect(body.judges[0].system_prompt).toContain('How good the answer is.');
    });

    it('answers 404 for an unknown run', async () => {
      expect(await server.call('GET', '/api/runs/ffff0000')).toMatchObject({
        status: 404,
        body: { status: 404, error: 'not_found', hint: 'list them with GET /api/runs' },
      });
    });
  });

  describe('GET /api/judges', () => {
    it('groups definitions by name with their versions, examples included', async () => {
      const { body } = await server.call('GET', '/api/judges');
      expect(
        body.judges.map((j: { name: string; versions: Array<{ version: string }> }) => [j.name, j.versions.map((v) => v.version)]),
      ).toEqual([
        ['quality', ['v1', 'v2']],
        ['tone', ['v1']],
      ]);
      const v1 = body.judges[0].versions[0];
      expect(v1).toMatchObject({
        run_count: 2,
        hash: expect.any(String),
        definition: { grading_prompt: 'Score 1-5.', examples: [{ score: 4 }] },
      });
      expect(body.judges[1].versions[0].definition).toMatchObject({
        judge_prompt: 'Is {response} polite?',
        metric_metadata: { score_threshold: 2 },
      });
    });
  });

  describe('DELETE /api/runs/:id', () => {
    it('deletes a run and everything it holds, then answers 404', async () => {
      const id = await seedRun(server.store, {
        experiment: 'gamma',
        rows: 4,
        judges: [quality],
        metrics: ['quality/v1'],
        result: () => ({ value: 3 }),
      });
      expect(await server.call('DELETE', `/api/runs/${id}`)).toMatchObject({ status: 200, body: { id, deleted: true } });
      for (const table of ['runs', 'rows', 'results', 'metrics', 'run_metrics', 'run_judges'] as const) {
        const column = table === 'runs' ? 'id' : 'run_id';
        const left = await server.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(column, '=', id)
          .executeTakeFirstOrThrow();
        expect({ table, n: Number(left.n) }).toEqual({ table, n: 0 });
      }
      expect((await server.call('GET', `/api/runs/${id}`)).status).toBe(404);
      expect((await server.call('DELETE', `/api/runs/${id}`)).status).toBe(404);
      // Other runs and the judge definitions stay.
      expect((await server.call('GET', `/api/runs/${runs.a}`)).status).toBe(200);
    });

    it('refuses a run still running unless forced', async () => {
      const id = await seedRun(server.store, {
        experiment: 'gamma',
        rows: 1,
        metrics: ['exact_match/v1'],
        result: () => ({ value: 1 }),
        status: 'running',
      });
      expect(await server.call('DELETE', `/api/runs/${id}`)).toMatchObject({
        status: 409,
        body: { error: 'conflict', hint: expect.stringContaining('force=true') },
      });
      expect(await server.call('DELETE', `/api/runs/${id}?force=true`)).toMatchObject({ status: 200, body: { deleted: true } });
      expect(await server.call('DELETE', `/api/runs/${id}?force=maybe`)).toMatchObject({ status: 400, body: { field: 'force' } });
    });
  });

  describe('GET /api/openapi.json', () => {
    it('documents every route with its parameters and schemas', async () => {
      const { status, body } = await server.call('GET', '/api/openapi.json');
      expect(status).toBe(200);
      expect(body.openapi).toBe('3.1.0');
      expect(Object.keys(body.paths).sort()).toEqual(
        [
          '/api/canaries',
          '/api/canaries/{id}',
          '/api/canaries/{id}/alerts',
          '/api/canaries/{id}/run',
          '/api/datasets',
          '/api/datasets/from-interactions',
          '/api/datasets/{id}',
          '/api/datasets/{id}/download',
          '/api/distilled',
          '/api/experiments',
          '/api/health',
          '/api/interactions',
          '/api/jobs',
          '/api/jobs/{id}',
          '/api/jobs/{id}/cancel',
          '/api/judges',
          '/api/judges/{name}/agreement',
          '/api/judges/{name}/align',
          '/api/judges/{name}/audit',
          '/api/judges/{name}/audits',
          '/api/label-jobs',
          '/api/label-jobs/{id}',
          '/api/label-jobs/{id}/agreement',
          '/api/label-jobs/{id}/cancel',
          '/api/label-jobs/{id}/distill',
          '/api/label-jobs/{id}/distilled',
          '/api/label-jobs/{id}/export/finetune',
          '/api/label-jobs/{id}/finetune',
          '/api/label-jobs/{id}/finetunes',
          '/api/finetunes/{id}',
          '/api/finetunes/{id}/cancel',
          '/api/label-jobs/{id}/resample',
          '/api/label-jobs/{id}/review',
          '/api/label-jobs/{id}/uncertain',
          '/api/monitors',
          '/api/monitors/{id}',
          '/api/monitors/{id}/alerts',
          '/api/monitors/{id}/interactions',
          '/api/monitors/{id}/series',
          '/api/otlp/v1/traces',
          '/api/runs',
          '/api/runs/compare',
          '/api/runs/compare/pairwise',
          '/api/runs/compare/pairwise/{id}',
          '/api/runs/{id}',
          '/api/runs/{id}/results',
          '/api/runs/{id}/results/{row}',
        ].sort(),
      );
      const results = body.paths['/api/runs/{id}/results'].get;
      expect(results.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['id', 'limit', 'offset', 'metric', 'max_score', 'errors_only', 'sort']),
      );
      expect(results.responses['200'].content['application/json'].schema.properties).toHaveProperty('total');
      expect(results.responses['404'].content['application/json'].schema.properties).toHaveProperty('field');
      expect(body.paths['/api/runs'].post.requestBody.content['application/json'].schema.required).toEqual(['dataset_id', 'config']);
      expect(body.paths['/api/datasets'].post.requestBody.content).toHaveProperty('multipart/form-data');
    });
  });
});

describe('the UI at /', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('says the UI is not built when dist/web is absent, and 404s unknown /api routes as JSON', async () => {
    const page = await server.call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('web UI is not built');
    expect(await server.call('GET', '/api/nothing')).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: 'no route GET /api/nothing' },
    });
  });

  it('serves a built UI, with index.html for client-side routes a browser navigates to', async () => {
    const webDir = join(server.dir, 'web');
    mkdirSync(join(webDir, 'assets'), { recursive: true });
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Juror UI</title>');
    writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log(1)');
    const ui = await startTestServer({ webDir });
    try {
      expect((await ui.call('GET', '/')).body).toContain('Juror UI');
      expect((await ui.call('GET', '/assets/app.js')).body).toBe('console.log(1)');
      expect((await ui.call('GET', '/runs/abc', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })).body).toContain(
        'Juror UI',
      );
      expect((await ui.call('GET', '/assets/missing.js')).status).toBe(404);
      expect((await ui.call('GET', '/api/health')).body.status).toBe('ok');
      expect((await ui.call('GET', '/api/nothing')).status).toBe(404);
    } finally {
      await ui.stop();
    }
  });
});
