import { TelemetryModule } from '@hookflow/telemetry';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ClusterGaugesProbe } from './cluster-gauges.probe';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ReadinessIndicators } from './readiness.indicators';

/**
 * What every app serves besides its own routes: `/healthz`, `/readyz` and `/metrics`, and the
 * app's metrics registry (global). Needs the app's persistence and queue modules (both global).
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), TelemetryModule],
  controllers: [HealthController, MetricsController],
  providers: [ReadinessIndicators, ClusterGaugesProbe],
})
export class ObservabilityModule {}
