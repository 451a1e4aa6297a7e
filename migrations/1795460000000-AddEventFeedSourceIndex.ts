import { MigrationInterface, QueryRunner } from 'typeorm';

const INDEX = 'idx_events_source_insert_xid_id';

/**
 * The pull feed filtered by source (`GET /events?order=asc&source=`) walks this index instead of
 * the whole feed order filtering rows out. Built CONCURRENTLY, outside a transaction, so ingest
 * keeps inserting events while it is built. A build that failed leaves an invalid index behind:
 * it is dropped and built again. An index already built by hand (docs/operations.md, upgrade
 * notes) is kept.
 */
export class AddEventFeedSourceIndex1795460000000 implements MigrationInterface {
  name = 'AddEventFeedSourceIndex1795460000000';
  /** CREATE INDEX CONCURRENTLY cannot run inside a transaction. */
  transaction = false;

  public async up(queryRunner: QueryRunner): Promise<void> {
    const invalid = (await queryRunner.query(
      `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace AND NOT i.indisvalid`,
      [INDEX],
    )) as unknown[];
    if (invalid.length > 0) await queryRunner.query(`DROP INDEX CONCURRENTLY "public"."${INDEX}"`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "${INDEX}" ON "events" ("source_id", "insert_xid", "id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."${INDEX}"`);
  }
}
