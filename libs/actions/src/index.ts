export * from './step-executor';
export { StepRegistry } from './step-registry';
export { ActionsModule } from './actions.module';
export { DestinationGuard, DestinationRefusedError } from './http/destination-guard';
export { HttpStepExecutor, DEFAULT_HTTP_TIMEOUT_MS, MAX_RESPONSE_BODY_BYTES, parseRetryAfter } from './http/http.step';
export { TransformStepExecutor } from './transform/transform.step';
export { EmailStepExecutor, SmtpSettings, DEFAULT_EMAIL_TIMEOUT_MS, EMAIL_IDEMPOTENCY_HEADER } from './email/email.step';
