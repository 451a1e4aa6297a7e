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
import { RequiredScope } from '../auth/scope.decorator';
import { Page, PageQueryDto } from '../pagination/page';
import { JsonObjectBodyPipe } from '../validation/json-object-body.pipe';
import { ParsePositiveIntPipe } from '../validation/positive-int.pipe';
import { RuleDefinitionDto, RuleQueryDto, RuleTestDto, UnsavedRuleTestDto } from './rule.dto';
import { RuleVersionView, RuleView } from './rule.view';
import { DryRunView } from './rule-dry-run.view';
import { RuleDryRunService } from './rule-dry-run.service';
import { RulesService } from './rules.service';

const YAML_MANAGED = 'The rule comes from the rules directory (`managed_by_yaml`).';
const INVALID_DEFINITION = 'The definition fails the checks of a rules file; `details` has each problem at its path.';

const pageOfSchema = (model: new () => unknown): Record<string, unknown> => ({
  properties: { items: { type: 'array', items: { $ref: getSchemaPath(model) } }, nextCursor: { type: 'string', nullable: true } },
});

@ApiTags('rules')
@ApiExtraModels(RuleView, RuleVersionView)
@Controller('rules')
export class RulesController {
  constructor(
    private readonly rules: RulesService,
    private readonly dryRun: RuleDryRunService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List rules', description: 'In id order, with cursor pagination, each with its current version.' })
  @ApiOkResponse({ schema: pageOfSchema(RuleView) })
  list(@Query() query: RuleQueryDto): Promise<Page<RuleView>> {
    return this.rules.list(query);
  }

  @Post()
  @ApiOperation({
    summary: 'Create a rule',
    description: 'The body is a rule as written in a rules file; engines run it within HOOKFLOW_CONFIG_REFRESH.',
  })
  @ApiBody({ type: RuleDefinitionDto })
  @ApiCreatedResponse({ type: RuleView })
  @ApiConflictResponse({ description: 'A rule with this id exists (`already_exists`, or `managed_by_yaml`).' })
  @ApiUnprocessableEntityResponse({ description: INVALID_DEFINITION })
  create(@Body(JsonObjectBodyPipe) body: Record<string, unknown>): Promise<RuleView> {
    return this.rules.create(body);
  }

  @Post('test')
  @HttpCode(200)
  @RequiredScope('read')
  @ApiOperation({
    summary: 'Dry run of an unsaved rule',
    description: 'Checks the rule as POST /rules would, then renders it for the event. Sends, writes and records nothing (scope read).',
  })
  @ApiOkResponse({ type: DryRunView })
  @ApiUnprocessableEntityResponse({ description: INVALID_DEFINITION })
  testUnsaved(@Body() body: UnsavedRuleTestDto): Promise<DryRunView> {
    const { rule, ...request } = body;
    return this.dryRun.testUnsaved(rule, request);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A rule with its current version' })
  @ApiOkResponse({ type: RuleView })
  get(@Param('id') id: string): Promise<RuleView> {
    return this.rules.get(id);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Change a rule',
    description: 'A changed definition becomes a new version; the same definition changes nothing.',
  })
  @ApiBody({ type: RuleDefinitionDto })
  @ApiOkResponse({ type: RuleView })
  @ApiConflictResponse({ description: YAML_MANAGED })
  @ApiUnprocessableEntityResponse({ description: INVALID_DEFINITION })
  update(@Param('id') id: string, @Body(JsonObjectBodyPipe) body: Record<string, unknown>): Promise<RuleView> {
    return this.rules.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a rule',
    description: 'Only a rule that never ran: runs keep the version they ran, so such a rule answers 409 `rule_in_use` (pause it instead).',
  })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: `${YAML_MANAGED} \`rule_in_use\`: it has runs.` })
  delete(@Param('id') id: string): Promise<void> {
    return this.rules.delete(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a rule', description: 'It matches no event until resumed.' })
  @ApiOkResponse({ type: RuleView })
  @ApiConflictResponse({ description: YAML_MANAGED })
  pause(@Param('id') id: string): Promise<RuleView> {
    return this.rules.setEnabled(id, false);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused rule' })
  @ApiOkResponse({ type: RuleView })
  @ApiConflictResponse({ description: YAML_MANAGED })
  resume(@Param('id') id: string): Promise<RuleView> {
    return this.rules.setEnabled(id, true);
  }

  @Get(':id/versions')
  @ApiOperation({ summary: 'A rule’s versions, newest first' })
  @ApiOkResponse({ schema: pageOfSchema(RuleVersionView) })
  versions(@Param('id') id: string, @Query() query: PageQueryDto): Promise<Page<RuleVersionView>> {
    return this.rules.versions(id, query);
  }

  @Get(':id/versions/:version')
  @ApiOperation({ summary: 'One version of a rule' })
  @ApiOkResponse({ type: RuleVersionView })
  version(@Param('id') id: string, @Param('version', ParsePositiveIntPipe) version: number): Promise<RuleVersionView> {
    return this.rules.version(id, version);
  }

  @Post(':id/test')
  @HttpCode(200)
  @RequiredScope('read')
  @ApiOperation({
    summary: 'Dry run of a rule',
    description:
      'Against a sample event or a stored one: whether the source and event type match, what `when` gives, and every step rendered ' +
      '(credentials masked). Sends, writes and records nothing (scope read).',
  })
  @ApiOkResponse({ type: DryRunView })
  test(@Param('id') id: string, @Body() body: RuleTestDto): Promise<DryRunView> {
    return this.dryRun.testSaved(id, body);
  }
}
