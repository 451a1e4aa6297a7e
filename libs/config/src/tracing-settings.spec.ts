import { tracingSettings } from './tracing-settings';

describe('tracingSettings', () => {
  it('leaves tracing off when no exporter is configured', () => {
    expect(tracingSettings({})).toEqual({ enabled: false, serviceName: undefined });
    expect(tracingSettings({ OTEL_SERVICE_NAME: 'edge-ingest' }).enabled).toBe(false);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' }],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }],
    [{ OTEL_TRACES_EXPORTER: 'console' }],
  ])('turns tracing on when an exporter is configured: %j', (env) => {
    expect(tracingSettings(env).enabled).toBe(true);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' }],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' }],
    [{ OTEL_TRACES_EXPORTER: 'None' }],
  ])('keeps tracing off when the SDK or trace export is disabled: %j', (env) => {
    expect(tracingSettings(env).enabled).toBe(false);
  });

  it('passes OTEL_SERVICE_NAME on', () => {
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SERVICE_NAME: ' edge-ingest ' })).toEqual({
      enabled: true,
      serviceName: 'edge-ingest',
    });
  });

  it('ignores empty variables, as the OpenTelemetry specification asks', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_TRACES_EXPORTER: ' ' }).enabled).toBe(false);
  });
});
