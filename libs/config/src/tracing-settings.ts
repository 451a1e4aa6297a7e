/**
 * Whether this process exports traces, decided from the standard OpenTelemetry variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/). Read apart
 * from {@link loadConfig} because tracing starts before anything else loads (its instrumentation
 * must be in place before pg, ioredis and http are), and the SDK reads the rest of OTEL_* itself.
 */
export interface TracingSettings {
  /** True only when an exporter is configured and the SDK is not disabled: otherwise tracing costs nothing. */
  enabled: boolean;
  /** OTEL_SERVICE_NAME, when set; it wins over an app's default name. */
  serviceName?: string;
}

type Env = Record<string, string | undefined>;

/**
 * Tracing is on when OTEL_TRACES_EXPORTER names an exporter, or an OTLP endpoint is given
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT); OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none turn it off whatever else is set.
 */
export function tracingSettings(env: Env = process.env): TracingSettings {
  const value = (name: string): string | undefined => env[name]?.trim() || undefined;
  const exporters = (value('OTEL_TRACES_EXPORTER') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const disabled = value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true' || exporters.includes('none');
  const configured =
    exporters.length > 0 || value('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined || value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined;
  return { enabled: configured && !disabled, serviceName: value('OTEL_SERVICE_NAME') };
}
