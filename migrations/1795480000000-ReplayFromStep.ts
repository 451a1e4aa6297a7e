import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replay from a step (`POST /runs/:id/replay { fromStep }`): the replay run names the step it
 * starts at, and the attempts it carries over from the replayed run name the run that made them,
 * so nothing is sent again for them and the timeline can say where they came from. Both columns
 * are nullable without a default: adding them rewrites no row. `carried_from` is no foreign key:
 * both runs belong to the same event, so retention removes them together.
 */
export class ReplayFromStep1795480000000 implements MigrationInterface {
  name = 'ReplayFromStep1795480000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "runs" ADD "from_step" text`);
    await queryRunner.query(`ALTER TABLE "step_attempts" ADD "carried_from" uuid`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "step_attempts" DROP COLUMN "carried_from"`);
    await queryRunner.query(`ALTER TABLE "runs" DROP COLUMN "from_step"`);
  }
}
