/**
 * Production traffic in (issue #13): `POST /api/otlp/v1/traces` (OTLP/HTTP, protobuf or JSON, gzip
 * accepted: point `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` here), `POST /api/interactions` (plain JSON)
 * and `GET /api/interactions`. Each ingest route answers once its batch is stored. Bodies are
 * limited (after gunzip) to the server's `maxIngestBytes`.
 */
import { createGunzip } from 'node:zlib';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { decodeJsonTraces, decodeProtobufTraces } from '../../monitoring/otlp/decode.js';
import { traceServiceTypes } from '../../monitoring/otlp/proto.js';
import { ingestInteractions, ingestTraces } from '../../monitoring/ingest.js';
import { InteractionRepository } from '../../store/interactions.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { route } from '../route.js';
import { ingestRequest, ingestResponse, interactionsList, interactionsQuery } from '../schemas/interactions.js';

const PROTOBUF = 'application/x-protobuf';

export function interactionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const repository = new InteractionRepository(ctx.store);

  // OTLP: the body is read as bytes (both encodings), decoded by the route.
  void app.register(async (scope) => {
    limitIngest(scope, ctx.maxIngestBytes);
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/json', PROTOBUF],
      { parseAs: 'buffer', bodyLimit: ctx.maxIngestBytes },
      (_request, body, done) => done(null, body),
    );
    // OTLP answers errors to a protobuf request with a protobuf google.rpc.Status; JSON requests get
    // the API's error body, whose `message` is what an OTLP/JSON client reads from a Status.
    scope.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode < 400 || !isProtobuf(request) || typeof payload !== 'string') return payload;
      const { status } = traceServiceTypes();
      reply.type(PROTOBUF);
      return Buffer.from(status.encode(status.fromObject({ message: (JSON.parse(payload) as { message: string }).message })).finish());
    });
    scope.route({
      method: 'POST',
      url: '/api/otlp/v1/traces',
      schema: {
        summary: 'OTLP/HTTP traces receiver: LLM spans become interactions',
        description:
          'An ExportTraceServiceRequest as protobuf (application/x-protobuf) or OTLP/JSON (application/json), gzip accepted. Answers an ExportTraceServiceResponse in the same encoding, with partial_success when spans could not be read. Spans that are not LLM calls or retrievals are ignored (counted in the x-juror-ignored-spans header).',
        tags: ['monitoring'],
      },
      handler: async (request, reply) => {
        const body = request.body as Buffer;
        const protobuf = isProtobuf(request);
        const decoded = protobuf ? decodeProtobufTraces(body) : decodeJsonTraces(body.toString('utf8'));
        const result = await ingestTraces(repository, decoded);
        reply.header('x-juror-interactions', String(result.interactions)).header('x-juror-ignored-spans', String(result.ignored));
        const response =
          result.rejected > 0 ? { partialSuccess: { rejectedSpans: result.rejected, errorMessage: result.rejection ?? '' } } : {};
        if (!protobuf) return reply.type('application/json').send(response);
        const { response: type } = traceServiceTypes();
        return reply.type(PROTOBUF).send(Buffer.from(type.encode(type.fromObject(response)).finish()));
      },
    });
  });

  void app.register(async (scope) => {
    limitIngest(scope, ctx.maxIngestBytes);
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: ctx.maxIngestBytes },
      scope.getDefaultJsonParser('error', 'error'),
    );
    route(scope, {
      method: 'POST',
      url: '/api/interactions',
      summary: 'Stores interactions of your app (request, response, retrieved context…); an id sent again is stored once',
      description: 'Answers 202 once every interaction is stored. gzip accepted (Content-Encoding: gzip).',
      tags: ['monitoring'],
      body: ingestRequest,
      status: 202,
      response: ingestResponse,
      errors: [403, 413, 415],
      handler: async ({ body }) => ({ accepted: await ingestInteractions(repository, body.interactions) }),
    });
  });

  route(app, {
    method: 'GET',
    url: '/api/interactions',
    summary: 'Stored interactions, newest first; of one app with ?app=',
    tags: ['monitoring'],
    query: interactionsQuery,
    response: interactionsList,
    handler: async ({ query }) => ({ ...(await repository.list(query)), limit: query.limit, offset: query.offset }),
  });
}

/** gzip bodies are inflated before parsing, so the limit is on what is stored; a body over it is a 413 that says what to do. */
function limitIngest(scope: FastifyInstance, maxBytes: number): void {
  scope.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip')
      throw new ApiError(415, `Content-Encoding ${encoding} is not accepted`, {
        field: 'content-encoding',
        hint: 'send the body as is, or gzip it (Content-Encoding: gzip)',
      });
    const inflated = payload.pipe(createGunzip()) as typeof payload & { receivedEncodedLength?: number };
    payload.on('data', (chunk: Buffer) => (inflated.receivedEncodedLength = (inflated.receivedEncodedLength ?? 0) + chunk.length));
    return inflated;
  });
  // Thrown on, to the app's error handler, which answers every error alike.
  scope.setErrorHandler(async (error: FastifyError) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      throw new ApiError(
        413,
        `the body is larger than this server takes in one request (${Math.round(maxBytes / 1024 / 1024)} MB, after gunzip)`,
        {
          field: 'body',
          hint: 'send smaller batches (an OTLP exporter: a smaller maxExportBatchSize), or start juror serve with a larger --max-ingest-mb',
        },
      );
    }
    if (typeof error.code === 'string' && error.code.startsWith('Z_'))
      throw new ApiError(400, `the body is not valid gzip: ${error.message}`, {
        field: 'body',
        hint: 'send Content-Encoding: gzip only with a gzip body',
      });
    throw error;
  });
}

function isProtobuf(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith(PROTOBUF);
}
