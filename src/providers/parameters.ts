/**
 * Model parameters as users write them (OpenAI's snake_case or the AI SDK's camelCase) → the AI
 * SDK's call settings. Unknown names are config errors, found before any call.
 */
import { ConfigError } from '../errors.js';

/** The AI SDK call settings Juror passes through. */
export interface CallSettings {
  temperature?: number;
  maxOutputTokens?: number;
  topP?: number;
  topK?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  stopSequences?: string[];
}

const NAMES: Record<string, keyof CallSettings> = {
  temperature: 'temperature',
  max_tokens: 'maxOutputTokens',
  max_output_tokens: 'maxOutputTokens',
  maxOutputTokens: 'maxOutputTokens',
  top_p: 'topP',
  topP: 'topP',
  top_k: 'topK',
  topK: 'topK',
  presence_penalty: 'presencePenalty',
  presencePenalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty',
  frequencyPenalty: 'frequencyPenalty',
  seed: 'seed',
  stop: 'stopSequences',
  stopSequences: 'stopSequences',
};

/**
 * Converts parameters to call settings.
 * @example toCallSettings({ temperature: 0, max_tokens: 200 }) // { temperature: 0, maxOutputTokens: 200 }
 */
export function toCallSettings(parameters: Record<string, unknown>, field = 'parameters'): CallSettings {
  const settings: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const setting = NAMES[name];
    if (!setting) {
      throw new ConfigError(`unknown model parameter '${name}'`, {
        where: { field: `${field}.${name}` },
        hint: `use one of: ${[...new Set(Object.keys(NAMES).filter((n) => !/[A-Z]/.test(n)))].join(', ')}`,
      });
    }
    if (setting === 'stopSequences') {
      settings[setting] = Array.isArray(value) ? value.map(String) : [String(value)];
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ConfigError(`model parameter '${name}' must be a number, not ${JSON.stringify(value)}`, {
        where: { field: `${field}.${name}` },
      });
    } else {
      settings[setting] = value;
    }
  }
  return settings as CallSettings;
}
