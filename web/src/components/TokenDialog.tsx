/** Asks for an API token when the server answers 401; the token is kept in localStorage. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { onTokenNeeded } from '../api.js';

interface Pending {
  reason: string;
  resolve: (token: string | null) => void;
}

export function TokenDialog() {
  const [pending, setPending] = useState<Pending | undefined>();
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    onTokenNeeded((reason) => new Promise((resolve) => setPending({ reason, resolve })));
  }, []);
  useEffect(() => {
    if (pending) input.current?.focus();
  }, [pending]);

  if (!pending) return null;
  const finish = (token: string | null) => {
    pending.resolve(token);
    setPending(undefined);
    setValue('');
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) finish(value.trim());
  };
  return (
    <div className="modal-backdrop">
      <form className="modal" onSubmit={submit} aria-label="API token">
        <h2>API token needed</h2>
        <p className="muted">{pending.reason}</p>
        <p className="muted small">
          Create one on the server with <code>juror tokens create</code>. It is kept in this browser only.
        </p>
        <input
          ref={input}
          type="password"
          name="token"
          placeholder="juror_…"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
        />
        <div className="modal-actions">
          <button type="button" className="button" onClick={() => finish(null)}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={!value.trim()}>
            Save token
          </button>
        </div>
      </form>
    </div>
  );
}
