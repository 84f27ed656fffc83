/**
 * The web UI's build: `vite build --config web/vite.config.ts` writes it to `dist/web/`, which
 * `juror serve` serves at `/`. `vite --config web/vite.config.ts` serves it for development,
 * proxying /api to a running `juror serve` (JUROR_API, default http://127.0.0.1:4173).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': process.env.JUROR_API ?? 'http://127.0.0.1:4173' },
  },
});
