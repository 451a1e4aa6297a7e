import { Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ApiError } from '../errors/api-error';

/**
 * A path id of rows keyed by UUID (events, runs, dead letters). An id that is not a UUID names
 * nothing, so it is a 404 like any unknown id, answered before a query that PostgreSQL would
 * refuse (a uuid column compared with other text).
 */
@Injectable()
export class UuidOr404Pipe implements PipeTransform<string, string> {
  /** `what`: the resource, as the 404 names it ("run", "dead letter"). */
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (!isUUID(value)) throw ApiError.notFound(this.what, value);
    return value;
  }
}
