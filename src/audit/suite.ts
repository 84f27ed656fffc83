/**
 * The probe suite of `juror audit`: the perturbation texts, kept as data in a versioned YAML file
 * (suites/v1.yaml ships with Juror; `--suite` reads another) and validated here, each problem a
 * config error at the file's line. The built-in file sits beside this module in src/, and is
 * copied beside the built modules by scripts/build-cli.mjs (dist/audit/suites/ for the library,
 * dist/bin/suites/ for the bundled CLI), so the same relative URL finds it from each.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { fieldPath, YamlFile } from '../config/yaml-file.js';
import { ConfigError } from '../errors.js';

/** The version of the suite that ships with Juror. */
export const BUILT_IN_SUITE_VERSION = 'v1';

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lowercase letters, digits and _, starting with a letter');
const template = z.string().min(1, 'a template is not empty');
const withResponse = template.refine((t) => t.includes('{response}'), 'the template must contain {response}, the original response');

const suiteSchema = z.strictObject({
  suite: z.string().min(1),
  version: z.string().regex(/^[\w.-]+$/, 'use a word such as v1'),
  verbosity: z.strictObject({
    lengths: z.array(z.number().min(1.1, 'a padded response is longer than its original: use 2, 4…').max(20)).min(1),
    paddings: z.array(z.strictObject({ id, sentences: z.array(z.string().trim().min(1)).min(1) })).min(1),
  }),
  authority: z.array(z.strictObject({ id, template: withResponse })).min(1),
  injection: z.array(z.strictObject({ family: id, attacks: z.array(z.strictObject({ id, template })).min(1) })).min(1),
});

/** A probe suite, as validated. */
export type ProbeSuite = z.infer<typeof suiteSchema>;

/**
 * Reads a probe suite: `path`, or the built-in suite when omitted. A problem is a config error
 * naming the file, line and field.
 * @example const suite = await loadSuite(); // juror-bias-probes v1
 */
export async function loadSuite(path?: string): Promise<ProbeSuite> {
  const yaml = await YamlFile.read(path ?? builtInSuitePath(), 'probe suite');
  const parsed = suiteSchema.safeParse(yaml.value());
  if (parsed.success) {
    checkUniqueIds(parsed.data, yaml);
    return parsed.data;
  }
  const issue = parsed.error.issues[0]!;
  const path_ = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const field = path_
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  throw yaml.place(
    new ConfigError(`probe suite: ${field ? `${field}: ` : ''}${issue.message}`, {
      where: { field },
      hint: 'see the built-in suite (src/audit/suites/v1.yaml) for the format',
    }),
    fieldPath(field),
  );
}

/** The built-in suite's file, wherever this module was built to. */
export function builtInSuitePath(): string {
  const file = fileURLToPath(new URL(`./suites/${BUILT_IN_SUITE_VERSION}.yaml`, import.meta.url));
  if (!existsSync(file)) {
    // A packaging fault, not the user's: npm run build copies the file.
    throw new Error(`the built-in probe suite is missing: ${file} (rebuild Juror, or give a suite file with --suite)`);
  }
  return file;
}

/** Variant ids must be unique within their probe, or two perturbations would be reported as one. */
function checkUniqueIds(suite: ProbeSuite, yaml: YamlFile): void {
  const lists: Array<[string, string[]]> = [
    ['verbosity.paddings', suite.verbosity.paddings.map((p) => p.id)],
    ['authority', suite.authority.map((a) => a.id)],
    ['injection', suite.injection.map((f) => f.family)],
    ['injection attacks', suite.injection.flatMap((f) => f.attacks.map((a) => a.id))],
  ];
  for (const [where, ids] of lists) {
    const twice = ids.find((value, i) => ids.indexOf(value) !== i);
    if (twice !== undefined) {
      throw yaml.place(
        new ConfigError(`probe suite: ${where}: the id '${twice}' is used twice`, {
          where: { field: where.split(' ')[0]! },
          hint: 'give each perturbation its own id',
        }),
      );
    }
  }
}
