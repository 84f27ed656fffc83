/** Uploaded datasets: upload a file, list them, open one. */
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../api.js';
import { Empty, ErrorBox, Loading } from '../components/common.js';
import { formatBytes, formatInt, formatRelative, shortHash } from '../format.js';
import { useApi } from '../hooks.js';
import { Link, navigate } from '../router.js';

function UploadForm({ onUploaded }: { onUploaded: (id: string) => void }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | undefined>();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const dataset = await api.uploadDataset(file, name.trim() || undefined);
      onUploaded(dataset.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card upload-form" onSubmit={submit} aria-label="upload a dataset">
      <h2>Upload a dataset</h2>
      <p className="muted small">CSV, JSON Lines, JSON (an array of records) or Parquet. The first rows are shown after the upload.</p>
      <div className="form-row">
        <label className="control grow">
          <span>File</span>
          <input
            ref={fileInput}
            type="file"
            name="file"
            accept=".csv,.jsonl,.ndjson,.json,.parquet"
            onChange={(e) => {
              const chosen = e.target.files?.[0];
              setFile(chosen);
              if (chosen && !name) setName(chosen.name.replace(/\.[^.]+$/, ''));
            }}
          />
        </label>
        <label className="control grow">
          <span>Name</span>
          <input type="text" name="name" value={name} placeholder="from the file name" onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="button primary" disabled={!file || busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </div>
      {error !== undefined && <ErrorBox error={error} title="Upload failed" />}
    </form>
  );
}

export function DatasetsPage() {
  const datasets = useApi((_signal) => api.datasets({ limit: 200 }), []);
  return (
    <div className="page datasets-page">
      <div className="page-header">
        <h1>Datasets</h1>
      </div>
      <UploadForm onUploaded={(id) => navigate(`/datasets/${encodeURIComponent(id)}`)} />
      {datasets.error && <ErrorBox error={datasets.error} title="Could not load datasets" />}
      {!datasets.data && datasets.loading && <Loading what="Loading datasets" />}
      {datasets.data && datasets.data.datasets.length === 0 && <Empty>No datasets uploaded yet.</Empty>}
      {datasets.data && datasets.data.datasets.length > 0 && (
        <div className="table-wrap">
          <table className="table datasets-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Format</th>
                <th className="num">Rows</th>
                <th>Columns</th>
                <th className="num">Size</th>
                <th>Hash</th>
                <th>Uploaded</th>
              </tr>
            </thead>
            <tbody>
              {datasets.data.datasets.map((d) => (
                <tr key={d.id} data-dataset-id={d.id}>
                  <td>
                    <Link to={`/datasets/${encodeURIComponent(d.id)}`}>{d.name}</Link>
                    <div className="muted small">{d.original_name}</div>
                  </td>
                  <td>{d.format}</td>
                  <td className="num">{formatInt(d.row_count)}</td>
                  <td className="truncate-cell muted" title={d.columns.join(', ')}>
                    {d.columns.join(', ')}
                  </td>
                  <td className="num">{formatBytes(d.size_bytes)}</td>
                  <td className="mono muted small">{shortHash(d.hash)}</td>
                  <td>{formatRelative(d.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
