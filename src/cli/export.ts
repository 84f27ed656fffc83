/**
 * `juror export finetune --label-job <id>`: a label job's labelled rows as chat-format fine-tuning
 * data (JSON Lines: the judge's system and user messages as it saw them, and the final label —
 * a person's where given — with its justification as the assistant's answer), for distilling the
 * judge into a smaller model.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LabelJobs } from '../labeling/engine.js';
import { defaultDataDir } from '../store/data-dir.js';
import { defaultStoreLocation, Store } from '../store/store.js';
import { EXIT, reportError } from './exit.js';

/** The flags of `juror export finetune`. */
export interface ExportFlags {
  labelJob: string;
  out?: string;
  db?: string;
}

/** Runs `juror export finetune` and returns its exit code. */
export async function exportFinetuneCommand(flags: ExportFlags): Promise<number> {
  let store: Store | undefined;
  try {
    store = await Store.open(flags.db ? { path: flags.db } : defaultStoreLocation());
    const engine = new LabelJobs({ store, dataDir: defaultDataDir(store) });
    const id = await engine.jobs.findId(flags.labelJob);
    let count = 0;
    const lines = Readable.from(
      (async function* () {
        for await (const example of engine.finetune(id)) {
          count++;
          yield `${JSON.stringify(example)}\n`;
        }
      })(),
    );
    if (flags.out) {
      const target = resolve(flags.out);
      await mkdir(dirname(target), { recursive: true });
      await pipeline(lines, createWriteStream(target));
      process.stderr.write(`juror: ${count} fine-tuning examples of label job ${id} written to ${flags.out}\n`);
    } else {
      await pipeline(lines, process.stdout, { end: false });
    }
    return EXIT.ok;
  } catch (error) {
    return reportError(error);
  } finally {
    await store?.close();
  }
}
