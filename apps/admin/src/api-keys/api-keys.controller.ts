import { ApiKeyEntity } from '@hookflow/persistence';
import { Controller, Delete, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeysService, ApiKeyView } from '../auth/api-keys.service';
import { CurrentApiKey } from '../auth/api-key.guard';
import { ApiError } from '../errors/api-error';
import { ApiKeyListView, ApiKeyViewSchema } from './api-key.view';

/** Keys are created by `hookflow apikey create` only (the secret is shown once, on a terminal). */
@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get('self')
  @ApiOperation({ summary: 'The key making this call' })
  @ApiOkResponse({ type: ApiKeyViewSchema })
  async self(@CurrentApiKey() key: ApiKeyEntity): Promise<ApiKeyView> {
    const view = (await this.keys.list()).find((candidate) => candidate.id === key.id);
    if (!view) throw ApiError.notFound('API key', key.id);
    return view;
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (never their secrets)' })
  @ApiOkResponse({ type: ApiKeyListView })
  async list(): Promise<{ items: ApiKeyView[] }> {
    return { items: await this.keys.list() };
  }

  @Delete(':key')
  @ApiOperation({ summary: 'Revoke an API key by id or name' })
  @ApiOkResponse({ type: ApiKeyViewSchema })
  async revoke(@Param('key') idOrName: string): Promise<ApiKeyView> {
    const revoked = await this.keys.revoke(idOrName);
    if (!revoked) throw ApiError.notFound('active API key', idOrName);
    return revoked;
  }
}
