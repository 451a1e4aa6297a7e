import { Client } from 'pg';

/**
 * Creates the database named in the URL when the server has no such database yet, so that
 * `npm start` works on a fresh PostgreSQL. Returns true when it created it.
 */
export async function ensureDatabaseExists(databaseUrl: string, connectTimeoutMs: number): Promise<boolean> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) return false;
  const probe = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: connectTimeoutMs });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error; // 3D000: invalid_catalog_name
  } finally {
    await probe.end().catch(() => undefined);
  }
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const admin = new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: connectTimeoutMs });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '42P04') return false; // created meanwhile by another process
    throw error;
  } finally {
    await admin.end();
  }
}
