import { EventsRepository, isDatabaseUnavailable, NewEvent, StoredEvent } from '@hookflow/persistence';
import { MicroBatcher } from '@hookflow/batching';
import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** Events per INSERT: big enough to share one commit among a burst, small enough to keep a statement quick. */
const MAX_BATCH = 256;
/** INSERTs in flight at once: overlaps one batch's commit with the next one's parsing and indexing. */
const MAX_CONCURRENT = 4;
/** Events waiting for a batch before ingest answers 503: a slow database applies back-pressure, not memory growth. */
const MAX_PENDING = 5_000;

/**
 * Group commit for ingest: concurrent deliveries are written by one multi-row INSERT and one
 * commit ({@link MicroBatcher}), and each delivery is answered when its own batch has committed,
 * so the durability rule holds (no 2xx before the commit) while the commit's cost is shared.
 * A batch that fails for a reason of its own (not the database being away) is retried delivery
 * by delivery, so one bad delivery cannot fail its neighbours.
 */
@Injectable()
export class EventCommitter implements BeforeApplicationShutdown {
  private readonly batcher: MicroBatcher<NewEvent, StoredEvent>;

  constructor(events: EventsRepository) {
    this.batcher = new MicroBatcher({
      run: (batch) => events.insertIfAbsent(batch),
      maxBatch: MAX_BATCH,
      maxConcurrent: MAX_CONCURRENT,
      maxPending: MAX_PENDING,
      retrySeparately: (error) => !isDatabaseUnavailable(error),
    });
  }

  /** Commits one delivery's events; rejects with BatcherFullError when too many are waiting. */
  commit(events: NewEvent[]): Promise<StoredEvent[]> {
    return this.batcher.submit(events);
  }

  /** In-flight deliveries finish committing before the pool closes. */
  beforeApplicationShutdown(): Promise<void> {
    return this.batcher.drained();
  }
}
