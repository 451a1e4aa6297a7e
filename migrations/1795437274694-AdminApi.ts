import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin API: API keys, the ingest rejection log, replays (a run may replay another, so the
 * one-run-per-event-and-rule constraint takes the replay number), and indexes for its listings.
 */

export class AdminApi1795437274694 implements MigrationInterface {
  name = 'AdminApi1795437274694';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "runs" DROP CONSTRAINT "uq_runs_event_rule"`);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL, "name" text NOT NULL, "scope" text NOT NULL, "key_hash" text NOT NULL, "prefix" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_name" ON "api_keys"  ("name") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_key_hash" ON "api_keys"  ("key_hash") `);
    await queryRunner.query(
      `CREATE TABLE "ingest_rejections" ("id" BIGSERIAL NOT NULL, "source_id" text NOT NULL, "reason" text NOT NULL, "status" integer NOT NULL, "message" text NOT NULL, "client_ip" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_234ad7680b8a3c97c4c290adeee" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_ingest_rejections_source_created" ON "ingest_rejections"  ("source_id", "created_at") `);
    await queryRunner.query(`ALTER TABLE "runs" ADD "replay" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "runs" ADD "replay_of" uuid`);
    await queryRunner.query(`ALTER TABLE "dead_letters" ADD "replay_run_id" uuid`);
    await queryRunner.query(`ALTER TABLE "dead_letters" ADD "discard_reason" text`);
    await queryRunner.query(`CREATE INDEX "idx_events_source_received" ON "events"  ("source_id", "received_at") `);
    await queryRunner.query(`CREATE INDEX "idx_events_received_at_id" ON "events"  ("received_at", "id") `);
    await queryRunner.query(`CREATE INDEX "idx_runs_rule_created" ON "runs"  ("rule_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_runs_created_at" ON "runs"  ("created_at") `);
    await queryRunner.query(`CREATE INDEX "idx_dead_letters_replay_run_id" ON "dead_letters"  ("replay_run_id") `);
    await queryRunner.query(`CREATE INDEX "idx_dead_letters_rule_created" ON "dead_letters"  ("rule_id", "created_at") `);
    await queryRunner.query(`ALTER TABLE "runs" ADD CONSTRAINT "uq_runs_event_rule_replay" UNIQUE ("event_id", "rule_id", "replay")`);
    // Not described by the entity (TypeORM cannot express an operator class): `payload @> …` filters.
    await queryRunner.query(`CREATE INDEX "idx_events_payload" ON "events" USING gin ("payload" jsonb_path_ops)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_events_payload"`);
    await queryRunner.query(`ALTER TABLE "runs" DROP CONSTRAINT "uq_runs_event_rule_replay"`);
    await queryRunner.query(`DROP INDEX "public"."idx_dead_letters_rule_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_dead_letters_replay_run_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_runs_created_at"`);
    await queryRunner.query(`DROP INDEX "public"."idx_runs_rule_created"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_received_at_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_source_received"`);
    await queryRunner.query(`ALTER TABLE "dead_letters" DROP COLUMN "discard_reason"`);
    await queryRunner.query(`ALTER TABLE "dead_letters" DROP COLUMN "replay_run_id"`);
    await queryRunner.query(`ALTER TABLE "runs" DROP COLUMN "replay_of"`);
    await queryRunner.query(`ALTER TABLE "runs" DROP COLUMN "replay"`);
    await queryRunner.query(`DROP INDEX "public"."idx_ingest_rejections_source_created"`);
    await queryRunner.query(`DROP TABLE "ingest_rejections"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_key_hash"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_name"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`ALTER TABLE "runs" ADD CONSTRAINT "uq_runs_event_rule" UNIQUE ("event_id", "rule_id")`);
  }
}
