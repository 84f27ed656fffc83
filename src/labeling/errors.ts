/** Errors of label jobs that are neither bad input nor config: an unknown job, a job in the wrong state. */
import { JurorError } from '../errors.js';

/** `not_found`: no such job or dataset; `conflict`: the job's status does not allow the action. */
export class LabelJobError extends JurorError {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
    options: { field?: string; hint?: string } = {},
  ) {
    super('input', message, {
      ...(options.field ? { where: { field: options.field } } : {}),
      ...(options.hint ? { hint: options.hint } : {}),
    });
    this.name = 'LabelJobError';
  }
}

/** The job does not exist. */
export function noSuchJob(id: string): LabelJobError {
  return new LabelJobError('not_found', `no label job '${id}'`, { hint: 'use the job id returned when the job was created' });
}

/** The job's status does not allow `action`. */
export function wrongStatus(id: string, status: string, action: string, allowed: string[]): LabelJobError {
  return new LabelJobError('conflict', `label job ${id} is ${status}: it cannot ${action}`, {
    hint: `${action} works while the job is ${allowed.join(' or ')}`,
  });
}
