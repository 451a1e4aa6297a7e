import { Controller, Get } from '@nestjs/common';

/** Liveness: the process answers. Readiness with dependency checks arrives with observability. */
@Controller()
export class HealthController {
  @Get('healthz')
  alive(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
