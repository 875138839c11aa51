/**
 * Reads that are the same for every request until the database is written or a moment in
 * time passes, kept per database: the users per status (one pass over every user, ~60 ms
 * at 100,000 users) and the users per inbound. An entry holds while the write generation
 * of `db/database.ts` is unchanged (no write of this process or of its poll worker since it
 * was read) and the time is before the entry's own end (the next expiry that changes a
 * status). A remote database is read every time: other processes may write to it.
 */
import { type Db, writeGeneration } from "./database.ts";

interface Entry {
  generation: number;
  from: number;
  until: number;
  value: Promise<unknown>;
}

const caches = new WeakMap<Db, Map<string, Entry>>();

/** What a cached read loads: its value, and the time (epoch ms) it holds until. */
export interface Loaded<T> {
  value: T;
  until: number;
}

/**
 * The value of `key` at `now`: kept from an earlier `load` while nothing was written and
 * `now` is within what it holds for, else loaded (once, however many ask meanwhile).
 */
export function cachedRead<T>(
  db: Db,
  key: string,
  now: number,
  load: () => Promise<Loaded<T>>,
): Promise<T> {
  const generation = writeGeneration(db);
  if (generation === null) return load().then((r) => r.value);
  let cache = caches.get(db);
  if (!cache) caches.set(db, cache = new Map());
  const hit = cache.get(key);
  if (hit && hit.generation === generation && hit.from <= now && now < hit.until) {
    return hit.value as Promise<T>;
  }
  const entry: Entry = { generation, from: now, until: Infinity, value: Promise.resolve() };
  entry.value = load().then(
    (r) => {
      entry.until = r.until;
      return r.value;
    },
    (e) => {
      if (cache.get(key) === entry) cache.delete(key);
      throw e;
    },
  );
  cache.set(key, entry);
  return entry.value as Promise<T>;
}
