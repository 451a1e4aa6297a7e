/** One problem of a request, at a path of its body or query (`steps.0.url`, `limit`). */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** The one error body of the admin API. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: ErrorDetail[];
}

/**
 * A failure the API answers on purpose: its status, a stable code clients can branch on, a
 * sentence, and the per-field details when there are any.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }

  static notFound(what: string, id: string): ApiError {
    return new ApiError(404, 'not_found', `${what} "${id}" does not exist`);
  }

  static conflict(code: string, message: string): ApiError {
    return new ApiError(409, code, message);
  }

  static invalid(message: string, details: ErrorDetail[]): ApiError {
    return new ApiError(422, 'validation_failed', message, details);
  }

  /** A request malformed as a request (a parameter, the query string, the shape of the body): 400 with each problem. */
  static invalidRequest(details: ErrorDetail[]): ApiError {
    return new ApiError(400, 'invalid_request', 'the request is not valid', details);
  }
}
