/** Assertions on the errors Juror raises, shared by the unit tests. */
import { expect } from 'vitest';
import { ConfigError } from '../../src/errors.js';

/** Runs `make` and returns the ConfigError it throws (failing the test if it throws anything else, or nothing). */
export function configError(make: () => unknown): ConfigError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** Awaits `run` and returns the ConfigError it rejects with (failing the test on anything else, or on success). */
export async function configRejection(run: Promise<unknown>): Promise<ConfigError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}
