/** Schemas shared by every resource: errors, ids, paging. */
import { z } from 'zod';

/** Every error response: the HTTP status, a code, a message naming the problem, and where known the field and a fix. */
export const errorBody = z.object({
  status: z.number().int(),
  error: z.string().describe('bad_request, unauthorized, not_found, conflict, payload_too_large, internal, …'),
  message: z.string(),
  field: z.string().optional().describe('the request field at fault: a query parameter, `config.metrics[0].grading_prompt`, `file`'),
  hint: z.string().optional().describe('what to do about it'),
  line: z.number().int().optional().describe('the line of an uploaded file at fault'),
});
export type ErrorBody = z.infer<typeof errorBody>;

/** A path `:id`. */
export const idParams = z.strictObject({ id: z.string().min(1).max(200) });

/** `?limit=&offset=` with a default and a ceiling. */
export function pageQuery(defaultLimit: number, maxLimit: number) {
  return {
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    offset: z.coerce.number().int().min(0).default(0),
  };
}

/** A boolean query parameter: `true`/`false` or `1`/`0`. */
export const queryFlag = z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'] });

/** `GET /api/health`. */
export const healthResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  auth: z.boolean().describe('whether /api calls need a bearer token'),
  store: z.enum(['sqlite', 'postgres']),
});
export type Health = z.infer<typeof healthResponse>;
