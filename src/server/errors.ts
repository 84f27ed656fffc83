/**
 * Errors of the API: each becomes `{ status, error, message, field?, hint?, line? }` with its
 * HTTP status. Config and input errors of the engine are 400s naming their field, as the CLI
 * names them; a NotFoundError is a 404.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { JurorError, NotFoundError } from '../errors.js';
import type { ErrorBody } from './schemas/common.js';

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  421: 'misdirected_request',
  500: 'internal',
  503: 'unavailable',
};

/** An error answered with its status and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: { field?: string; hint?: string; line?: number } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The response body. */
  body(): ErrorBody {
    return { status: this.status, error: CODES[this.status] ?? 'error', message: this.message, ...definedOnly(this.details) };
  }
}

/** 404 for an id that names nothing. */
export function notFound(what: string, id: string | number, field?: string): ApiError {
  const lists: Record<string, string> = { run: 'GET /api/runs', dataset: 'GET /api/datasets', job: 'GET /api/jobs' };
  return new ApiError(404, `no ${what} '${id}'`, {
    ...(field ? { field } : {}),
    ...(lists[what] ? { hint: `list them with ${lists[what]}` } : {}),
  });
}

/** A request part that failed its schema: 400 naming the first field at fault. */
export function validationError(error: z.ZodError, part: string): ApiError {
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const field = path ? `${path}.${key}` : key;
    return new ApiError(400, part === 'querystring' ? `unknown query parameter '${field}'` : `unknown field '${field}'`, {
      field,
      hint: 'check the spelling against /api/openapi.json',
    });
  }
  if (!path) {
    const what = part === 'body' ? 'the request body' : part === 'querystring' ? 'the query' : `the ${part}`;
    return new ApiError(400, `${what}: ${issue.message}`, {
      hint: part === 'body' ? 'send a JSON object with Content-Type: application/json' : 'see /api/openapi.json',
    });
  }
  return new ApiError(400, `${path}: ${lowerFirst(issue.message)}`, { field: path });
}

/** Maps any error to a status and body. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof JurorError && (error.kind === 'config' || error.kind === 'input')) {
    const { field, line } = error.where;
    return new ApiError(error instanceof NotFoundError ? 404 : 400, error.message, {
      ...(field ? { field } : {}),
      ...(line !== undefined ? { line } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }
  const fastify = error as Partial<FastifyError>;
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new ApiError(fastify.statusCode, fastify.message ?? 'bad request');
  }
  return new ApiError(500, 'internal error: the server failed to answer this request', {
    hint: 'see the server log; report it if it happens again',
  });
}

/** Answers every error, and every unknown /api route, with the error body. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (apiError.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(apiError.status).send(apiError.body());
  });
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
