/**
 * The fetch that providers' calls go through. Node's global fetch runs the whole WHATWG fetch
 * algorithm on every call — a Request object, a cloned and teed body stream, half a dozen web
 * streams — which at thousands of judge calls a second costs more CPU than the rest of a call.
 * This one hands the request straight to an undici Agent (the HTTP client under Node's fetch, with
 * the same keep-alive connections and timeouts) and answers with a real Response whose body streams
 * as it arrives.
 *
 * It takes the requests the AI SDK's providers make — a URL, a method, headers, a string or bytes
 * body, an AbortSignal — and behaves as fetch does with them: it rejects with the signal's reason
 * when aborted, with `TypeError('fetch failed', { cause })` when the connection fails, errors the
 * body with `TypeError('terminated', { cause })` when it breaks off, and decodes compressed bodies.
 * Anything else (a Request object, a form or stream body, other fetch options, a redirect to
 * follow) is left to the global fetch, given the same dispatcher. Neither goes through a dispatcher
 * installed with undici's `setGlobalDispatcher`; instead both honour the proxy variables curl and
 * most HTTP clients read (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, in either case), from `process.env`:
 * a proxy is a property of the machine's network, not of a judge, so it is not taken from the
 * `env` option that carries provider keys.
 */
import type { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';

/**
 * Connections per origin, kept alive between calls; undici's defaults are those of the global
 * fetch. Made at the first call, so that commands that call no provider do not load undici.
 */
let agent: Dispatcher | undefined;

/**
 * The plain Agent, or, when a proxy variable is set at the first call, undici's EnvHttpProxyAgent,
 * which sends each request through the proxy its URL's scheme calls for unless NO_PROXY (read
 * again at every request) names its host. The variables are read once: the fast path stays free
 * of environment look-ups.
 */
function dispatcher(): Dispatcher {
  if (agent) return agent;
  const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
  const env = process.env;
  const proxied = Boolean(env.https_proxy || env.HTTPS_PROXY || env.http_proxy || env.HTTP_PROXY);
  return (agent = proxied ? new undici.EnvHttpProxyAgent() : new undici.Agent());
}

/** The methods fetch upper-cases; any other is sent as written. */
const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};
/** Bytes a body buffers before the connection waits for the reader. */
const BODY_BUFFER = 64 * 1024;

/** A request this fetch sends itself. */
interface PlainRequest {
  url: URL;
  method: string;
  body: string | Uint8Array | undefined;
  headers: Record<string, string>;
  signal: AbortSignal | undefined;
}

/**
 * fetch for provider calls.
 * @example createOpenAI({ apiKey, fetch: providerFetch })
 */
export const providerFetch: typeof globalThis.fetch = async (input, init) => {
  const request = plainRequest(input, init);
  // What the global fetch sends goes through the same dispatcher, and so the same proxy (Node's
  // fetch takes undici's `dispatcher` option).
  const viaGlobalFetch = () => globalThis.fetch(input, { ...init, dispatcher: dispatcher() } as RequestInit);
  return request ? send(request, viaGlobalFetch) : viaGlobalFetch();
};

/** The request, when it is one this fetch sends itself; undefined for those left to the global fetch. */
function plainRequest(input: string | URL | Request, init: RequestInit | undefined): PlainRequest | undefined {
  const url = typeof input === 'string' ? (URL.canParse(input) ? new URL(input) : undefined) : input instanceof URL ? input : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return undefined;
  for (const option in init) if (option !== 'method' && option !== 'headers' && option !== 'body' && option !== 'signal') return undefined;
  const method =
    init?.method === undefined ? 'GET' : NORMALIZED_METHODS.has(init.method.toUpperCase()) ? init.method.toUpperCase() : init.method;
  // Other methods, those fetch refuses among them, are the global fetch's to handle.
  if (!NORMALIZED_METHODS.has(method) && method !== 'PATCH') return undefined;
  const body = init?.body ?? undefined;
  // A body on a GET or HEAD is an error fetch reports; other kinds of body (forms, streams, blobs) it encodes.
  if (body !== undefined && (method === 'GET' || method === 'HEAD' || (typeof body !== 'string' && !(body instanceof Uint8Array))))
    return undefined;
  return { url, method, body, headers: requestHeaders(init?.headers, body), signal: init?.signal ?? undefined };
}

function send({ url, method, body, headers, signal }: PlainRequest, followRedirect: () => Promise<Response>): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    /** Set once the promise has settled: later failures go to the body. */
    let answered = false;
    /** The response body's controller, while the body can still take chunks. */
    let sink: ReadableStreamDefaultController<Uint8Array> | undefined;
    let decoder: Transform | undefined;
    let abortRequest: ((reason: Error) => void) | undefined;
    const settle = () => signal?.removeEventListener('abort', onAbort);
    const fail = (error: unknown) => {
      settle();
      if (!answered) {
        answered = true;
        reject(error);
      }
      sink?.error(error);
      sink = undefined;
    };
    // As fetch: the promise, or the body, fails with the signal's reason at once, whatever the connection is doing.
    const onAbort = () => {
      fail(signal!.reason);
      abortRequest?.(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const enqueue = (chunk: Buffer): boolean => {
      sink?.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      return sink !== undefined && sink.desiredSize! > 0;
    };
    const close = () => {
      sink?.close();
      sink = undefined;
    };
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abort) {
        abortRequest = abort;
        if (signal?.aborted) abort(signal.reason as Error);
      },
      onHeaders(status, rawHeaders, resume, statusText) {
        if (status < 200) return true; // informational: the answer follows
        const responseHeaders: Array<[string, string]> = [];
        for (let i = 0; i < rawHeaders.length; i += 2)
          responseHeaders.push([rawHeaders[i]!.toString('latin1'), rawHeaders[i + 1]!.toString('latin1')]);
        if (REDIRECT_STATUSES.has(status) && responseHeaders.some(([name]) => name.toLowerCase() === 'location')) {
          // The global fetch follows redirects by the spec's rules (method, body and origin changes).
          settle();
          answered = true;
          resolve(followRedirect());
          abortRequest?.(new Error('redirected'));
          return false;
        }
        const hasBody = method !== 'HEAD' && !NULL_BODY_STATUSES.has(status);
        const stream = !hasBody
          ? null
          : new ReadableStream<Uint8Array>(
              {
                start: (controller) => void (sink = controller),
                pull: () => resume(),
                cancel: (reason) => {
                  sink = undefined;
                  settle();
                  abortRequest?.(reason instanceof Error ? reason : new Error('the body was cancelled'));
                },
              },
              { highWaterMark: BODY_BUFFER, size: (chunk) => chunk.byteLength },
            );
        let response: Response;
        try {
          response = new Response(stream, { status, statusText, headers: responseHeaders });
        } catch (error) {
          // A status the Response constructor refuses (outside 200–599).
          fail(new TypeError('fetch failed', { cause: error }));
          abortRequest?.(error as Error);
          return false;
        }
        if (hasBody) decoder = decoderFor(response.headers.get('content-encoding'), enqueue, resume, close, fail);
        answered = true;
        resolve(response);
        return true;
      },
      onData(chunk) {
        return decoder ? decoder.write(chunk) : enqueue(chunk);
      },
      onComplete() {
        settle();
        if (decoder) decoder.end();
        else close();
      },
      onError(error) {
        if (signal?.aborted) return; // already failed with the signal's reason
        fail(new TypeError(answered ? 'terminated' : 'fetch failed', { cause: error }));
      },
    };
    dispatcher().dispatch(
      { origin: url.origin, path: url.pathname + url.search, method: method as Dispatcher.HttpMethod, headers, body: body ?? null },
      handler,
    );
  });
}

/** The request's headers under lower-case names, with the content type fetch gives a string body. */
function requestHeaders(init: RequestInit['headers'], body: PlainRequest['body']): Record<string, string> {
  const headers: Record<string, string> = {};
  if (init instanceof Headers || Array.isArray(init)) new Headers(init).forEach((value, name) => (headers[name] = value));
  else if (init) for (const [name, value] of Object.entries(init)) headers[name.toLowerCase()] = String(value);
  if (typeof body === 'string' && headers['content-type'] === undefined) headers['content-type'] = 'text/plain;charset=UTF-8';
  return headers;
}

/**
 * The decoders of a compressed body (`Content-Encoding`, undone last coding first), writing into
 * `enqueue`; undefined when the body comes as it is, or in a coding fetch leaves as it is.
 */
function decoderFor(
  encoding: string | null,
  enqueue: (chunk: Buffer) => boolean,
  resume: () => void,
  end: () => void,
  fail: (error: unknown) => void,
): Transform | undefined {
  const codings = (encoding ?? '')
    .toLowerCase()
    .split(',')
    .map((coding) => coding.trim())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0 || !codings.every((coding) => coding in DECODERS)) return undefined;
  const decoders = codings.reverse().map((coding) => DECODERS[coding]!());
  const first = decoders[0]!;
  const last = decoders.reduce((from, to) => from.pipe(to));
  // Compressed answers are rare and small: decoded chunks go to the body as they come, and the
  // connection waits only for the decoders.
  last.on('data', enqueue);
  last.on('end', end);
  first.on('drain', resume);
  for (const decoder of decoders) decoder.on('error', (error) => fail(new TypeError('terminated', { cause: error })));
  return first;
}
