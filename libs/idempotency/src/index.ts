export { deliveryIdempotencyKey, sha256Hex } from './idempotency-key';
