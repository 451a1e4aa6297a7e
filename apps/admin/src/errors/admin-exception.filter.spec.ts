import { ArgumentsHost, BadRequestException, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AdminExceptionFilter } from './admin-exception.filter';
import { ApiError } from './api-error';

/** What the filter answered: the status and body it sent. */
interface Answer {
  status?: number;
  body?: unknown;
}

function answerTo(exception: unknown): Answer {
  const answer: Answer = {};
  const reply = {
    status(code: number) {
      answer.status = code;
      return reply;
    },
    send(body: unknown) {
      answer.body = body;
      return reply;
    },
  };
  const host = { switchToHttp: () => ({ getRequest: () => ({ id: 'req-7' }), getResponse: () => reply }) } as unknown as ArgumentsHost;
  new AdminExceptionFilter().catch(exception, host);
  return answer;
}

const failedStatement = (code: string): QueryFailedError =>
  new QueryFailedError('SELECT * FROM events WHERE type = $1', ['order\u0000'], Object.assign(new Error('refused'), { code }));

describe('AdminExceptionFilter', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it.each(['22021', '22P02', '22003', '22008', '22P05'])(
    'answers a value PostgreSQL refuses (SQLSTATE %s) with 400 invalid_request',
    (code) => {
      expect(answerTo(failedStatement(code))).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          message: `the request holds a value the database cannot take, out of range or not storable as text (SQLSTATE ${code})`,
        },
      });
    },
  );

  it('answers any other failed statement with a 500 naming the request only', () => {
    expect(answerTo(failedStatement('23514'))).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'an unexpected error occurred; it has been logged (request req-7)' },
    });
  });

  it('gives every 400 the code invalid_request, with the details of an ApiError', () => {
    expect(answerTo(new BadRequestException('Validation failed (numeric string is expected)'))).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: 'Validation failed (numeric string is expected)' },
    });
    expect(answerTo(ApiError.invalidRequest([{ path: 'from', message: 'from must be …' }]))).toEqual({
      status: 400,
      body: { error: 'invalid_request', message: 'the request is not valid', details: [{ path: 'from', message: 'from must be …' }] },
    });
  });
});
