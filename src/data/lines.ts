/**
 * Splits a byte stream into text lines without holding more than one chunk and one line.
 */
import { StringDecoder } from 'node:string_decoder';

/**
 * Yields the lines of a UTF-8 byte stream, one per `\n`, without their `\r\n` or `\n` ending.
 * A leading BOM is dropped and a last line with no newline is still yielded; a newline at the
 * very end does not produce an extra empty line.
 */
export async function* readLines(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  // The decoder holds back a multi-byte character split across two chunks.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let first = true;
  for await (const chunk of bytes) {
    let text = pending + decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    // The pending tail holds no newline, so a long line spanning many chunks is scanned once.
    let end = text.indexOf('\n', pending.length);
    while (end !== -1) {
      yield withoutCr(text.slice(start, end));
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    pending = text.slice(start);
  }
  pending += decoder.end();
  if (pending.length > 0) yield withoutCr(pending);
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
