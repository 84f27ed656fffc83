/**
 * Routes declared with zod schemas: Fastify validates each request part with zod (so handlers get
 * parsed, typed input and errors name the field), serializes responses as JSON (checking them
 * against their schema when asked to), and @fastify/swagger documents the same schemas.
 */
import { toJson } from '../data/write.js';
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';
import { validationError } from './errors.js';
import { errorBody } from './schemas/common.js';

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** One route: its method, URL, documentation, schemas and handler. */
export interface RouteDefinition<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
  R extends Schema,
> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** A multipart body, for the document only: such bodies are read as streams by the handler. */
  multipartBody?: Record<string, unknown>;
  /** The success status (default 200) and body. */
  status?: number;
  response: R;
  /** Error statuses this route answers besides 400, 401 and 500. */
  errors?: number[];
  handler(input: { params: Out<P>; query: Out<Q>; body: Out<B>; request: FastifyRequest; reply: FastifyReply }): Promise<z.input<R>>;
}

/** Registers a route whose parts are validated, typed and documented by zod schemas. */
export function route<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends Schema = Schema,
>(app: FastifyInstance, definition: RouteDefinition<P, Q, B, R>): void {
  const status = definition.status ?? 200;
  const response: Record<number, unknown> = { [status]: definition.response };
  for (const code of [400, 401, ...(definition.errors ?? []), 500]) response[code] = errorBody;
  const schema: FastifySchema = {
    summary: definition.summary,
    ...(definition.description ? { description: definition.description } : {}),
    tags: definition.tags,
    ...(definition.params ? { params: definition.params } : {}),
    ...(definition.query ? { querystring: definition.query } : {}),
    ...(definition.body ? { body: definition.body } : {}),
    ...(definition.multipartBody ? { body: definition.multipartBody, consumes: ['multipart/form-data'] } : {}),
    response,
  };
  app.route({
    method: definition.method,
    url: definition.url,
    schema,
    handler: async (request, reply) => {
      const result = await definition.handler({
        params: request.params as Out<P>,
        query: request.query as Out<Q>,
        body: request.body as Out<B>,
        request,
        reply,
      });
      reply.code(status);
      return result;
    },
  });
}

/**
 * Makes Fastify validate with zod and serialize with JSON.stringify. Plain JSON schemas (used
 * only for documentation, e.g. the multipart upload) are not enforced. With `checkResponses`,
 * a response that does not match its schema is a 500 (for tests, to keep the document true).
 */
export function installZodCompilers(app: FastifyInstance, options: { checkResponses?: boolean } = {}): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
    if (!(schema instanceof z.ZodType)) return { value: data };
    const result = schema.safeParse(data ?? (httpPart === 'querystring' || httpPart === 'params' ? {} : data));
    return result.success ? { value: result.data } : { error: validationError(result.error, httpPart ?? 'request') };
  });
  app.setSerializerCompiler(({ schema }) => (data: unknown) => {
    if (options.checkResponses && schema instanceof z.ZodType) {
      const result = schema.safeParse(data);
      if (!result.success) throw new Error(`response does not match its schema: ${JSON.stringify(result.error.issues.slice(0, 3))}`);
    }
    return toJson(data);
  });
}
