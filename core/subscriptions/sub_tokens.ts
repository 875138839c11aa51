/**
 * Subscription tokens. A user's token is derived, not stored:
 *
 *   token = base64url(HMAC-SHA256(panel secret, "singdeck-sub:{user id}:{generation}"))
 *
 * 256 bits nobody can guess without the panel secret, a 0600 file in the data dir (not in
 * the database, which may be a remote libSQL server). The database keeps only the token's
 * SHA-256 (`users.sub_token_hash`, UNIQUE, so indexed) and the generation; a request is
 * looked up by that hash, so every token, known or not, takes the same path. The admin
 * pages can still show the URL: the panel derives it again. Regenerating bumps the
 * generation, so the old URL stops matching any hash.
 *
 * Rows written without the secret at hand (migration 0003, test fixtures, the benchmark
 * seed) carry a placeholder hash starting with `unset:`; `ensureHashes` replaces them
 * before the first lookup.
 */
import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { decodeBase64, encodeBase64, encodeBase64Url } from "../encoding.ts";
import { randomBytes } from "../keys.ts";
import { hashSecret } from "../auth/passwords.ts";

/** The file in the data dir that holds the panel secret. */
export const PANEL_SECRET_FILE = "panel.secret";
/** Prefix of a `sub_token_hash` that still has to be computed. */
export const UNSET_HASH_PREFIX = "unset:";

/** A placeholder hash for a row written before its token can be derived (unique per row). */
export function unsetTokenHash(): string {
  return UNSET_HASH_PREFIX + encodeBase64Url(randomBytes(12));
}

/** SHA-256 hex of a token: what `users.sub_token_hash` holds and lookups compare. */
export function subscriptionTokenHash(token: string): Promise<string> {
  return hashSecret(token);
}

/**
 * Reads the panel secret from `<dataDir>/panel.secret`, creating it (32 random bytes,
 * base64, mode 0600, in a data dir of mode 0700) on first use. Throws when the file exists
 * but holds fewer than 32 bytes of base64: a damaged secret must not silently change every
 * subscription URL.
 */
export async function loadPanelSecret(dataDir: string): Promise<Uint8Array> {
  const path = `${dataDir.replace(/\/+$/, "")}/${PANEL_SECRET_FILE}`;
  try {
    await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
    const text = encodeBase64(randomBytes(32)) + "\n";
    await Deno.writeTextFile(path, text, { createNew: true, mode: 0o600 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const stat = await Deno.stat(path);
  if (stat.mode !== null && (stat.mode & 0o077) !== 0) await Deno.chmod(path, 0o600);
  let secret: Uint8Array;
  try {
    secret = decodeBase64((await Deno.readTextFile(path)).trim());
  } catch {
    secret = new Uint8Array();
  }
  if (secret.length < 32) {
    throw new Error(
      `Panel secret file ${path} is damaged (it must hold 32 bytes of base64); restore it from a backup, or delete it to make new subscription URLs for every user`,
    );
  }
  return secret;
}

const TOKEN_MEMO_SIZE = 10_000;

/** Derives tokens with the panel secret (loaded once, on first use) and keeps hashes set. */
export class SubscriptionTokens {
  #key: Promise<CryptoKey> | null = null;
  #ensured = new WeakMap<Db, Promise<void>>();
  #tokens = new Map<string, string>();

  constructor(readonly dataDir: string) {}

  #hmacKey(): Promise<CryptoKey> {
    this.#key ??= loadPanelSecret(this.dataDir).then((secret) =>
      crypto.subtle.importKey(
        "raw",
        secret as BufferSource,
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign"],
      )
    ).catch((e) => {
      this.#key = null;
      throw e;
    });
    return this.#key;
  }

  /** The token of a user at a generation: 43 characters of base64url. */
  async token(user: { id: number; subGeneration: number }): Promise<string> {
    const key = `${user.id}:${user.subGeneration}`;
    const known = this.#tokens.get(key);
    if (known) return known;
    const message = new TextEncoder().encode(`singdeck-sub:${key}`);
    const mac = await crypto.subtle.sign("HMAC", await this.#hmacKey(), message);
    const token = encodeBase64Url(new Uint8Array(mac));
    // Every Users page shows 50 links: keep the tokens of recent pages rather than sign
    // them again per request (a bounded memo, emptied when full).
    if (this.#tokens.size >= TOKEN_MEMO_SIZE) this.#tokens.clear();
    this.#tokens.set(key, token);
    return token;
  }

  /** The stored hash for a user at a generation. */
  async hash(user: { id: number; subGeneration: number }): Promise<string> {
    return subscriptionTokenHash(await this.token(user));
  }

  /**
   * Replaces every placeholder hash in `db` with the real one, in one set-based UPDATE per
   * 1,000 users. Runs once per database and process; later calls wait for the first.
   */
  ensureHashes(db: Db): Promise<void> {
    let done = this.#ensured.get(db);
    if (!done) {
      done = this.#fillHashes(db).catch((e) => {
        this.#ensured.delete(db);
        throw e;
      });
      this.#ensured.set(db, done);
    }
    return done;
  }

  async #fillHashes(db: Db): Promise<void> {
    // A range on the UNIQUE index, not LIKE (which SQLite would scan).
    const pending = await db.selectFrom("users").select(["id", "sub_generation"])
      .where("sub_token_hash", ">=", UNSET_HASH_PREFIX)
      .where("sub_token_hash", "<", "unset;")
      .execute();
    for (let i = 0; i < pending.length; i += 1000) {
      const chunk = await Promise.all(
        pending.slice(i, i + 1000).map(async (row) => [
          row.id,
          await this.hash({ id: row.id, subGeneration: row.sub_generation }),
        ]),
      );
      await sql`UPDATE users SET sub_token_hash = j.value ->> 1
        FROM json_each(${JSON.stringify(chunk)}) AS j
        WHERE users.id = j.value ->> 0 AND users.sub_token_hash >= ${UNSET_HASH_PREFIX}
          AND users.sub_token_hash < 'unset;'`.execute(db);
    }
  }
}
