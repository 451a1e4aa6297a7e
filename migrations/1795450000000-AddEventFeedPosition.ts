import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pull feed (`GET /events?order=asc`) reads events in the order of the transaction that
 * inserted them, and serves only those whose transaction is older than every transaction still
 * running: `received_at` is set before the commit, so paging by it could step past an event that
 * commits late. See docs/decisions.md, "The event pull feed is ordered by inserting transaction".
 * Rows that exist already all get this migration's transaction id; the event id orders them.
 * The default is a function of ours so TypeORM, which drops the casts of a default it reads back,
 * sees the same expression as the entity's.
 */
export class AddEventFeedPosition1795450000000 implements MigrationInterface {
  name = 'AddEventFeedPosition1795450000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION "hookflow_current_xid"() RETURNS bigint LANGUAGE sql VOLATILE AS $$ SELECT pg_current_xact_id()::text::bigint $$`,
    );
    await queryRunner.query(`ALTER TABLE "events" ADD "insert_xid" bigint NOT NULL DEFAULT hookflow_current_xid()`);
    await queryRunner.query(`CREATE INDEX "idx_events_insert_xid_id" ON "events"  ("insert_xid", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_events_insert_xid_id"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "insert_xid"`);
    await queryRunner.query(`DROP FUNCTION "hookflow_current_xid"()`);
  }
}
