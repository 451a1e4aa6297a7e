import Redis from 'ioredis';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL, REDIS_URL } from './test-env';

/** Runs one statement as the admin user on the server's `postgres` database (CREATE/DROP DATABASE). */
export async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Deletes every Redis key matching `pattern` (a test run's prefix), a SCAN page at a time. */
export async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
