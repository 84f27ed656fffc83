/**
 * A YAML file read with positions, so that any error about a field of it can name the file, line
 * and column of that field.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError, InputError } from '../errors.js';

/** A path into a YAML document: keys and list indexes. */
export type FieldPath = Array<string | number>;

/** A parsed YAML file that can place a field path at its line and column. */
export class YamlFile {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Reads and parses a file; a missing file is an InputError, invalid YAML a ConfigError at its line.
   * `what` names the file in messages ("config file", "judge file").
   */
  static async read(path: string, what: string): Promise<YamlFile> {
    const file = resolve(path);
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (cause) {
      throw new InputError(`${what} not found: ${file}`, { where: { file }, hint: 'check the path', cause });
    }
    const lines = new LineCounter();
    const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const yamlError = doc.errors[0];
    if (yamlError) {
      const pos = lines.linePos(yamlError.pos[0]);
      throw new ConfigError(`invalid YAML: ${yamlError.message.split('\n')[0]}`, {
        where: { file, line: pos.line, column: pos.col },
        hint: 'fix the YAML syntax at that place (indentation, quotes, colons)',
      });
    }
    return new YamlFile(file, doc, lines);
  }

  /** The document as plain values. */
  value(): unknown {
    return this.doc.toJS();
  }

  /** The file, line and column of the deepest node of `path` that exists (a key rather than its value). */
  at(path: FieldPath): { file: string; line?: number; column?: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const sub = path.slice(0, depth);
      const node = sub.length ? this.doc.getIn(sub, true) : this.doc.contents;
      const keyNode = depth > 0 && depth === path.length ? this.keyNode(sub) : undefined;
      const target = keyNode ?? node;
      if (isNode(target) && target.range) {
        const pos = this.lines.linePos(target.range[0]);
        return { file: this.file, line: pos.line, column: pos.col };
      }
    }
    return { file: this.file };
  }

  /** Gives a ConfigError that names a field of this file its file, line and column. */
  place(error: unknown, path: FieldPath = fieldPath((error as ConfigError).where?.field ?? '')): unknown {
    if (error instanceof ConfigError && !error.where.file) Object.assign(error.where, this.at(path));
    return error;
  }

  private keyNode(path: FieldPath): unknown {
    const parent = path.length > 1 ? this.doc.getIn(path.slice(0, -1), true) : this.doc.contents;
    const last = path[path.length - 1];
    if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
      for (const item of parent.items as unknown[]) {
        if (item && typeof item === 'object' && 'key' in item) {
          const key = (item as { key: unknown }).key;
          if (isNode(key) && 'value' in key && (key as { value: unknown }).value === last) return key;
        }
      }
    }
    return undefined;
  }
}

/** `metrics[2].examples[0].score` → `['metrics', 2, 'examples', 0, 'score']`. */
export function fieldPath(field: string): FieldPath {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((p) => p !== undefined && p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}
