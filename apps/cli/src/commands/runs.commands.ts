import { Command } from 'commander';
import { AdminApi, AdminOptions, withAdminOptions } from '../admin-api';

interface ReplayOptions extends AdminOptions {
  fromStep?: string;
  force?: boolean;
}

interface RunReplay {
  runId: string;
  replay: number;
  fromStep: string | null;
  carriedSteps: string[];
}

/** `runs replay`: a run again, whole or from one of its steps (POST /runs/:id/replay). */
export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description("runs of events' rules");
  withAdminOptions(
    runs
      .command('replay')
      .argument('<id>', 'the run to replay')
      .description(
        "replay a run with its rule's current version; with --from-step, the steps before that one are carried over, not sent again",
      )
      .option('--from-step <step>', 'start at this step; the earlier steps keep the outputs of the replayed run')
      .option('--force', 'replay even while a run of the event for the rule has not finished'),
  ).action((id: string, options: ReplayOptions) => replay(id, options));
}

async function replay(id: string, options: ReplayOptions): Promise<void> {
  const answer = await new AdminApi(options).post<RunReplay>(`/runs/${encodeURIComponent(id)}/replay`, {
    ...(options.fromStep === undefined ? {} : { fromStep: options.fromStep }),
    ...(options.force ? { force: true } : {}),
  });
  const carried = answer.carriedSteps.length > 0 ? `, carrying over ${answer.carriedSteps.join(', ')}` : '';
  const from = answer.fromStep === null ? '' : ` from step ${answer.fromStep}`;
  process.stdout.write(`replayed run ${id}${from} as run ${answer.runId} (replay #${answer.replay}${carried})\n`);
}
