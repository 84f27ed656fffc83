/**
 * The model under test (optional): a TypeScript function of the row, or an LLM endpoint whose
 * prompt template is filled from the row. Its answer becomes the row's `outputs`.
 */
import { cellText, type Columns } from '../data/columns.js';
import type { DataRecord } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import { fillTemplate, templateVariables } from '../judges/template.js';
import type { Usage } from '../judges/run-judge.js';
import { toCallSettings } from '../providers/parameters.js';
import type { ResolvedModel } from '../providers/models.js';
import { textChat, type CallContext } from './chat.js';
import { stopsRun } from './scheduler.js';

/** An LLM endpoint as the model under test (the seed's translator). */
export interface ModelEndpoint {
  uri: string;
  system?: string;
  /** The user message, with `{column}` variables. */
  prompt: string;
  parameters?: Record<string, unknown>;
}

/** A model under test: a function of the row, or an LLM endpoint. */
export type ModelUnderTest = ((row: DataRecord) => string | Promise<string>) | ModelEndpoint;

/** What the model under test said for a row. */
export type ModelAnswer =
  | { ok: true; text: string; usage?: Usage; costUsd: number; latencyMs: number; cached?: boolean }
  | { ok: false; error: string; latencyMs: number };

/** Prepares the model under test: checks its template's columns and its parameters before any call. */
export function prepareModel(
  model: ModelUnderTest,
  context: { columns: Columns; calls: CallContext; resolve: (uri: string, field: string) => ResolvedModel },
): (record: DataRecord) => Promise<ModelAnswer> {
  if (typeof model === 'function') {
    return async (record) => {
      const started = performance.now();
      try {
        const text = await model(record);
        if (typeof text !== 'string') throw new Error(`the model function returned ${typeof text}, not a string`);
        return { ok: true, text, costUsd: 0, latencyMs: performance.now() - started };
      } catch (error) {
        return { ok: false, error: firstLine(error), latencyMs: performance.now() - started };
      }
    };
  }
  if (!model.prompt)
    throw new ConfigError('the model under test has no prompt', {
      where: { field: 'model.prompt' },
      hint: 'write model.prompt, e.g. "{question}"',
    });
  const sources = new Map(
    templateVariables(model.prompt).map((name) => {
      const source = context.columns.resolve(name);
      if (!source || !('column' in source)) {
        throw new ConfigError(`model.prompt uses '{${name}}', which is not a column of the dataset`, {
          where: { field: 'model.prompt' },
          hint: `use one of the dataset's columns: ${context.columns.columns.join(', ')}`,
        });
      }
      return [name, source.column] as const;
    }),
  );
  const resolved = context.resolve(model.uri, 'model.uri');
  const chat = textChat(resolved, context.calls, toCallSettings(model.parameters ?? {}, 'model.parameters'));
  return async (record) => {
    const user = fillTemplate(model.prompt, (name) => cellText(record[sources.get(name)!]));
    const started = performance.now();
    try {
      const answer = await chat(model.system, user);
      return { ok: true, ...answer };
    } catch (error) {
      if (stopsRun(error)) throw error;
      return { ok: false, error: firstLine(error), latencyMs: performance.now() - started };
    }
  };
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}
