import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What explains each refused delivery (DESIGN.md, "Rejections explain themselves"): the verifier
 * and header used, the body's length and SHA-256, the timestamp skew, a re-serialisation hint.
 * Nullable, without a default, so adding it rewrites no row of the log; older rows read as null.
 */
export class RejectionDiagnostics1795470000000 implements MigrationInterface {
  name = 'RejectionDiagnostics1795470000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ingest_rejections" ADD "diagnostics" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ingest_rejections" DROP COLUMN "diagnostics"`);
  }
}
