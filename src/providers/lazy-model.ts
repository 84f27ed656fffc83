/**
 * A language model whose provider SDK is imported at its first call. Resolving a model URI checks
 * the credentials at once (config errors before any call), but the SDK itself — hundreds of
 * kilobytes per provider — loads only for the providers a run actually calls.
 */
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';

/**
 * Wraps `load` (which imports an SDK and builds the model) as a model: `provider` and `modelId`
 * are the real model's once it has loaded.
 */
export function lazyModel(provider: string, modelId: string, load: () => Promise<LanguageModelV3>): LanguageModelV3 {
  let loaded: LanguageModelV3 | undefined;
  let loading: Promise<LanguageModelV3> | undefined;
  const model = async (): Promise<LanguageModelV3> => (loaded ??= await (loading ??= load()));
  return {
    specificationVersion: 'v3',
    get provider() {
      return loaded?.provider ?? provider;
    },
    get modelId() {
      return loaded?.modelId ?? modelId;
    },
    // Judges send text only, so no URL is ever handed to the provider to download.
    get supportedUrls() {
      return loaded ? loaded.supportedUrls : model().then((m) => m.supportedUrls);
    },
    doGenerate: async (options: LanguageModelV3CallOptions) => (await model()).doGenerate(options),
    doStream: async (options: LanguageModelV3CallOptions) => (await model()).doStream(options),
  };
}
