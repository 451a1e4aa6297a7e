/** Thrown by {@link MicroBatcher.submit} when `maxPending` items are already waiting: back-pressure. */
export class BatcherFullError extends Error {
  constructor(readonly pending: number) {
    super(`${pending} items are already waiting to be written`);
    this.name = 'BatcherFullError';
  }
}

export interface MicroBatcherOptions<T, R> {
  /** Does the work for one batch; returns one result per item, in order. */
  run(items: T[]): Promise<R[]>;
  /** Items per batch. A single submission larger than this still goes as one batch. */
  maxBatch: number;
  /** Batches in flight at once. */
  maxConcurrent: number;
  /** Items waiting for a batch; once reached, `submit` fails with {@link BatcherFullError}. */
  maxPending: number;
  /**
   * When a batch of several submissions fails with an error for which this returns true, each
   * submission is run again on its own, so that one bad submission cannot fail the others.
   * Errors that concern everyone (the database away) should return false: they fail the batch.
   */
  retrySeparately?(error: unknown): boolean;
}

interface Submission<T, R> {
  items: T[];
  resolve(results: R[]): void;
  reject(error: unknown): void;
}

/**
 * Natural batching (group commit): a submission that arrives while fewer than `maxConcurrent`
 * batches are in flight runs at once, alone, so a quiet system adds no latency; submissions that
 * arrive while all slots are busy wait and leave together, as one batch, when a slot frees up. The
 * busier the system, the larger the batches, and the cost of a statement and a commit is shared.
 * Each submitter gets exactly its own results, and only when its batch has finished.
 */
export class MicroBatcher<T, R> {
  private waiting: Submission<T, R>[] = [];
  private waitingItems = 0;
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly options: MicroBatcherOptions<T, R>) {}

  /** Items waiting for a batch (not those in flight). */
  get pending(): number {
    return this.waitingItems;
  }

  submit(items: T[]): Promise<R[]> {
    if (items.length === 0) return Promise.resolve([]);
    // Checked before adding, so that one large submission is not starved by a steady flow of small ones.
    if (this.waitingItems >= this.options.maxPending) {
      return Promise.reject(new BatcherFullError(this.waitingItems));
    }
    return new Promise<R[]>((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      this.waitingItems += items.length;
      this.startBatches();
    });
  }

  /** Resolves once nothing is waiting or in flight (for shutdown). */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private startBatches(): void {
    while (this.inFlight < this.options.maxConcurrent && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight += 1;
      void this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.startBatches();
        if (this.inFlight === 0 && this.waiting.length === 0) this.idle.splice(0).forEach((resolve) => resolve());
      });
    }
  }

  private takeBatch(): Submission<T, R>[] {
    let count = 0;
    let size = 0;
    for (const next of this.waiting) {
      if (count > 0 && size + next.items.length > this.options.maxBatch) break;
      count += 1;
      size += next.items.length;
    }
    this.waitingItems -= size;
    return this.waiting.splice(0, count);
  }

  private async runBatch(batch: Submission<T, R>[]): Promise<void> {
    try {
      const results = await this.options.run(batch.flatMap((submission) => submission.items));
      let offset = 0;
      for (const submission of batch) {
        submission.resolve(results.slice(offset, offset + submission.items.length));
        offset += submission.items.length;
      }
    } catch (error) {
      if (batch.length > 1 && this.options.retrySeparately?.(error)) {
        await Promise.all(batch.map((submission) => this.runBatch([submission])));
      } else {
        for (const submission of batch) submission.reject(error);
      }
    }
  }
}
