import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/**
 * A body that must be a JSON object (a source or rule definition), checked before the rules-file
 * checks: an array, a scalar or no body at all is a malformed request (400), not a definition
 * that breaks a rule of the file format (422).
 */
@Injectable()
export class JsonObjectBodyPipe implements PipeTransform<unknown, Record<string, unknown>> {
  transform(value: unknown): Record<string, unknown> {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    const message =
      value === undefined
        ? 'the body is missing: send a JSON object with content-type application/json'
        : `the body must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`;
    throw ApiError.invalidRequest([{ path: '', message }]);
  }
}
