import { HOOKFLOW_CONFIG, HookflowConfig } from '@hookflow/config';
import { Controller, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteIntakeAnswer } from '../metrics/delivery-metrics';
import { IntakeBody, IntakeService } from './intake.service';

/** `POST /hooks/:source`: the raw bytes go to the intake service; nothing is parsed here. */
@Controller('hooks')
export class HooksController {
  constructor(
    private readonly intake: IntakeService,
    @Inject(HOOKFLOW_CONFIG) private readonly config: HookflowConfig,
  ) {}

  @Post(':sourceId')
  async receive(
    @Param('sourceId') sourceId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntakeBody> {
    const answer = await this.intake.accept({
      sourceId,
      rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      headers: flattenHeaders(request.headers),
      url: this.publicUrlOf(request),
      // Fastify's trustProxy (HOOKFLOW_TRUSTED_PROXIES) decides whether X-Forwarded-* count.
      clientIp: request.ip,
      receivedAt: new Date(),
    });
    noteIntakeAnswer(request, answer);
    void reply.status(answer.status);
    return answer.body;
  }

  /** The URL as the provider saw it: schemes that sign the URL (Twilio) depend on it. */
  private publicUrlOf(request: FastifyRequest): string {
    const base = this.config.ingest.publicUrl ?? `${request.protocol}://${request.host}`;
    return `${base}${request.url}`;
  }
}

function flattenHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
