import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSchema1795426686170 implements MigrationInterface {
  name = 'CreateSchema1795426686170';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sources" ("id" text NOT NULL, "provider" text NOT NULL, "settings" jsonb NOT NULL DEFAULT '{}'::jsonb, "secrets_encrypted" text, "origin" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_85523beafe5a2a6b90b02096443" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "events" ("id" uuid NOT NULL, "source_id" text NOT NULL, "idempotency_key" text NOT NULL, "type" text, "status" text NOT NULL, "headers" jsonb NOT NULL, "content_type" text, "raw_body" bytea NOT NULL, "payload" jsonb, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_events_source_idempotency_key" UNIQUE ("source_id", "idempotency_key"), CONSTRAINT "PK_40731c7151fe4be3116e45ddf73" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_events_received_pending" ON "events"  ("received_at") WHERE status = 'received'`);
    await queryRunner.query(
      `CREATE TABLE "rules" ("id" text NOT NULL, "source_id" text NOT NULL, "current_version" integer NOT NULL, "origin" text NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_10fef696a7d61140361b1b23608" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_rules_source_id" ON "rules"  ("source_id") `);
    await queryRunner.query(
      `CREATE TABLE "rule_versions" ("rule_id" text NOT NULL, "version" integer NOT NULL, "definition" jsonb NOT NULL, "checksum" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2d8acf6f0441a041f54a45883d5" PRIMARY KEY ("rule_id", "version"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "runs" ("id" uuid NOT NULL, "event_id" uuid NOT NULL, "rule_id" text NOT NULL, "rule_version" integer NOT NULL, "status" text NOT NULL, "executions" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE, "error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_runs_event_rule" UNIQUE ("event_id", "rule_id"), CONSTRAINT "PK_46d6a1e257c38ba58f1a3c30836" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_runs_status_next_attempt" ON "runs"  ("status", "next_attempt_at") `);
    await queryRunner.query(
      `CREATE TABLE "dead_letters" ("id" uuid NOT NULL, "run_id" uuid NOT NULL, "event_id" uuid NOT NULL, "rule_id" text NOT NULL, "step_id" text, "cause" text NOT NULL, "error" text NOT NULL, "attempts" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "resolved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_084e63809483fb0a9c48aae607f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_dead_letters_run_id" ON "dead_letters"  ("run_id") `);
    await queryRunner.query(`CREATE INDEX "idx_dead_letters_status_created" ON "dead_letters"  ("status", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "step_attempts" ("id" BIGSERIAL NOT NULL, "run_id" uuid NOT NULL, "step_id" text NOT NULL, "attempt" integer NOT NULL, "status" text NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "duration_ms" integer NOT NULL, "request" jsonb, "response_status" integer, "output" jsonb, "error" text, CONSTRAINT "uq_step_attempts_run_step_attempt" UNIQUE ("run_id", "step_id", "attempt"), CONSTRAINT "PK_2ae1a238a9f70de179c5c17f14b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "events" ADD CONSTRAINT "fk_events_source" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rule_versions" ADD CONSTRAINT "fk_rule_versions_rule" FOREIGN KEY ("rule_id") REFERENCES "rules"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "runs" ADD CONSTRAINT "fk_runs_event" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "runs" ADD CONSTRAINT "fk_runs_rule_version" FOREIGN KEY ("rule_id", "rule_version") REFERENCES "rule_versions"("rule_id","version") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "dead_letters" ADD CONSTRAINT "fk_dead_letters_run" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "step_attempts" ADD CONSTRAINT "fk_step_attempts_run" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "step_attempts" DROP CONSTRAINT "fk_step_attempts_run"`);
    await queryRunner.query(`ALTER TABLE "dead_letters" DROP CONSTRAINT "fk_dead_letters_run"`);
    await queryRunner.query(`ALTER TABLE "runs" DROP CONSTRAINT "fk_runs_rule_version"`);
    await queryRunner.query(`ALTER TABLE "runs" DROP CONSTRAINT "fk_runs_event"`);
    await queryRunner.query(`ALTER TABLE "rule_versions" DROP CONSTRAINT "fk_rule_versions_rule"`);
    await queryRunner.query(`ALTER TABLE "events" DROP CONSTRAINT "fk_events_source"`);
    await queryRunner.query(`DROP TABLE "step_attempts"`);
    await queryRunner.query(`DROP INDEX "public"."idx_dead_letters_status_created"`);
    await queryRunner.query(`DROP INDEX "public"."uq_dead_letters_run_id"`);
    await queryRunner.query(`DROP TABLE "dead_letters"`);
    await queryRunner.query(`DROP INDEX "public"."idx_runs_status_next_attempt"`);
    await queryRunner.query(`DROP TABLE "runs"`);
    await queryRunner.query(`DROP TABLE "rule_versions"`);
    await queryRunner.query(`DROP INDEX "public"."idx_rules_source_id"`);
    await queryRunner.query(`DROP TABLE "rules"`);
    await queryRunner.query(`DROP INDEX "public"."idx_events_received_pending"`);
    await queryRunner.query(`DROP TABLE "events"`);
    await queryRunner.query(`DROP TABLE "sources"`);
  }
}
