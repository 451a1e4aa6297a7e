import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { CatalogQueryDto } from '../catalog/catalog-query.dto';
import { Page } from '../pagination/page';
import { JsonObjectBodyPipe } from '../validation/json-object-body.pipe';
import { AddSecretDto, SourceDefinitionDto } from './source.dto';
import { SourceView } from './source.view';
import { SourcesService } from './sources.service';

const YAML_MANAGED = 'The source comes from the rules directory (`managed_by_yaml`), or the change conflicts with its state.';
const INVALID_DEFINITION = 'The definition fails the checks of a rules file; `details` has each problem at its path.';

@ApiTags('sources')
@ApiExtraModels(SourceView)
@Controller('sources')
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Get()
  @ApiOperation({ summary: 'List sources', description: 'In id order, with cursor pagination; secrets appear as fingerprints only.' })
  @ApiOkResponse({
    schema: {
      properties: { items: { type: 'array', items: { $ref: getSchemaPath(SourceView) } }, nextCursor: { type: 'string', nullable: true } },
    },
  })
  list(@Query() query: CatalogQueryDto): Promise<Page<SourceView>> {
    return this.sources.list(query);
  }

  @Post()
  @ApiOperation({
    summary: 'Create a source',
    description: 'The body is a source as written in a rules file; ingest accepts it within HOOKFLOW_CONFIG_REFRESH.',
  })
  @ApiBody({ type: SourceDefinitionDto })
  @ApiCreatedResponse({ type: SourceView })
  @ApiConflictResponse({ description: 'A source with this id exists (`already_exists`, or `managed_by_yaml`).' })
  @ApiUnprocessableEntityResponse({ description: INVALID_DEFINITION })
  create(@Body(JsonObjectBodyPipe) body: Record<string, unknown>): Promise<SourceView> {
    return this.sources.create(body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A source' })
  @ApiOkResponse({ type: SourceView })
  get(@Param('id') id: string): Promise<SourceView> {
    return this.sources.get(id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a source’s definition', description: 'Without `secrets` in the body the stored secrets are kept.' })
  @ApiBody({ type: SourceDefinitionDto })
  @ApiOkResponse({ type: SourceView })
  @ApiConflictResponse({ description: YAML_MANAGED })
  @ApiUnprocessableEntityResponse({ description: INVALID_DEFINITION })
  update(@Param('id') id: string, @Body(JsonObjectBodyPipe) body: Record<string, unknown>): Promise<SourceView> {
    return this.sources.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a source',
    description:
      'Only a source no rule names and that never received an event: events are kept for review and replay, so such a source answers 409 `source_in_use` (pause it instead).',
  })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: `${YAML_MANAGED} \`source_in_use\`: rules name it or it has events.` })
  delete(@Param('id') id: string): Promise<void> {
    return this.sources.delete(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a source', description: 'Its deliveries are answered 404 until it is resumed.' })
  @ApiOkResponse({ type: SourceView })
  @ApiConflictResponse({ description: YAML_MANAGED })
  pause(@Param('id') id: string): Promise<SourceView> {
    return this.sources.setEnabled(id, false);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused source' })
  @ApiOkResponse({ type: SourceView })
  @ApiConflictResponse({ description: YAML_MANAGED })
  resume(@Param('id') id: string): Promise<SourceView> {
    return this.sources.setEnabled(id, true);
  }

  @Post(':id/secrets')
  @ApiOperation({
    summary: 'Add a secret (rotation)',
    description:
      'The new secret is accepted at once; with `keepOldUntil` the other secrets stop being accepted at that time. Secrets already expired are dropped.',
  })
  @ApiCreatedResponse({ type: SourceView })
  @ApiConflictResponse({ description: `${YAML_MANAGED} \`secret_exists\`: the source already has this secret.` })
  addSecret(@Param('id') id: string, @Body() body: AddSecretDto): Promise<SourceView> {
    return this.sources.addSecret(id, body);
  }

  @Delete(':id/secrets/:fingerprint')
  @ApiOperation({ summary: 'Remove a secret by its fingerprint' })
  @ApiOkResponse({ type: SourceView })
  @ApiConflictResponse({ description: `${YAML_MANAGED} \`last_secret\`: the source would have no secret it accepts.` })
  removeSecret(@Param('id') id: string, @Param('fingerprint') fingerprint: string): Promise<SourceView> {
    return this.sources.removeSecret(id, fingerprint);
  }
}
