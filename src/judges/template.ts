/**
 * `{variable}` templates, as in MLflow's and Databricks' judge prompts and LastMile's criteria.
 * `{{` and `}}` stand for literal braces, as in Python's str.format.
 */

const TOKEN = /\{\{|\}\}|\{([A-Za-z_][\w]*)\}/g;

/** The distinct variable names a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(TOKEN)) {
    if (match[1] !== undefined) names.add(match[1]);
  }
  return [...names];
}

/** Fills every `{variable}` with `fill(name)`; `{{`/`}}` become single braces. */
export function fillTemplate(template: string, fill: (name: string) => string): string {
  return template.replace(TOKEN, (token, name: string | undefined) => {
    if (name !== undefined) return fill(name);
    return token[0]!;
  });
}
