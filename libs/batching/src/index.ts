export { BatcherFullError, MicroBatcher, MicroBatcherOptions } from './micro-batcher';
