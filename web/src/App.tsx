/** The shell: top navigation, the page for the current path, and the token dialog. */
import { getToken, setToken } from './api.js';
import { TokenDialog } from './components/TokenDialog.js';
import { ComparePage } from './pages/ComparePage.js';
import { DatasetPage } from './pages/DatasetPage.js';
import { DatasetsPage } from './pages/DatasetsPage.js';
import { JudgesPage } from './pages/JudgesPage.js';
import { LabelJobPage } from './pages/LabelJobPage.js';
import { MonitorPage, MonitorsPage } from './pages/MonitorsPage.js';
import { RunPage } from './pages/RunPage.js';
import { RunsPage } from './pages/RunsPage.js';
import { Link, match, useLocation } from './router.js';

function Page({ path }: { path: string }) {
  let params: Record<string, string> | undefined;
  if (path === '/' || path === '/runs') return <RunsPage />;
  if ((params = match('/runs/:id', path))) return <RunPage key={params.id} id={params.id!} />;
  if (path === '/compare') return <ComparePage />;
  if (path === '/datasets') return <DatasetsPage />;
  if ((params = match('/datasets/:id', path))) return <DatasetPage key={params.id} id={params.id!} />;
  if ((params = match('/label-jobs/:id', path))) return <LabelJobPage key={params.id} id={params.id!} />;
  if (path === '/judges') return <JudgesPage />;
  if (path === '/monitors') return <MonitorsPage />;
  if ((params = match('/monitors/:id', path))) return <MonitorPage key={params.id} id={params.id!} />;
  return (
    <div className="empty">
      No page at <code>{path}</code>. <Link to="/">Go to runs</Link>.
    </div>
  );
}

export function App() {
  const { path } = useLocation();
  const section =
    path.startsWith('/datasets') || path.startsWith('/label-jobs')
      ? 'datasets'
      : path.startsWith('/judges')
        ? 'judges'
        : path.startsWith('/monitors')
          ? 'monitors'
          : 'runs';
  return (
    <>
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark">J</span> Juror
        </Link>
        <nav className="topnav" aria-label="main">
          <Link to="/" className={section === 'runs' ? 'active' : ''}>
            Runs
          </Link>
          <Link to="/datasets" className={section === 'datasets' ? 'active' : ''}>
            Datasets
          </Link>
          <Link to="/judges" className={section === 'judges' ? 'active' : ''}>
            Judges
          </Link>
          <Link to="/monitors" className={section === 'monitors' ? 'active' : ''}>
            Monitors
          </Link>
        </nav>
        <div className="topbar-end">
          {getToken() && (
            <button
              type="button"
              className="link-button small"
              onClick={() => {
                setToken(null);
                window.location.reload();
              }}
              title="Forget the API token kept in this browser"
            >
              Sign out
            </button>
          )}
        </div>
      </header>
      <main className="main">
        <Page path={path} />
      </main>
      <TokenDialog />
    </>
  );
}
