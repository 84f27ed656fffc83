/**
 * A data file's bytes as text. UTF-8 unless the config names another encoding, decoded with the
 * WHATWG TextDecoder in fatal mode: a byte that is not valid in the encoding stops the read with
 * the file, line and column, where a lenient decoder would put U+FFFD in its place and send that
 * to the judge as if it were the user's text. A byte order mark is dropped, as TextDecoder does.
 */
import { isUtf8 } from 'node:buffer';
import type { Hash } from 'node:crypto';
import { basename } from 'node:path';
import { InputError } from '../errors.js';
import { readBytes } from './reader.js';

/** The encoding data files are read in unless told otherwise. */
export const DEFAULT_ENCODING = 'utf-8';

/** How a text file is to be decoded. */
export interface TextOptions {
  /** A WHATWG encoding label (`utf-8`, `latin1`, `windows-1252`, `utf-16le`, `shift_jis`…). */
  encoding?: string;
}

/** A file holds bytes that are not valid in its encoding. */
export class EncodingError extends InputError {
  constructor(message: string, options: ConstructorParameters<typeof InputError>[1]) {
    super(message, options);
    this.name = 'EncodingError';
  }
}

/** True when `encoding` is a label TextDecoder knows (case and spacing as the WHATWG spec allows). */
export function isKnownEncoding(encoding: string): boolean {
  try {
    new TextDecoder(encoding);
    return true;
  } catch {
    return false;
  }
}

/**
 * Streams a file as text chunks, feeding its bytes to `hash` when given. A character split
 * across two chunks is held back until it is whole; an invalid byte throws an EncodingError.
 */
export async function* readText(file: string, options: TextOptions & { hash?: Hash } = {}): AsyncGenerator<string> {
  const encoding = options.encoding ?? DEFAULT_ENCODING;
  const decoder = new TextDecoder(encoding, { fatal: true });
  let text: string;
  for await (const chunk of readBytes(file, options.hash)) {
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch (error) {
      throw await encodingError(file, encoding, error);
    }
    if (text !== '') yield text;
  }
  try {
    text = decoder.decode();
  } catch (error) {
    throw await encodingError(file, encoding, error);
  }
  if (text !== '') yield text;
}

/** Decodes a whole file's bytes (already read), throwing an EncodingError at an invalid byte. */
export async function decodeText(file: string, bytes: Uint8Array, options: TextOptions = {}): Promise<string> {
  const encoding = options.encoding ?? DEFAULT_ENCODING;
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    throw await encodingError(file, encoding, error);
  }
}

/** Where the first invalid byte of a UTF-8 stream is: 1-based line and character column. */
interface BadByte {
  line: number;
  column: number;
  byte: number;
}

async function encodingError(file: string, encoding: string, error: unknown): Promise<unknown> {
  if ((error as { code?: string }).code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') return error;
  const label = new TextDecoder(encoding).encoding;
  const name = basename(file);
  const hint =
    label === 'utf-8'
      ? `re-save the file as UTF-8, or set \`encoding: latin1\` (or the file's encoding) in the config's data options: data: { path: ${name}, encoding: latin1 }`
      : `set the file's real encoding in the config's data options (data: { path: ${name}, encoding: ... }), or re-save it as UTF-8 and remove \`encoding\``;
  // Lines are found only for UTF-8, where a newline byte never sits inside a character; the
  // file is read a second time, which costs nothing on the way to an error.
  const bad = label === 'utf-8' ? await findInvalidUtf8(readBytes(file)) : undefined;
  if (!bad) return new EncodingError(`${file} is not valid ${label}`, { where: { file }, hint, cause: error });
  const byte = `0x${bad.byte.toString(16).padStart(2, '0').toUpperCase()}`;
  return new EncodingError(`line ${bad.line} of ${file} is not valid UTF-8 (byte ${byte} at column ${bad.column})`, {
    where: { file, line: bad.line, column: bad.column },
    hint,
    cause: error,
  });
}

/** The first invalid byte of a UTF-8 stream, holding one line at a time. */
async function findInvalidUtf8(bytes: AsyncIterable<Buffer>): Promise<BadByte | undefined> {
  let line = 1;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of bytes) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(0x0a); end !== -1; end = data.indexOf(0x0a, start)) {
      const bad = findInLine(data.subarray(start, end), line);
      if (bad) return bad;
      line++;
      start = end + 1;
    }
    carry = data.subarray(start);
  }
  return findInLine(carry, line);
}

/**
 * The first invalid byte of one line. A lenient decode puts U+FFFD where it is; the text before
 * it is valid, so its UTF-8 length is the byte's offset. A U+FFFD that the file itself holds
 * (bytes EF BF BD) is passed over.
 */
function findInLine(bytes: Buffer, line: number): BadByte | undefined {
  if (isUtf8(bytes)) return undefined;
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const bom = line === 1 && text.startsWith('\uFEFF') ? 1 : 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
    const offset = Buffer.byteLength(text.slice(0, i));
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) {
      return { line, column: i + 1 - bom, byte: bytes[offset]! };
    }
  }
  return undefined;
}
