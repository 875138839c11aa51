/**
 * singdeck's entry point: reads configuration, opens the database, starts the sing-box
 * supervisor and the stats poller, and serves the panel until SIGINT/SIGTERM, when it
 * flushes the stats and stops sing-box (no orphan is left behind).
 */
import { parseConfig, USAGE } from "./core/config.ts";
import { ValidationError } from "./core/errors.ts";
import { openDatabase } from "./db/database.ts";
import { ensureAdmin } from "./core/auth/admin_auth.ts";
import { createApp } from "./app.tsx";
import { CoreService } from "./core/sing_box/core_service.ts";
import { SubscriptionTokens } from "./core/subscriptions/sub_tokens.ts";

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let config;
  try {
    config = parseConfig(args, Deno.env.toObject());
  } catch (e) {
    if (e instanceof ValidationError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  await Deno.mkdir(config.dataDir, { recursive: true });
  const db = await openDatabase(config.dbUrl, config.dbAuthToken);
  const generated = await ensureAdmin(db, config.adminPassword, Date.now());
  if (generated) console.log(`admin password: ${generated}`);
  // Reads (or creates) the panel secret now, so a damaged one stops the start, and fills in
  // subscription token hashes a migration left unset before the first request needs them.
  const subscriptionTokens = new SubscriptionTokens(config.dataDir);
  await subscriptionTokens.ensureHashes(db);

  const core = new CoreService({
    db,
    binary: config.singBoxPath,
    dataDir: config.dataDir,
    logLevel: config.logLevel,
    pollIntervalMs: config.pollInterval * 1000,
  });
  await core.startup();
  const app = createApp({ db, config, services: { core, stats: core.poller }, subscriptionTokens });
  const server = Deno.serve({
    hostname: config.listenHost,
    port: config.listenPort,
    onListen: ({ hostname, port }) => {
      const host = hostname.includes(":") ? `[${hostname}]` : hostname;
      console.log(`singdeck listening on http://${host}:${port}`);
    },
  }, app.fetch);

  const stopped = Promise.withResolvers<void>();
  const shutdown = () => stopped.resolve();
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
  await stopped.promise;
  console.log("singdeck stopping");
  await server.shutdown();
  await core.shutdown();
  await db.destroy();
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
