/**
 * A span as the conventions read it: OTLP's span with ids in hex, times in nanoseconds and
 * attributes as plain values, the same whether it came as protobuf or as OTLP/JSON.
 */

/** An attribute's value: OTLP's AnyValue as plain data (kvlists become objects). */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** Attributes by key. */
export type Attributes = Record<string, AttributeValue>;

/** A span event (`gen_ai.user.message`, `gen_ai.choice`, …). */
export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

/** One span with its resource's attributes. */
export interface Span {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startUnixNano: bigint;
  endUnixNano: bigint;
  attributes: Attributes;
  events: SpanEvent[];
  /** The attributes of the resource that emitted it (`service.name`, …). */
  resource: Attributes;
}

/**
 * Reads attributes and remembers which keys it read, so that what no convention used is kept as
 * the interaction's metadata.
 */
export class AttributeReader {
  private readonly read = new Set<string>();

  constructor(readonly attributes: Attributes) {}

  /** The value of `key` (marked as read), or undefined. */
  get(key: string): AttributeValue | undefined {
    if (!(key in this.attributes)) return undefined;
    this.read.add(key);
    return this.attributes[key];
  }

  /** A string value (numbers and booleans as text), or undefined. */
  string(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  /** A finite number (numeric strings included), or undefined. */
  number(key: string): number | undefined {
    const value = this.get(key);
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
  }

  /** The first of these keys that has a number. */
  firstNumber(...keys: string[]): number | undefined {
    for (const key of keys) {
      const value = this.number(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** The first of these keys that has a non-empty string. */
  firstString(...keys: string[]): string | undefined {
    for (const key of keys) {
      const value = this.string(key);
      if (value) return value;
    }
    return undefined;
  }

  /**
   * Flattened indexed attributes (`prefix.0.role`, `prefix.0.content`, `prefix.1.role`…) as one
   * record per index, in index order; every key under the prefix is marked as read.
   */
  indexed(prefix: string): Array<Record<string, AttributeValue>> {
    const items = new Map<number, Record<string, AttributeValue>>();
    const pattern = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.(.+)$`);
    for (const [key, value] of Object.entries(this.attributes)) {
      const match = pattern.exec(key);
      if (!match) continue;
      this.read.add(key);
      const index = Number(match[1]);
      const item = items.get(index) ?? {};
      item[match[2]!] = value;
      items.set(index, item);
    }
    return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
  }

  /** The attributes no convention read. */
  unread(): Attributes {
    return Object.fromEntries(Object.entries(this.attributes).filter(([key]) => !this.read.has(key)));
  }
}
