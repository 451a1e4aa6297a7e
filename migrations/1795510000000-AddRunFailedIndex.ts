import { MigrationInterface, QueryRunner } from 'typeorm';

const INDEX = 'idx_runs_failed_finished';

/**
 * The failure-rate alert shows each failing source's latest error: a walk down this index (failed
 * runs only, newest first) that stops at the source's latest failure, instead of reading every
 * failed run of the window. Partial, so it holds only failed runs. Built CONCURRENTLY, outside a
 * transaction, so the engine keeps writing runs meanwhile; an invalid index left by a failed build
 * is dropped and built again, one built by hand beforehand is kept.
 */
export class AddRunFailedIndex1795510000000 implements MigrationInterface {
  name = 'AddRunFailedIndex1795510000000';
  /** CREATE INDEX CONCURRENTLY cannot run inside a transaction. */
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    const invalid = (await queryRunner.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace AND NOT i.indisvalid`,
      [INDEX],
    )) as unknown[];
    if (invalid.length > 0) await queryRunner.query(`DROP INDEX CONCURRENTLY "public"."${INDEX}"`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${INDEX}" ON "runs" ("finished_at") WHERE status = 'failed'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."${INDEX}"`);
  }
}
