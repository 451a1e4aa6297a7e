export { createAdminApp } from './admin.app';
export { ApiKeysService, ApiKeyView } from './auth/api-keys.service';
export { createOpenApiDocument } from './openapi/openapi-document';
