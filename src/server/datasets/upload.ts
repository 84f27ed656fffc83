/**
 * Receiving a dataset upload: the multipart file is streamed to a temporary file in the data
 * directory (never held in memory), then stored by the datasets module (`storeDataset`: validated
 * end to end, renamed to `<id>.<ext>`, recorded). On any failure — too large, malformed, a store
 * error — nothing is kept.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { formatOfExtension } from '../../data/dataset.js';
import { EncodingError } from '../../data/text.js';
import { storeDataset, storedName } from '../../datasets/index.js';
import { JurorError } from '../../errors.js';
import type { DatasetRecord } from '../../store/datasets.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';

/** An uploaded file saved to a temporary file, not yet validated. */
interface Received {
  temp: string;
  originalName: string;
}

const fileHint = 'send the dataset as multipart/form-data, the file in a field named `file` (e.g. curl -F file=@data.csv)';

/** Reads, validates and stores an uploaded dataset. */
export async function receiveDataset(request: FastifyRequest, ctx: ServerContext): Promise<DatasetRecord> {
  if (!request.isMultipart()) throw new ApiError(400, 'the request is not a multipart upload', { field: 'file', hint: fileHint });
  const fields: { name?: string; format?: string } = {};
  let received: Received | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === 'name' || part.fieldname === 'format') fields[part.fieldname] = String(part.value);
        else
          throw new ApiError(400, `unknown field '${part.fieldname}'`, {
            field: part.fieldname,
            hint: 'the fields are name, format and file',
          });
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new ApiError(400, `unexpected file field '${part.fieldname}'`, { field: part.fieldname, hint: fileHint });
      }
      if (received) throw new ApiError(400, 'more than one file was sent', { field: 'file', hint: 'upload one dataset per request' });
      received = await saveTemporary(part, fields.format, ctx);
    }
  } catch (error) {
    if (received) await rm(received.temp, { force: true });
    throw uploadError(error, ctx.maxUploadBytes);
  }
  if (!received) throw new ApiError(400, 'no file was sent', { field: 'file', hint: fileHint });
  return store(received, fields.name, ctx);
}

async function saveTemporary(part: MultipartFile, formatField: string | undefined, ctx: ServerContext): Promise<Received> {
  const originalName = part.filename || 'dataset';
  const format = formatOfExtension(formatField ? `.${formatField}` : extname(originalName));
  if (!format) {
    part.file.resume();
    throw formatField
      ? new ApiError(400, `unknown format '${formatField}'`, { field: 'format', hint: 'use csv, jsonl, json or parquet' })
      : new ApiError(400, `cannot tell the format of '${originalName}' from its name`, {
          field: 'file',
          hint: 'upload a file ending in .csv, .jsonl, .ndjson, .json or .parquet, or send a `format` field before the file',
        });
  }
  // The temporary file's extension carries the format, as a stored file's does.
  const temp = join(ctx.dataDir, `.upload-${storedName(randomUUID(), format)}`);
  try {
    await pipeline(part.file, createWriteStream(temp, { flags: 'wx' }));
    if (part.file.truncated) throw tooLarge(ctx.maxUploadBytes);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { temp, originalName };
}

async function store(received: Received, name: string | undefined, ctx: ServerContext): Promise<DatasetRecord> {
  try {
    return await storeDataset(ctx.datasets, ctx.dataDir, { path: received.temp, originalName: received.originalName, name, place: 'move' });
  } catch (error) {
    throw uploadProblem(error, received.temp, received.originalName);
  } finally {
    // Gone once moved; still there when the file was refused.
    await rm(received.temp, { force: true });
  }
}

/** A data error of the uploaded file, naming the file as uploaded rather than the temporary path. */
function uploadProblem(error: unknown, temp: string, originalName: string): unknown {
  if (!(error instanceof JurorError)) return error;
  const message = error.message.replaceAll(temp, originalName);
  // An upload has no config to name an encoding in: datasets are stored as UTF-8.
  const hint = error instanceof EncodingError ? 'save the file as UTF-8 and upload it again' : error.hint;
  return new ApiError(400, message, {
    field: 'file',
    ...(error.where.line !== undefined ? { line: error.where.line } : {}),
    ...(hint ? { hint } : {}),
  });
}

function uploadError(error: unknown, limit: number): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(limit);
  if (code === 'FST_FILES_LIMIT')
    return new ApiError(400, 'more than one file was sent', { field: 'file', hint: 'upload one dataset per request' });
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
    return new ApiError(400, 'too many fields in the upload', { hint: 'send only name, format and file' });
  return error;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, `the file is larger than the upload limit of ${formatBytes(limit)}; nothing was stored`, {
    field: 'file',
    hint: 'upload a smaller file, or restart the server with a higher limit (juror serve --max-upload-mb N)',
  });
}

/** 104857600 → "100 MB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
