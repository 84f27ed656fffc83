/** The error every `JurorClient` method throws: the HTTP status and the server's message, field and fix. */
import type { ErrorBody } from '../server/schemas/common.js';

export class JurorApiError extends Error {
  /** The HTTP status; 0 when the server could not be reached or a wait timed out. */
  readonly status: number;
  /** The server's error code (`bad_request`, `not_found`, …), or `network` / `timeout`. */
  readonly code: string;
  /** The request field at fault, when the server named one. */
  readonly field: string | undefined;
  /** What to do about it, when the server said. */
  readonly hint: string | undefined;
  /** The line of an uploaded file at fault. */
  readonly line: number | undefined;

  constructor(
    status: number,
    message: string,
    details: { code?: string; field?: string; hint?: string; line?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'JurorApiError';
    this.status = status;
    this.code = details.code ?? (status === 0 ? 'network' : 'error');
    this.field = details.field;
    this.hint = details.hint;
    this.line = details.line;
  }

  /** Builds the error from a failed response, reading the server's error body when there is one. */
  static async fromResponse(response: Response, what: string): Promise<JurorApiError> {
    const text = await response.text().catch(() => '');
    let body: Partial<ErrorBody> | undefined;
    try {
      body = JSON.parse(text) as Partial<ErrorBody>;
    } catch {
      body = undefined;
    }
    const message = body?.message ?? (text.trim() || response.statusText || 'request failed');
    return new JurorApiError(response.status, `${what}: ${message} (HTTP ${response.status})`, {
      ...(body?.error ? { code: body.error } : {}),
      ...(body?.field ? { field: body.field } : {}),
      ...(body?.hint ? { hint: body.hint } : {}),
      ...(body?.line !== undefined ? { line: body.line } : {}),
    });
  }
}
