import { RulesDirectoryService } from '@hookflow/rules';
import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiError } from '../errors/api-error';

/** The YAML rules directory, reloaded on demand: the production alternative to SIGHUP. */
@ApiTags('rules-directory')
@Controller('rules-directory')
export class RulesDirectoryController {
  constructor(private readonly directory: RulesDirectoryService) {}

  @Post('reload')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reload the rules directory',
    description:
      'Validates the directory (db step tables included) and syncs it; other processes follow within HOOKFLOW_CONFIG_REFRESH. ' +
      'A bad directory answers 422 with every problem, and the last good rules keep running.',
  })
  async reload(): Promise<{ status: 'reloaded'; versioned: { id: string; version: number }[]; disabled: string[] }> {
    const outcome = await this.directory.reload('admin API');
    if (outcome.status === 'rejected') {
      throw ApiError.invalid(
        'the rules directory has problems; the last good rules keep running',
        outcome.problems.map((problem) => ({
          path: `${problem.file}${problem.line === undefined ? '' : `:${problem.line}:${problem.column ?? 1}`}`,
          message: problem.message,
        })),
      );
    }
    if (outcome.status === 'failed')
      throw new ApiError(503, 'reload_failed', `the rules directory could not be reloaded: ${outcome.error}`);
    const { rulesVersioned, rulesDisabled, sourcesDisabled } = outcome.result;
    return { status: 'reloaded', versioned: rulesVersioned, disabled: [...sourcesDisabled, ...rulesDisabled] };
  }
}
