/**
 * GET /api/runs/:id/results: paging, sorting and filtering checked against what the store holds
 * (computed here independently from the seeded values), and one row in full.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGenaiMetric } from '../../src/judges/definition.js';
import { seedRun, startTestServer, STORES, type SeededResult, type TestServer } from './helpers.js';

describe.each(STORES.map(([name]) => name))('%s store', (storeKind) => {
  let server: TestServer;
  let runId: string;
  const ROWS = 237;
  const quality = makeGenaiMetric({ name: 'quality', definition: 'How good the answer is.', gradingPrompt: 'Score 1-5.' });

  /** The seeded outcomes: quality 1–5 with every 11th row an error, exact_match 0/1 missing on every 13th row. */
  function outcome(row: number, metric: string): SeededResult | undefined {
    if (metric === 'quality/v1') return row % 11 === 0 ? { error: `bad answer ${row}` } : { value: ((row * 7) % 5) + 1 };
    if (row % 13 === 0) return undefined;
    return { value: row % 2 };
  }
  const valueOf = (row: number, metric: string): number | null => {
    const o = outcome(row, metric);
    return o && 'value' in o ? o.value : null;
  };
  const all = Array.from({ length: ROWS }, (_, i) => i);

  beforeAll(async () => {
    server = await startTestServer({ storeKind });
    runId = await seedRun(server.store, { rows: ROWS, metrics: ['quality/v1', 'exact_match/v1'], judges: [quality], result: outcome });
  });
  afterAll(() => server.stop());

  async function page(query: string) {
    const { status, body } = await server.call('GET', `/api/runs/${runId}/results?${query}`);
    expect(status, JSON.stringify(body)).toBe(200);
    return body;
  }

  /** Every row index of a query, fetched page by page. */
  async function allPages(query: string, limit = 40): Promise<number[]> {
    const indexes: number[] = [];
    for (let offset = 0; ; offset += limit) {
      const body = await page(`${query}&limit=${limit}&offset=${offset}`);
      indexes.push(...body.rows.map((r: { row_index: number }) => r.row_index));
      if (offset + limit >= body.total) return indexes;
    }
  }

  /** The expected order of `sort=metric` / `-metric`: valued rows by value (ties by row, reversed for descending), then the rest in row order. */
  function expectedSort(metric: string, descending: boolean, rows = all): number[] {
    const valued = rows.filter((r) => valueOf(r, metric) !== null).sort((a, b) => valueOf(a, metric)! - valueOf(b, metric)! || a - b);
    if (descending) valued.reverse();
    return [...valued, ...rows.filter((r) => valueOf(r, metric) === null)];
  }

  describe('paging', () => {
    it('returns rows in dataset order with every metric, and the total', async () => {
      const body = await page('limit=10&offset=20');
      expect(body).toMatchObject({ run_id: runId, total: ROWS, offset: 20, limit: 10, metrics: ['exact_match/v1', 'quality/v1'] });
      expect(body.rows.map((r: { row_index: number }) => r.row_index)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
      const row22 = body.rows[2];
      expect(row22.record).toEqual({ inputs: 'question 22', outputs: 'answer 22' });
      expect(row22.results['quality/v1']).toEqual({ value: null, score: null, label: null, justification: null, error: 'bad answer 22' });
      expect(row22.results['exact_match/v1']).toEqual({ value: 0, score: '0', label: null, justification: 'row 22 gets 0', error: null });
      // Row 26 has no exact_match result at all.
      expect(body.rows[6].results['exact_match/v1']).toBeUndefined();
    });

    it('walks every row exactly once across pages, and is empty past the end', async () => {
      expect(await allPages('')).toEqual(all);
      const past = await page('offset=1000');
      expect(past).toMatchObject({ total: ROWS, rows: [] });
    });
  });

  describe('sorting', () => {
    it('sorts by a metric ascending, rows without a value last', async () => {
      expect(await allPages('sort=quality/v1')).toEqual(expectedSort('quality/v1', false));
    });

    it('sorts descending as the exact reverse of the valued rows, rows without a value still last', async () => {
      const got = await allPages('sort=-quality/v1', 37);
      expect(got).toEqual(expectedSort('quality/v1', true));
      const first = await page('sort=-quality&limit=3');
      expect(first.rows.map((r: { results: Record<string, { value: number }> }) => r.results['quality/v1']!.value)).toEqual([5, 5, 5]);
    });

    it('accepts a metric by its name when it has one version', async () => {
      expect(await allPages('sort=exact_match')).toEqual(expectedSort('exact_match/v1', false));
    });
  });

  describe('filtering', () => {
    it('keeps rows whose metric is at most max_score', async () => {
      const expected = all.filter((r) => valueOf(r, 'quality/v1') !== null && valueOf(r, 'quality/v1')! <= 2);
      const body = await page('metric=quality/v1&max_score=2&limit=500');
      expect(body.total).toBe(expected.length);
      expect(body.rows.map((r: { row_index: number }) => r.row_index)).toEqual(expected);
    });

    it('keeps error rows of one metric, or of any metric', async () => {
      const errors = all.filter((r) => r % 11 === 0);
      expect(await allPages('errors_only=true&metric=quality')).toEqual(errors);
      expect(await allPages('errors_only=1')).toEqual(errors);
      expect((await page('errors_only=true&metric=exact_match/v1')).total).toBe(0);
      expect((await page('errors_only=false')).total).toBe(ROWS);
    });

    it('combines a filter with a sort on another metric', async () => {
      const filtered = all.filter((r) => valueOf(r, 'quality/v1') !== null && valueOf(r, 'quality/v1')! <= 3);
      const got = await allPages('metric=quality/v1&max_score=3&sort=-exact_match/v1', 25);
      expect(got).toEqual(expectedSort('exact_match/v1', true, filtered));
      const errorsByQuality = await allPages('errors_only=true&sort=exact_match', 7);
      expect(errorsByQuality).toEqual(
        expectedSort(
          'exact_match/v1',
          false,
          all.filter((r) => r % 11 === 0),
        ),
      );
    });
  });

  describe('bad queries', () => {
    it('answers 400 naming the parameter', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['limit=0', 'limit', /limit: too small/i],
        ['limit=501', 'limit', /limit: too big/i],
        ['offset=-1', 'offset', /offset/],
        ['max_score=2', 'max_score', /max_score needs metric/],
        ['metric=nope', 'metric', /no metric 'nope'.*/],
        ['sort=-nope', 'sort', /no metric 'nope'/],
        ['sort=--x', 'sort', /metric name/],
        ['errors_only=maybe', 'errors_only', /errors_only/],
        ['max_score=high&metric=quality', 'max_score', /max_score/],
        ['page=2', 'page', /unknown query parameter 'page'/],
      ];
      for (const [query, field, message] of cases) {
        const { status, body } = await server.call('GET', `/api/runs/${runId}/results?${query}`);
        expect({ query, status, field: body.field }).toEqual({ query, status: 400, field });
        expect(body.message).toMatch(message);
      }
      const unknownMetric = await server.call('GET', `/api/runs/${runId}/results?metric=nope`);
      expect(unknownMetric.body.hint).toContain('exact_match/v1, quality/v1');
    });

    it('answers 404 for an unknown run', async () => {
      expect(await server.call('GET', '/api/runs/0123abcd/results')).toMatchObject({
        status: 404,
        body: { error: 'not_found', message: "no run '0123abcd'" },
      });
    });
  });

  describe('GET /api/runs/:id/results/:row', () => {
    it("gives each metric's judge prompt (system and user), raw answer and counts", async () => {
      const { status, body } = await server.call('GET', `/api/runs/${runId}/results/5`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        run_id: runId,
        row_index: 5,
        record: { inputs: 'question 5', outputs: 'answer 5' },
        outputs: null,
        model_error: null,
      });
      const byMetric = Object.fromEntries(body.results.map((r: { metric: string }) => [r.metric, r]));
      expect(byMetric['quality/v1']).toMatchObject({
        value: valueOf(5, 'quality/v1'),
        raw: expect.stringContaining('"score"'),
        input_tokens: 10,
        output_tokens: 5,
        cost_usd: 0.001,
        latency_ms: 12,
        details: null,
      });
      expect(byMetric['quality/v1'].prompt.user).toBe('judge this: question 5');
      expect(byMetric['quality/v1'].prompt.system).toContain('quality');
      // A built-in metric has no judge, so no system prompt.
      expect(byMetric['exact_match/v1'].prompt.system).toBeNull();
    });

    it('keeps the raw answer and the error of an error row', async () => {
      const { body } = await server.call('GET', `/api/runs/${runId}/results/11`);
      expect(body.results.find((r: { metric: string }) => r.metric === 'quality/v1')).toMatchObject({
        value: null,
        error: 'bad answer 11',
        raw: 'not json',
      });
    });

    it('answers 404 for a row the run does not have, 400 for a row that is not a number', async () => {
      expect(await server.call('GET', `/api/runs/${runId}/results/${ROWS}`)).toMatchObject({ status: 404, body: { field: 'row' } });
      expect(await server.call('GET', `/api/runs/${runId}/results/first`)).toMatchObject({ status: 400, body: { field: 'row' } });
      expect((await server.call('GET', '/api/runs/nope/results/0')).status).toBe(404);
    });
  });
});
