import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';

/** A connection a db step may name, with its URL already resolved (it holds a password). */
export interface DbConnectionSettings {
  id: string;
  url: string;
}

const POOL_SIZE = 5;

/**
 * One small `pg.Pool` per connection of the rules directory, opened on first use. The URLs are
 * given by the engine at start-up from the rule files and variables, and live in memory only.
 */
@Injectable()
export class DbConnections implements OnApplicationShutdown {
  private readonly logger = new Logger(DbConnections.name);
  private urls = new Map<string, string>();
  private readonly pools = new Map<string, Pool>();

  /** Sets the known connections; pools of connections whose URL changed or went away are closed. */
  configure(connections: readonly DbConnectionSettings[]): void {
    this.urls = new Map(connections.map((connection) => [connection.id, connection.url]));
    for (const [id, pool] of this.pools) {
      if (this.urls.get(id) !== (pool.options as { connectionString?: string }).connectionString) {
        this.pools.delete(id);
        void pool.end();
      }
    }
  }

  /** The pool of a connection, or undefined when no rule file defines it. */
  pool(id: string): Pool | undefined {
    const existing = this.pools.get(id);
    if (existing) return existing;
    const url = this.urls.get(id);
    if (url === undefined) return undefined;
    const pool = new Pool({
      connectionString: url,
      max: POOL_SIZE,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 10_000,
      application_name: 'hookflow',
    });
    // An idle client losing its server must not crash the engine; the next query reports it.
    pool.on('error', (error) => this.logger.warn(`connection "${id}": ${error.message}`));
    this.pools.set(id, pool);
    return pool;
  }

  async onApplicationShutdown(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.end()));
  }
}
