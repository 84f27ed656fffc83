/** Forms that send one API call: busy while it runs, its error kept, and the field the error names marked. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from './api.js';

/** The field of a form control matches the error's field when it is the field or a parent of it. */
export function fieldMatches(control: string, error: string | undefined): boolean {
  if (!error) return false;
  const e = error.replace(/^config\./, '');
  const c = control.replace(/^config\./, '');
  return e === c || e.startsWith(`${c}.`) || e.startsWith(`${c}[`);
}

export interface ApiForm {
  busy: boolean;
  error: unknown;
  /** The request field the error names, when it names one. */
  errorField: string | undefined;
  submit: (event: FormEvent) => Promise<void>;
  /** `has-error` for the control of the field at fault. */
  fieldError: (field: string) => string;
  /** The error's message under the control of the field at fault. */
  hint: (field: string) => ReactNode;
}

/** `send` runs on submit; it stays busy after success (send navigates away) and not after a failure. */
export function useApiForm(send: () => Promise<void>): ApiForm {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const errorField = error instanceof ApiError ? error.field : undefined;
  return {
    busy,
    error,
    errorField,
    submit: async (event) => {
      event.preventDefault();
      setBusy(true);
      setError(undefined);
      try {
        await send();
      } catch (e) {
        setError(e);
        setBusy(false);
      }
    },
    fieldError: (field) => (fieldMatches(field, errorField) ? 'has-error' : ''),
    hint: (field) =>
      fieldMatches(field, errorField) && error instanceof ApiError ? <div className="field-error">{error.message}</div> : null,
  };
}
