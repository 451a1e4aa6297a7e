export { createIngestApp } from './ingest.app';
export { OutboxSweeper } from './outbox/outbox-sweeper.service';
export { RejectionLog } from './rejections/rejection-log.service';
