import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from './public.decorator';

/** Liveness: the process answers. Readiness with dependency checks arrives with observability. */
@Public()
@ApiExcludeController()
@Controller()
export class HealthController {
  @Get('healthz')
  alive(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
