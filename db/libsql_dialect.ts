/**
 * Kysely's dialect for a libSQL client: SQLite's query compiler, adapter and introspector,
 * and a driver that runs every query on the client, or on the connection's open transaction.
 *
 * It stands in for `@libsql/kysely-libsql`, whose latest release (0.4.1) depends on
 * `@libsql/client@0.8`: a second libSQL client with its own native addons (8–10 MB per
 * platform) and fetch polyfills, all embedded by `deno compile` and loaded at start-up.
 */
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import type { Client, InArgs, Transaction } from "@libsql/client/node";

/** A dialect over one libSQL client, which the driver closes when the Kysely instance is destroyed. */
export class LibsqlDialect implements Dialect {
  constructor(private readonly client: Client) {}

  createDriver(): Driver {
    return new LibsqlDriver(this.client);
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  // deno-lint-ignore no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class LibsqlDriver implements Driver {
  constructor(private readonly client: Client) {}

  async init(): Promise<void> {}
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new LibsqlConnection(this.client));
  }
  beginTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as LibsqlConnection).begin();
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as LibsqlConnection).end("commit");
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return (connection as LibsqlConnection).end("rollback");
  }
  async releaseConnection(): Promise<void> {}
  destroy(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}

class LibsqlConnection implements DatabaseConnection {
  private transaction: Transaction | undefined;

  constructor(private readonly client: Client) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await (this.transaction ?? this.client).execute({
      sql: query.sql,
      args: query.parameters as InArgs,
    });
    return {
      insertId: result.lastInsertRowid,
      numAffectedRows: BigInt(result.rowsAffected),
      rows: result.rows as R[],
    };
  }

  // deno-lint-ignore require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("The libSQL driver does not stream query results");
  }

  async begin(): Promise<void> {
    if (this.transaction) throw new Error("A transaction is already open on this connection");
    this.transaction = await this.client.transaction();
  }

  async end(how: "commit" | "rollback"): Promise<void> {
    if (!this.transaction) throw new Error(`No transaction to ${how}`);
    await this.transaction[how]();
    this.transaction = undefined;
  }
}
