import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ErrorBody } from './api-error';

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'too_many_requests',
};

/**
 * Every failure as `{ error, message, details? }`. A 500 is a bug: logged with its stack, answered
 * without one.
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AdminExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = this.answerFor(exception, request);
    void reply.status(status).send(body);
  }

  private answerFor(exception: unknown, request: FastifyRequest): { status: number; body: ErrorBody } {
    if (exception instanceof ApiError) {
      return { status: exception.status, body: { error: exception.code, message: exception.message, details: exception.details } };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'object' && response !== null && 'message' in response ? response.message : exception.message;
      return { status, body: { error: STATUS_CODES[status] ?? 'bad_request', message: String(message) } };
    }
    // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a 4xx statusCode.
    const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return { status: statusCode, body: { error: STATUS_CODES[statusCode] ?? 'bad_request', message: (exception as Error).message } };
    }
    this.logger.error({ err: exception, requestId: request.id }, 'unexpected error while handling an admin request');
    return {
      status: 500,
      body: { error: 'internal_error', message: `an unexpected error occurred; it has been logged (request ${request.id})` },
    };
  }
}
