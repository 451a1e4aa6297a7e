import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The built-in source `hookflow` (origin `system`): Hookflow's own events (run.dead_lettered,
 * source.silent, circuit.opened, …) are stored under it, so rules that name it alert operators
 * with the same steps as any other rule. It takes no delivery from outside; the rules directory
 * and the admin API can neither define nor change it (README, "Alerts").
 */
export class SystemEvents1795500000000 implements MigrationInterface {
  name = 'SystemEvents1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const [existing] = (await queryRunner.query(`SELECT origin FROM sources WHERE id = 'hookflow'`)) as { origin: string }[];
    if (existing && existing.origin !== 'system') {
      // Taking it over would silently turn an operator's endpoint into a 404; stop and say so instead.
      throw new Error(
        'a source with the id "hookflow" exists, and this version reserves that id for its own events; nothing was changed. ' +
          'DELETE /sources/hookflow refuses a source that has received events: rename it instead, with its events, rules and ' +
          'rejection log, using the SQL of docs/operations.md ("Upgrade notes", "SystemEvents"), then migrate again',
      );
    }
    await queryRunner.query(
      `INSERT INTO sources (id, provider, settings, secrets_encrypted, origin, enabled)
       VALUES ('hookflow', 'hookflow', '{}'::jsonb, NULL, 'system', true)
       ON CONFLICT (id) DO NOTHING`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    // Events and rules that name it keep it, as an ordinary paused source the API may then delete.
    await queryRunner.query(`UPDATE sources SET enabled = false, origin = 'api' WHERE id = 'hookflow'`);
    await queryRunner.query(
      `DELETE FROM sources s WHERE s.id = 'hookflow'
          AND NOT EXISTS (SELECT 1 FROM events e WHERE e.source_id = s.id) AND NOT EXISTS (SELECT 1 FROM rules r WHERE r.source_id = s.id)`,
    );
  }
}
