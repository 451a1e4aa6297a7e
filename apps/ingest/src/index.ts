export { createIngestApp } from './ingest.app';
export { OutboxSweeper } from './outbox/outbox-sweeper.service';
