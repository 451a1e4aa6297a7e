export * from './step-executor';
export { StepRegistry } from './step-registry';
export { ActionsModule } from './actions.module';
export { DestinationGuard, DestinationRefusedError } from './http/destination-guard';
export { HttpStepExecutor, DEFAULT_HTTP_TIMEOUT_MS, MAX_RESPONSE_BODY_BYTES, parseRetryAfter } from './http/http.step';
