/**
 * Model URIs → AI SDK language models. `provider:/model` (MLflow) and `provider:model` both work;
 * the provider is `openai`, `anthropic`, `google`, `ollama`, or a named OpenAI-compatible endpoint
 * from the config. Credentials are checked here, before the first call. Every provider calls
 * through {@link providerFetch}, which costs a fraction of the global fetch per call. Each
 * provider's SDK is imported at the first call to one of its models ({@link lazyModel}).
 */
import type { JSONValue, SharedV3ProviderOptions } from '@ai-sdk/provider';
import type { LanguageModel } from 'ai';
import { ConfigError } from '../errors.js';
import { providerFetch } from './fetch.js';
import { lazyModel } from './lazy-model.js';

/** A parsed model URI. */
export interface ModelRef {
  provider: string;
  modelId: string;
  uri: string;
}

/** A named OpenAI-compatible endpoint declared in the config (`endpoints:`). */
export interface EndpointConfig {
  base_url: string;
  /** Name of the environment variable holding the key; none for servers without auth. */
  api_key_env?: string;
  /** Whether the server honours `response_format: json_schema` (vLLM, Ollama, llama.cpp, LM Studio do). */
  structured_outputs?: boolean;
  headers?: Record<string, string>;
}

/** A model ready to call, and what identifies its endpoint for scheduling and for error messages. */
export interface ResolvedModel {
  ref: ModelRef;
  model: LanguageModel;
  /** Base URL + key identity: calls sharing it share concurrency and rate limits. */
  endpoint: string;
  /** The env var the key came from, named in messages when the provider rejects the key. */
  keyEnv?: string;
  /** The provider options that ask for token log-probabilities with `top` alternatives; absent where the provider has none. */
  logprobs?: (top: number) => SharedV3ProviderOptions;
}

/**
 * Checks that a judge scored by log-probabilities (`scoring: logprobs`) can have them, before any
 * call: OpenAI's Chat Completions and OpenAI-compatible endpoints send them (OpenAI's reasoning
 * models do not); Anthropic, Google and Ollama's own API do not.
 */
export function requireLogprobs(resolved: ResolvedModel, field: string): void {
  if (resolved.logprobs) return;
  throw new ConfigError(`${resolved.ref.uri} gives no token log-probabilities, which scoring: logprobs reads`, {
    where: { field },
    hint: 'use samples: (e.g. samples: 5 with parameters.temperature: 0.7) for a score that weighs what the judge is unsure of, or a model of OpenAI (not a reasoning model) or of an OpenAI-compatible endpoint (vLLM, llama.cpp)',
  });
}

/** OpenAI's reasoning models, which refuse logprobs (the AI SDK drops the option with a warning). */
const OPENAI_REASONING = /^(o\d|gpt-5(?!-chat))/;

export const BUILT_IN_PROVIDERS = ['openai', 'anthropic', 'google', 'ollama'] as const;

/**
 * Parses `openai:/gpt-4o` or `openai:gpt-4o`.
 * @example parseModelUri('openai:/gpt-4o-mini') // { provider: 'openai', modelId: 'gpt-4o-mini', … }
 */
export function parseModelUri(uri: string, field = 'model'): ModelRef {
  const match = /^([A-Za-z][\w-]*):\/?(.+)$/.exec(uri.trim());
  if (!match) {
    throw new ConfigError(`model URI ${JSON.stringify(uri)} is not of the form provider:/model`, {
      where: { field },
      hint: 'write e.g. openai:/gpt-4o-mini, anthropic:/claude-3-5-sonnet-latest, google:/gemini-2.0-flash, ollama:/llama3.1, or <endpoint>:/<model> for an endpoint declared under `endpoints:`',
    });
  }
  return { provider: match[1]!.toLowerCase(), modelId: match[2]!, uri };
}

/** Environment variables consulted, with the one that is set, for error messages. */
type Env = Record<string, string | undefined>;

/** Resolves a model URI against the built-in providers and the config's endpoints. */
export function resolveModel(
  uri: string,
  options: { endpoints?: Record<string, EndpointConfig>; env?: Env; field?: string } = {},
): ResolvedModel {
  const env = options.env ?? process.env;
  const field = options.field ?? 'model';
  const ref = parseModelUri(uri, field);
  const endpoint = options.endpoints?.[ref.provider];
  if (endpoint) return resolveEndpoint(ref, endpoint, env, field);
  switch (ref.provider) {
    case 'openai': {
      const baseURL = env.OPENAI_BASE_URL || undefined;
      // A local OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio) usually needs no key.
      const apiKey =
        env.OPENAI_API_KEY ||
        (baseURL ? 'unused' : missingKey(ref, 'OPENAI_API_KEY', field, 'or set OPENAI_BASE_URL to an OpenAI-compatible server'));
      const model = lazyModel('openai.chat', ref.modelId, async () =>
        (await import('@ai-sdk/openai')).createOpenAI({ apiKey, ...(baseURL ? { baseURL } : {}), fetch: providerFetch }).chat(ref.modelId),
      );
      return {
        ref,
        model,
        endpoint: `openai|${baseURL ?? 'https://api.openai.com/v1'}|OPENAI_API_KEY`,
        keyEnv: 'OPENAI_API_KEY',
        ...(OPENAI_REASONING.test(ref.modelId) ? {} : { logprobs: (top: number) => ({ openai: { logprobs: top } }) }),
      };
    }
    case 'anthropic': {
      const apiKey = env.ANTHROPIC_API_KEY || missingKey(ref, 'ANTHROPIC_API_KEY', field);
      const baseURL = env.ANTHROPIC_BASE_URL || undefined;
      const model = lazyModel('anthropic.messages', ref.modelId, async () =>
        (await import('@ai-sdk/anthropic')).createAnthropic({ apiKey, ...(baseURL ? { baseURL } : {}), fetch: providerFetch })(ref.modelId),
      );
      return { ref, model, endpoint: `anthropic|${baseURL ?? 'default'}|ANTHROPIC_API_KEY`, keyEnv: 'ANTHROPIC_API_KEY' };
    }
    case 'google': {
      const keyEnv = ['GOOGLE_GENERATIVE_AI_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'].find((name) => env[name]);
      const apiKey = keyEnv ? env[keyEnv]! : missingKey(ref, 'GOOGLE_GENERATIVE_AI_API_KEY', field);
      const model = lazyModel('google.generative-ai', ref.modelId, async () =>
        (await import('@ai-sdk/google')).createGoogleGenerativeAI({ apiKey, fetch: providerFetch })(ref.modelId),
      );
      return { ref, model, endpoint: `google|default|${keyEnv}`, keyEnv: keyEnv ?? 'GOOGLE_GENERATIVE_AI_API_KEY' };
    }
    case 'ollama': {
      const baseURL = env.OLLAMA_BASE_URL || 'http://127.0.0.1:11434/api';
      const model = lazyModel('ollama', ref.modelId, async () =>
        (await import('ollama-ai-provider-v2')).createOllama({ baseURL, fetch: providerFetch })(ref.modelId),
      );
      return { ref, model, endpoint: `ollama|${baseURL}|` };
    }
    default:
      throw new ConfigError(`unknown model provider '${ref.provider}' in ${JSON.stringify(uri)}`, {
        where: { field },
        hint: `use one of ${BUILT_IN_PROVIDERS.join(', ')}, or declare an OpenAI-compatible endpoint: endpoints: { ${ref.provider}: { base_url: http://host:port/v1, api_key_env: MY_KEY } }`,
      });
  }
}

function resolveEndpoint(ref: ModelRef, endpoint: EndpointConfig, env: Env, field: string): ResolvedModel {
  const keyEnv = endpoint.api_key_env;
  const apiKey = keyEnv
    ? env[keyEnv] || missingKey(ref, keyEnv, field, `or remove api_key_env from endpoints.${ref.provider} if the server needs no key`)
    : undefined;
  const model = lazyModel(`${ref.provider}.chat`, ref.modelId, async () =>
    (await import('@ai-sdk/openai-compatible'))
      .createOpenAICompatible({
        name: ref.provider,
        baseURL: endpoint.base_url,
        ...(apiKey ? { apiKey } : {}),
        ...(endpoint.headers ? { headers: endpoint.headers } : {}),
        includeUsage: true,
        supportsStructuredOutputs: endpoint.structured_outputs ?? true,
        metadataExtractor: logprobsExtractor(ref.provider),
        fetch: providerFetch,
      })
      .chatModel(ref.modelId),
  );
  return {
    ref,
    model,
    endpoint: `${ref.provider}|${endpoint.base_url}|${keyEnv ?? ''}`,
    ...(keyEnv ? { keyEnv } : {}),
    // Provider options under the endpoint's name go into the request body as they are.
    logprobs: (top: number) => ({ [ref.provider]: { logprobs: true, top_logprobs: top } }),
  };
}

/**
 * Hands an OpenAI-compatible answer's `choices[0].logprobs.content` on as provider metadata (the
 * compatible provider reads no logprobs itself), under the endpoint's name, as OpenAI's are under `openai`.
 */
function logprobsExtractor(name: string) {
  const extract = (body: unknown) => {
    const content = (body as { choices?: Array<{ logprobs?: { content?: unknown } | null }> } | null)?.choices?.[0]?.logprobs?.content;
    return Array.isArray(content) ? { [name]: { logprobs: content as JSONValue[] } } : undefined;
  };
  return {
    extractMetadata: async ({ parsedBody }: { parsedBody: unknown }) => extract(parsedBody),
    createStreamExtractor: () => ({ processChunk: () => undefined, buildMetadata: () => undefined }),
  };
}

function missingKey(ref: ModelRef, envVar: string, field: string, extra = ''): never {
  throw new ConfigError(`${ref.uri} needs an API key, but ${envVar} is not set`, {
    where: { field },
    hint: `export ${envVar}=…${extra ? ` ${extra}` : ''}`,
  });
}
