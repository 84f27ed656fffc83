/**
 * Errors a user can act on. Each names where the problem is (file, line, column, field, row)
 * and what to do about it, and maps to the CLI's exit code.
 */

/** Where in the user's input a problem was found. */
export interface Location {
  file?: string;
  line?: number;
  column?: number;
  /** A config field path such as `metrics[1].grading_prompt`, or a dataset column name. */
  field?: string;
  /** 0-based index of a dataset row. */
  row?: number;
}

/** Kinds of failure, each with its own exit code and its own header in messages. */
export type ErrorKind = 'config' | 'input' | 'provider' | 'store';

/** Base class of every error Juror raises on purpose. */
export class JurorError extends Error {
  readonly kind: ErrorKind;
  readonly where: Location;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, options: { where?: Location; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'JurorError';
    this.kind = kind;
    this.where = options.where ?? {};
    this.hint = options.hint;
  }

  /** One readable paragraph: `file:line:column (field): message\n  fix: hint`. */
  describe(): string {
    const place = formatLocation(this.where);
    const head = place ? `${place}: ${this.message}` : this.message;
    return this.hint ? `${head}\n  fix: ${this.hint}` : head;
  }
}

/** A problem in a config file, a judge definition or `evaluate()` options. Exit code 2. */
export class ConfigError extends JurorError {
  constructor(message: string, options: { where?: Location; hint?: string; cause?: unknown } = {}) {
    super('config', message, options);
    this.name = 'ConfigError';
  }
}

/** A problem in the data: a missing file, a malformed line, an empty dataset. Exit code 2. */
export class InputError extends JurorError {
  constructor(message: string, options: { where?: Location; hint?: string; cause?: unknown } = {}) {
    super('input', message, options);
    this.name = 'InputError';
  }
}

/**
 * Something named does not exist: a judge, a version, a stored dataset, a label job. Exit code 2
 * in the CLI; 404 over HTTP.
 */
export class NotFoundError extends JurorError {
  constructor(message: string, options: { where?: Location; hint?: string; cause?: unknown } = {}) {
    super('input', message, options);
    this.name = 'NotFoundError';
  }
}

/**
 * A provider refused the run as a whole (bad key, unknown model, rejected parameter): retrying
 * cannot help, so the run stops instead of turning every row into an error row.
 */
export class ProviderError extends JurorError {
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; hint?: string; cause?: unknown } = {}) {
    super('provider', message, options);
    this.name = 'ProviderError';
    this.status = options.status;
  }
}

/** Formats a location as `file:line:column`, `row N`, `field` — whichever parts are known. */
export function formatLocation(where: Location): string {
  const parts: string[] = [];
  if (where.file) {
    let file = where.file;
    if (where.line !== undefined) file += `:${where.line}`;
    if (where.line !== undefined && where.column !== undefined) file += `:${where.column}`;
    parts.push(file);
  }
  if (where.row !== undefined) parts.push(`row ${where.row}`);
  if (where.field) parts.push(where.field);
  return parts.join(', ');
}
