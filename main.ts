/**
 * singdeck's entry point: reads configuration, opens the database, starts the sing-box
 * supervisor and the stats poller, and serves the panel until SIGINT/SIGTERM, when it
 * flushes the stats and stops sing-box (no orphan is left behind).
 */
import { parseConfig, USAGE } from "./core/config.ts";
import { versionText } from "./core/version.ts";
import { ValidationError } from "./core/errors.ts";
import { openDatabase } from "./db/database.ts";
import { adminExists, ensureAdmin, resetAdminPassword } from "./core/auth/admin_auth.ts";
import { createApp } from "./app.tsx";
import { CoreService } from "./core/sing_box/core_service.ts";
import { locateSingBox } from "./core/sing_box/sing_box_locate.ts";
import { ensureDataDir } from "./core/data_dir.ts";
import { type PanelServer, servePanel } from "./core/panel_server.ts";
import { SubscriptionTokens } from "./core/subscriptions/sub_tokens.ts";

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  if (args.includes("--version")) {
    console.log(versionText());
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
  const dataDirWarning = await ensureDataDir(config.dataDir);
  if (dataDirWarning) console.warn(dataDirWarning);
  const db = await openDatabase(config.dbUrl, config.dbAuthToken);
  if (config.resetAdminPassword) {
    const generated = await resetAdminPassword(db, config.adminPassword, Date.now());
    console.log(
      generated
        ? `admin password reset; new admin password: ${generated}`
        : "admin password reset to SINGDECK_ADMIN_PASSWORD",
    );
    console.log("every session ended; restart a running panel to also clear login lockouts");
    await db.destroy();
    return 0;
  }
  const existed = await adminExists(db);
  const generated = await ensureAdmin(db, config.adminPassword, Date.now());
  if (generated) console.log(`admin password: ${generated}`);
  if (existed && config.adminPassword) {
    console.log(
      "SINGDECK_ADMIN_PASSWORD is ignored: the admin already exists. To change the password, " +
        "run with --reset-admin-password (it uses SINGDECK_ADMIN_PASSWORD when set)",
    );
  }
  // Reads (or creates) the panel secret now, so a damaged one stops the start, and fills in
  // subscription token hashes a migration left unset before the first request needs them.
  const subscriptionTokens = new SubscriptionTokens(config.dataDir);
  await subscriptionTokens.ensureHashes(db);

  let binary = config.singBoxPath;
  if (!config.singBoxGiven) {
    const found = locateSingBox(Deno.env.toObject());
    console.log(found.message);
    if (found.path) binary = found.path;
  }
  const core = new CoreService({
    db,
    dbUrl: config.dbUrl,
    dbAuthToken: config.dbAuthToken,
    panelPort: config.listenPort,
    binary,
    dataDir: config.dataDir,
    logLevel: config.logLevel,
    pollIntervalMs: config.pollInterval * 1000,
  });
  await core.startup();
  const app = createApp({
    db,
    config,
    services: { core, stats: core.poller },
    subscriptionTokens,
  });
  let server: PanelServer;
  try {
    server = await servePanel({
      hostname: config.listenHost,
      port: config.listenPort,
      tls: config.tls,
      handler: app.fetch,
      log: (m) => console.log(m),
    });
  } catch (e) {
    console.error(`singdeck cannot serve: ${(e as Error).message}`);
    await core.shutdown();
    await db.destroy();
    return 1;
  }
  if (config.tls) Deno.addSignalListener("SIGHUP", () => void server.reloadTls());

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
