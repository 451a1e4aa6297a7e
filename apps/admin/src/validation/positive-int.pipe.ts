import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** The largest PostgreSQL `integer` (int4): a larger number fails the statement it reaches (SQLSTATE 22003). */
export const MAX_INT4 = 2_147_483_647;

/** True for a whole number from 1 to {@link MAX_INT4}, such as a rule version. */
export function isPositiveInt4(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_INT4;
}

/**
 * A path parameter that is a whole number from 1 to {@link MAX_INT4}, as a number; otherwise a
 * 400 naming the parameter, like a DTO failure. Nest's ParseIntPipe takes any size
 * (`99999999999`), and answers without details.
 */
@Injectable()
export class ParsePositiveIntPipe implements PipeTransform<string | number, number> {
  transform(value: string | number, metadata: ArgumentMetadata): number {
    // The global ValidationPipe reads a parameter declared `number` with `+value` first ('1e3' is
    // 1000 by then); a string is one that came here unread, held to plain digits.
    const number = typeof value === 'number' ? value : /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
    if (isPositiveInt4(number)) return number;
    const path = metadata.data ?? 'parameter';
    throw ApiError.invalidRequest([{ path, message: `${path} must be a whole number from 1 to ${MAX_INT4}` }]);
  }
}
