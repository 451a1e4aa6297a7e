export { ConfigError, Environment, HookflowConfig, loadConfig, redactUrl } from './hookflow-config';
export { HOOKFLOW_CONFIG, HookflowConfigModule, InjectConfig } from './config.module';
export { parseByteSize, parseDuration } from './units';
export { TracingSettings, tracingSettings } from './tracing-settings';
