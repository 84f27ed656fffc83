/**
 * Bundles the `juror` command into dist/bin/ (what bin/juror.js runs). Node resolves and reads each
 * ES module file on its own, and the dependencies count hundreds of them (Kysely alone ~280), which
 * cost most of a short command's time; one bundle with a chunk per lazily loaded command keeps
 * `juror --version` and `juror runs list` near Node's own start-up. The library (dist/index.js)
 * stays tsc's unbundled output.
 *
 * Left outside the bundle: native or optional drivers and SDKs loaded at first use (better-sqlite3,
 * pg, transformers.js), and packages that locate their own files at run time.
 */
import { cpSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/bin/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [new URL('../src/cli/main.ts', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['better-sqlite3', 'pg', 'pg-native', 'fastify', '@fastify/*', '@huggingface/transformers', 'onnxruntime-node', 'undici'],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __jurorCreateRequire } from 'node:module'; const require = __jurorCreateRequire(import.meta.url);",
  },
});

// Data files modules read at run time, beside the built modules that read them: `juror audit`'s probe
// suites (src/audit/suite.ts finds them at ./suites/ of its own module), for the library (tsc's
// dist/audit/) and for this bundle (its chunks sit in dist/bin/).
const suites = new URL('../src/audit/suites/', import.meta.url).pathname;
for (const target of ['../dist/audit/suites/', '../dist/bin/suites/']) {
  cpSync(suites, new URL(target, import.meta.url).pathname, { recursive: true });
}
