import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyView } from '../auth/api-keys.service';

/** An API key as listed (never its secret or hash): the OpenAPI shape of {@link ApiKeyView}. */
export class ApiKeyViewSchema implements ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ops-console' }) name!: string;
  @ApiProperty({ enum: ['read', 'write'], description: 'read: GET calls and dry runs; write: everything' }) scope!: 'read' | 'write';
  @ApiProperty({ example: 'hfk_AbC123', description: 'The first characters of the key, to tell keys apart' }) prefix!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: Date | null;
}

export class ApiKeyListView {
  @ApiProperty({ type: [ApiKeyViewSchema] }) items!: ApiKeyViewSchema[];
}
