import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ApiError } from '../errors/api-error';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** `?limit=&after=` of every listing. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Items per page', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: `limit must be from 1 to ${MAX_PAGE_LIMIT}` })
  @Max(MAX_PAGE_LIMIT, { message: `limit must be from 1 to ${MAX_PAGE_LIMIT}` })
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  after?: string;
}

/** One page of a listing: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A keyset position as the opaque cursor clients pass back in `after`: base64url of its JSON. */
export function encodeCursor(keyset: object): string {
  return Buffer.from(JSON.stringify(keyset), 'utf8').toString('base64url');
}

/** The keyset of a cursor, when `isKeyset` accepts it; otherwise a 400 naming `after`. */
export function decodeCursor<K>(cursor: string, isKeyset: (value: unknown) => value is K): K {
  let keyset: unknown;
  try {
    keyset = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    keyset = undefined;
  }
  if (!isKeyset(keyset)) {
    throw ApiError.invalidRequest([{ path: 'after', message: 'after must be the nextCursor of an earlier page of this same listing' }]);
  }
  return keyset;
}

/**
 * A page from `limit + 1` rows read: the extra row only says that another page exists, and the
 * cursor is the keyset of the last row shown.
 */
export function pageOf<R, V>(rows: R[], limit: number, keyOf: (row: R) => object, view: (row: R) => V): Page<V> {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { items: shown.map(view), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
