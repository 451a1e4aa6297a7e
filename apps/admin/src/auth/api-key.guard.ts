import { ApiKeyEntity, ApiKeyScope } from '@hookflow/persistence';
import { IS_PUBLIC } from '@hookflow/runtime';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { ApiKeysService } from './api-keys.service';
import { REQUIRED_SCOPE } from './scope.decorator';

export type AuthenticatedRequest = FastifyRequest & { apiKey: ApiKeyEntity };

/** The key that authenticated this request (who did it, for audit and messages). */
export const CurrentApiKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ApiKeyEntity => context.switchToHttp().getRequest<AuthenticatedRequest>().apiKey,
);

/** Every route but the public ones needs `Authorization: Bearer <api key>` of a sufficient scope. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token)
      throw new ApiError(
        401,
        'unauthorized',
        'send an API key as "Authorization: Bearer <key>" (create one with `hookflow apikey create`)',
      );
    const key = await this.keys.authenticate(token);
    if (!key) throw new ApiError(401, 'unauthorized', 'the API key is not valid or has been revoked');
    const needed =
      this.reflector.getAllAndOverride<ApiKeyScope>(REQUIRED_SCOPE, targets) ??
      (['GET', 'HEAD'].includes(request.method) ? 'read' : 'write');
    if (needed === 'write' && key.scope !== 'write') {
      throw new ApiError(403, 'forbidden', `the API key "${key.name}" has scope read; this call needs a write key`);
    }
    (request as AuthenticatedRequest).apiKey = key;
    return true;
  }
}
