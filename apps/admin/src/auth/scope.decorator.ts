import { ApiKeyScope } from '@hookflow/persistence';
import { SetMetadata } from '@nestjs/common';

export const REQUIRED_SCOPE = 'hookflow:scope';

/**
 * The scope a route needs. Without it: `read` for GET and HEAD, `write` for everything else. A
 * POST with no side effect (a dry run) says `read`.
 */
export const RequiredScope = (scope: ApiKeyScope): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_SCOPE, scope);
