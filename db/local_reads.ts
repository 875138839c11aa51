/**
 * Reads of a local database on a connection of their own, through the `libsql` package
 * that `@libsql/client` itself wraps (same native addon), with prepared statements kept.
 *
 * Measured on the Users page at 100,000 users: of ~4.8 ms of CPU per request, 1.1 ms was
 * `@libsql/client` building each result row with an `Object.defineProperty` per column,
 * and 0.26 ms preparing every statement again. Here a statement is prepared once and its
 * rows come back as arrays (`raw`) that become plain objects by assignment.
 *
 * The rows are what `@libsql/client` (intMode "number") gives Kysely: integers as numbers,
 * refused with a RangeError beyond 2^53 rather than rounded; blobs as ArrayBuffers; for a
 * column name that repeats, the first column's value. Reads outside a transaction see the
 * last committed data, as on the client's own connection (WAL lets them run beside the
 * writer). Writes and transactions stay on the client.
 */
import Database from "libsql";
import type { InStatement, ResultSet } from "@libsql/client/node";

type Statement = Database.Statement;

/** A statement with the names its rows take (null: a repeated name, left out). */
interface Prepared {
  statement: Statement;
  names: Array<string | null>;
}

/** Statements kept at most; a full cache is emptied (the panel uses a few hundred). */
const MAX_STATEMENTS = 500;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function valueOf(value: unknown): unknown {
  if (typeof value === "bigint") {
    if (value < MIN_SAFE || value > MAX_SAFE) {
      throw new RangeError(
        "Received integer which cannot be safely represented as a JavaScript number",
      );
    }
    return Number(value);
  }
  if (value instanceof Uint8Array) {
    return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  }
  return value;
}

export class LocalReads {
  readonly #db: Database.Database;
  readonly #prepared = new Map<string, Prepared>();

  /** Opens `path` (an existing database file) with a busy timeout in milliseconds. */
  constructor(path: string, timeoutMs: number) {
    this.#db = new Database(path, { timeout: timeoutMs });
  }

  #prepare(sql: string): Prepared {
    let prepared = this.#prepared.get(sql);
    if (!prepared) {
      const statement = this.#db.prepare(sql);
      statement.raw(true);
      statement.safeIntegers(true);
      const seen = new Set<string>();
      const names = statement.columns().map(({ name }) => {
        if (seen.has(name)) return null;
        seen.add(name);
        return name;
      });
      if (this.#prepared.size >= MAX_STATEMENTS) this.#prepared.clear();
      prepared = { statement, names };
      this.#prepared.set(sql, prepared);
    }
    return prepared;
  }

  /** Runs one read statement (SELECT or EXPLAIN) and answers like `Client.execute`. */
  execute(stmt: InStatement): Promise<ResultSet> {
    try {
      const sql = typeof stmt === "string" ? stmt : stmt.sql;
      const args = typeof stmt === "string" ? [] : stmt.args ?? [];
      const { statement, names } = this.#prepare(sql);
      const raw = statement.all(args) as unknown[][];
      const rows = new Array(raw.length);
      for (let r = 0; r < raw.length; r++) {
        const values = raw[r];
        const row: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) {
          const name = names[i];
          if (name !== null) row[name] = valueOf(values[i]);
        }
        rows[r] = row;
      }
      const columns = names.map((name) => name ?? "");
      return Promise.resolve({
        columns,
        columnTypes: columns.map(() => ""),
        rows,
        rowsAffected: 0,
        lastInsertRowid: undefined,
        toJSON: () => ({ columns, rows }),
      } as unknown as ResultSet);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): void {
    this.#prepared.clear();
    this.#db.close();
  }
}
