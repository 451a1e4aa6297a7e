import { isDataException, sqlStateOf } from '@hookflow/persistence';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, ErrorBody } from './api-error';

const STATUS_CODES: Record<number, string> = {
  400: 'invalid_request',
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
 * Every failure as `{ error, message, details? }`. A 500 is a bug: logged with its stack (and
 * without the values of a failed statement: see the `err` serializer of LoggingModule), answered
 * without one. A value PostgreSQL refuses (SQLSTATE class 22) is the request's fault: a 400.
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
      return { status, body: { error: STATUS_CODES[status] ?? 'invalid_request', message: String(message) } };
    }
    // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a 4xx statusCode.
    const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return { status: statusCode, body: { error: STATUS_CODES[statusCode] ?? 'invalid_request', message: (exception as Error).message } };
    }
    if (isDataException(exception)) return this.refusedValue(exception, request);
    this.logger.error({ err: exception, requestId: request.id }, 'unexpected error while handling an admin request');
    return {
      status: 500,
      body: { error: 'internal_error', message: `an unexpected error occurred; it has been logged (request ${request.id})` },
    };
  }

  /**
   * A backstop for a value validation let through that PostgreSQL refuses (a NUL in text, a number
   * or time out of range): the request is wrong, not the server. Neither answer nor log repeats it.
   */
  private refusedValue(exception: unknown, request: FastifyRequest): { status: number; body: ErrorBody } {
    const sqlState = sqlStateOf(exception);
    this.logger.warn(`PostgreSQL refused a value of request ${request.id} (SQLSTATE ${sqlState}); answered 400`);
    return {
      status: 400,
      body: {
        error: 'invalid_request',
        message: `the request holds a value the database cannot take, out of range or not storable as text (SQLSTATE ${sqlState})`,
      },
    };
  }
}
