/**
 * Builds sing-box config files from the database by streaming: each inbound's active users
 * are read a page at a time (only the columns the config needs, active users filtered by
 * SQL) and written straight to the file, so 100,000 users are never held twice in memory
 * and the event loop gets a turn between pages. What was written is returned as the
 * running state's raw material: each inbound's pairs and each user's credentials.
 */
import { createHash, type Hash } from "node:crypto";
import type { Db } from "../../db/database.ts";
import { activeUsersOfInbound, enabledInbounds } from "../../db/core_config.ts";
import type { Inbound } from "../model.ts";
import { pairStatName } from "../stats/stats_names.ts";
import { baseConfig, type BaseConfigInput, inboundShell, userEntryOf } from "./sing_box_config.ts";

/** Users read per query. */
const PAGE = 5000;

/** What one inbound of a written config holds. */
export interface BuiltInbound {
  inbound: Inbound;
  /** Pair name → user id. */
  pairs: Map<string, number>;
}

/** A user's credentials as a short fingerprint, to tell when they changed. */
export function credentialsFingerprint(uuid: string, password: string): number {
  let h = 0x811c9dc5;
  const text = `${uuid}\u0000${password}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The result of writing a file: what is in it, and the SHA-256 of its bytes. */
export interface WrittenConfig {
  inbounds: BuiltInbound[];
  /** User id → credentials fingerprint, for every user written. */
  credentials: Map<number, number>;
  sha256: string;
  bytes: number;
}

class FileSink {
  readonly #file: Deno.FsFile;
  readonly #hash: Hash = createHash("sha256");
  readonly #encoder = new TextEncoder();
  #parts: string[] = [];
  #size = 0;
  bytes = 0;

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  async write(text: string): Promise<void> {
    this.#parts.push(text);
    this.#size += text.length;
    if (this.#size > 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const data = this.#encoder.encode(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
    this.#hash.update(data);
    this.bytes += data.length;
    let written = 0;
    while (written < data.length) written += await this.#file.write(data.subarray(written));
  }

  digest(): string {
    return this.#hash.digest("hex");
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Writes one inbound object (shell and active users) to `sink`; returns its pairs, or
 * null when it has no active user (then nothing was written: an inbound without users is
 * left out of the config).
 */
async function writeInbound(
  db: Db,
  sink: FileSink,
  inbound: Inbound,
  now: number,
  core: BaseConfigInput["core"],
  credentials: Map<number, number>,
  separator: string,
): Promise<BuiltInbound | null> {
  const shell = JSON.stringify(inboundShell(inbound, core));
  const [head, tail] = splitAtUsers(shell);
  const entry = userEntryOf(inbound);
  const pairs = new Map<string, number>();
  let after = 0;
  for (;;) {
    const page = await activeUsersOfInbound(db, inbound.id, now, after, PAGE);
    if (page.length === 0) break;
    const parts: string[] = [];
    for (const user of page) {
      const name = pairStatName(user.name, inbound.tag);
      pairs.set(name, user.id);
      credentials.set(user.id, credentialsFingerprint(user.uuid, user.password));
      parts.push(JSON.stringify(entry(user, name)));
    }
    await sink.write((after === 0 ? separator + head : ",") + parts.join(","));
    after = page[page.length - 1].id;
    if (page.length < PAGE) break;
    await yieldToEventLoop();
  }
  if (pairs.size === 0) return null;
  await sink.write(tail);
  return { inbound, pairs };
}

/** Splits an inbound's JSON at its empty `users` list: the text before and after the users. */
function splitAtUsers(shell: string): [string, string] {
  const marker = '"users":[]';
  const at = shell.indexOf(marker);
  if (at < 0) throw new Error("inbound shell has no users list");
  return [shell.slice(0, at + marker.length - 1), shell.slice(at + marker.length - 1)];
}

async function writeFile(
  path: string,
  body: (sink: FileSink) => Promise<Omit<WrittenConfig, "sha256" | "bytes">>,
): Promise<WrittenConfig> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true, mode: 0o600 });
  try {
    const sink = new FileSink(file);
    const result = await body(sink);
    await sink.flush();
    return { ...result, sha256: sink.digest(), bytes: sink.bytes };
  } finally {
    file.close();
  }
}

/**
 * Writes the whole config for the enabled inbounds to `path` (mode 0600). `inbounds`
 * overrides which inbounds to write (default: every enabled one); inbounds whose build
 * throws (settings sing-box cannot use) are skipped and reported in `failed`.
 */
export async function writeConfigFile(
  db: Db,
  path: string,
  input: BaseConfigInput & { now: number; inbounds?: Inbound[] },
): Promise<WrittenConfig & { failed: Map<number, string> }> {
  const inbounds = input.inbounds ?? await enabledInbounds(db);
  const failed = new Map<number, string>();
  const written = await writeFile(path, async (sink) => {
    const credentials = new Map<number, number>();
    const built: BuiltInbound[] = [];
    // Plain sing-box needs every counted name listed, known only after the users are
    // read: the inbounds go first, the rest of the config after them.
    await sink.write('{"inbounds":[');
    for (const inbound of inbounds) {
      try {
        inboundShell(inbound, input.core);
      } catch (e) {
        failed.set(inbound.id, (e as Error).message);
        continue;
      }
      const separator = built.length > 0 ? "," : "";
      const one = await writeInbound(
        db,
        sink,
        inbound,
        input.now,
        input.core,
        credentials,
        separator,
      );
      if (one) built.push(one);
    }
    const base = baseConfig(input, {
      inbounds: built.map((b) => b.inbound.tag),
      users: built.flatMap((b) => [...b.pairs.keys()]),
    });
    delete base.inbounds;
    const rest = JSON.stringify(base);
    await sink.write("]," + rest.slice(1));
    return { inbounds: built, credentials };
  });
  return { ...written, failed };
}

/**
 * Writes one inbound object with its active users to `path`, for singdeck-core to swap
 * in; `inbound` is null in the result when it has no active user (remove it instead).
 */
export async function writeInboundFile(
  db: Db,
  path: string,
  inbound: Inbound,
  now: number,
  core: BaseConfigInput["core"],
): Promise<{ built: BuiltInbound | null; credentials: Map<number, number> }> {
  const credentials = new Map<number, number>();
  let built: BuiltInbound | null = null;
  await writeFile(path, async (sink) => {
    built = await writeInbound(db, sink, inbound, now, core, credentials, "");
    return { inbounds: built ? [built] : [], credentials };
  });
  return { built, credentials };
}
