import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IntakeAnswer, IntakeService } from './intake.service';

/** `POST /hooks/:source`: the raw bytes go to the intake service; nothing is parsed here. */
@Controller('hooks')
export class HooksController {
  constructor(private readonly intake: IntakeService) {}

  @Post(':sourceId')
  async receive(
    @Param('sourceId') sourceId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IntakeAnswer['body']> {
    const answer = await this.intake.accept({
      sourceId,
      rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      headers: flattenHeaders(request.headers),
      url: `${request.protocol}://${request.host}${request.url}`,
      receivedAt: new Date(),
    });
    void reply.status(answer.status);
    return answer.body;
  }
}

function flattenHeaders(headers: FastifyRequest['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
