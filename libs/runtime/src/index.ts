export { StartupError, assertDependenciesReady } from './startup-checks';
export { exitWithStartupFailure } from './fatal';
export { LoggingModule, REDACTED_HEADERS } from './logging.module';
export { ObservabilityModule } from './observability.module';
export { SHUTDOWN_SIGNALS, SHUTDOWN_SLACK_MS, exitIfShutdownHangs } from './shutdown-signals';
export { IS_PUBLIC, Public } from './public.decorator';
export { answerClientError } from './client-error';
