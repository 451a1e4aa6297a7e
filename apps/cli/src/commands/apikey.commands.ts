import type { ApiKeysService } from '@hookflow/admin';
import { loadConfig } from '@hookflow/config';
import { ApiKeysRepository, dataSourceOptions } from '@hookflow/persistence';
import { Command, Option } from 'commander';
import { DataSource } from 'typeorm';
import { CliError, printList } from '../output';

/** `apikey create|list|revoke`: straight on the database, since no key exists to call the API with. */
export function registerApiKeyCommands(program: Command): void {
  const apikey = program.command('apikey').description('manage admin API keys (on the database in DATABASE_URL)');

  apikey
    .command('create')
    .description('create a key and print it once: only its hash is stored')
    .requiredOption('--name <name>', 'a unique name, such as ci or alice')
    .addOption(new Option('--scope <scope>', 'read: GET only; write: everything').choices(['read', 'write']).default('read'))
    .option('--json', 'print JSON')
    .action((options: { name: string; scope: 'read' | 'write'; json?: boolean }) =>
      withApiKeys(async (keys) => {
        const { key, view } = await keys.create(options.name, options.scope).catch((error: unknown) => {
          if ((error as { code?: unknown }).code === '23505') throw new CliError(`an API key named "${options.name}" already exists`);
          throw error;
        });
        if (options.json) process.stdout.write(`${JSON.stringify({ ...view, key }, null, 2)}\n`);
        else process.stdout.write(`${key}\n(API key "${view.name}", scope ${view.scope}: copy it now, it is not shown again)\n`);
      }),
    );

  apikey
    .command('list')
    .description('list keys (never their secrets)')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withApiKeys(async (keys) =>
        printList(await keys.list(), ['id', 'name', 'scope', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt'], options.json),
      ),
    );

  apikey
    .command('revoke')
    .argument('<key>', 'the id or name of the key')
    .description('revoke a key: it stops working at once')
    .action((idOrName: string) =>
      withApiKeys(async (keys) => {
        const revoked = await keys.revoke(idOrName);
        if (!revoked) throw new CliError(`no active API key has the id or name "${idOrName}"`);
        process.stdout.write(`revoked API key "${revoked.name}" (${revoked.id})\n`);
      }),
    );
}

async function withApiKeys(task: (keys: ApiKeysService) => Promise<void>): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(loadConfig()));
  await dataSource.initialize();
  try {
    const { ApiKeysService: Service } = await import('@hookflow/admin'); // loaded only for this command
    await task(new Service(new ApiKeysRepository(dataSource)));
  } finally {
    await dataSource.destroy();
  }
}
