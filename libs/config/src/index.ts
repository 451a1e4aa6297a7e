export { ConfigError, Environment, HookflowConfig, loadConfig, RateLimit, redactUrl, TokenBucketLimit } from './hookflow-config';
export { HOOKFLOW_CONFIG, HookflowConfigModule, InjectConfig } from './config.module';
export { parseByteSize, parseDuration } from './units';
export { TracingSettings, tracingSettings } from './tracing-settings';
export { apiVariableRefusal, isExposedToApi, isHookflowSetting } from './api-variables';
export { MasterKeySettings } from './master-key';
