import { HookflowConfig } from '@hookflow/config';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from '../admin.module';

/** The admin API's OpenAPI document, served at /openapi.json, from the routes of `app`. */
export function describeAdminApi(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Hookflow admin API')
      .setDescription(
        'Manage sources and rules, review events and runs, replay dead letters. Every call needs `Authorization: Bearer <api key>`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .addSecurityRequirements('bearer')
      .build(),
  );
}

/**
 * The same document without a database or Redis: Nest's preview mode reads the routes' metadata
 * without making any provider. The console's API types are generated from it
 * (apps/console/scripts/api-types.mjs), and a unit test checks that they still match.
 */
export async function createOpenApiDocument(config: HookflowConfig): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AdminModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return describeAdminApi(app);
  } finally {
    await app.close();
  }
}
