import { HookflowMetrics } from '@hookflow/telemetry';
import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from './public.decorator';

/** `GET /metrics`: Prometheus text format. Public: it holds counts, never secrets or payloads. */
@Public()
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: HookflowMetrics) {}

  @Get('metrics')
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.type(this.metrics.contentType);
    return this.metrics.render();
  }
}
