/**
 * What the browser tests share: the built UI (built here when missing), the real `juror serve`
 * in-process on a free port over a temp SQLite store, and Debian's Chromium driven by
 * playwright-core (never a downloaded browser).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type JurorServer, type ServerOptions } from '../../src/server/app.js';

export const CHROMIUM = process.env.JUROR_CHROMIUM ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_DIR = join(ROOT, 'dist/web');
/** Screenshots are kept here as test artifacts (gitignored). */
export const SHOTS_DIR = join(ROOT, 'test-results/ui');

/** The newest modification time of the UI's sources. */
function newestSource(dir = join(ROOT, 'web')): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The UI as `npm run build` makes it; built now when missing or older than its sources. */
export function ensureWebBuilt(): string {
  const index = join(WEB_DIR, 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newestSource()) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(ROOT, 'web/vite.config.ts'), '--logLevel', 'warn'],
      { cwd: ROOT, stdio: 'inherit' },
    );
  }
  return WEB_DIR;
}

/** The flags this machine's Chromium needs: no sandbox as root, no GPU, and no calls home on a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches Chromium headless; playwright gives each launch a fresh, empty profile directory. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A new page of a fresh context, sized like a laptop screen, with page errors collected; a resource or
 * inline style the server's Content-Security-Policy blocks is one too (Chromium reports it on the console).
 */
export async function newPage(browser: Browser): Promise<{ page: Page; pageErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  return { page, pageErrors };
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const path = join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  return path;
}

/** A temp directory for one test file's store and uploads. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `juror serve` in-process on a free loopback port, serving the built UI. */
export async function startJuror(
  options: Omit<ServerOptions, 'webDir' | 'port' | 'host' | 'store'> & { dbPath: string },
): Promise<JurorServer> {
  mkdirSync(dirname(options.dbPath), { recursive: true });
  const { dbPath, ...rest } = options;
  return startServer({ ...rest, store: { path: dbPath }, host: '127.0.0.1', port: 0, webDir: ensureWebBuilt(), checkResponses: true });
}
