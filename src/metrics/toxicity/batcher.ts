/**
 * Groups items that arrive together into batches for one call: rows are scored concurrently, one
 * text each, and a classifier runs a padded batch far faster than the same texts one by one.
 */

interface Waiting<In, Out> {
  item: In;
  resolve(out: Out): void;
  reject(error: unknown): void;
}

export class Batcher<In, Out> {
  private readonly queue: Array<Waiting<In, Out>> = [];
  private draining = false;

  /**
   * @param run answers a batch, one output per item in order; when it throws, every item of the batch fails with its error
   * @param maxBatch the most items in one call
   */
  constructor(
    private readonly run: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch: number,
  ) {}

  /**
   * Queues an item: items queued in the same turn of the event loop go in one batch, and items
   * queued while a batch runs go in the next; one batch runs at a time.
   */
  add(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const outputs = await this.run(batch.map((w) => w.item));
        if (outputs.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${outputs.length} answers`);
        batch.forEach((w, i) => w.resolve(outputs[i]!));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.draining = false;
  }
}
