/**
 * Splits a stream of text into lines without holding more than one chunk and one line.
 */

/**
 * Yields the lines of a text stream, one per `\n`, without their `\r\n` or `\n` ending. A last
 * line with no newline is still yielded; a newline at the very end does not produce an extra
 * empty line. (The byte order mark is the decoder's to drop: see `readText`.)
 */
export async function* readLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of chunks) {
    const text = pending + chunk;
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
  if (pending.length > 0) yield withoutCr(pending);
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
