/**
 * The panel's configuration: each setting a flag and an environment variable,
 * the flag winning. Parsing is pure so tests can feed it any argv and env.
 */
import { isHostname, normalizeIpAddress } from "./addresses.ts";
import { ValidationError } from "./errors.ts";

export interface Config {
  listenHost: string;
  listenPort: number;
  dataDir: string;
  dbUrl: string;
  dbAuthToken?: string;
  singBoxPath: string;
  /** Whether `--sing-box` or `SINGDECK_SING_BOX` named the binary (else it is searched). */
  singBoxGiven: boolean;
  /** Seconds between stats polls. */
  pollInterval: number;
  /** Seconds between self-refreshes of the Inbounds and Users tables. */
  tableRefresh: number;
  adminPassword?: string;
  apiToken?: string;
  logLevel: string;
  /**
   * Host names the panel answers to besides the defaults (see `core/allowed_hosts.ts`),
   * lower case; `["*"]` turns the check off.
   */
  allowedHosts: string[];
  /** The panel's own TLS certificate and key files (PEM): HTTPS instead of HTTP. */
  tls?: { certificatePath: string; keyPath: string };
  /** `--reset-admin-password`: reset the admin's password, print it, and exit. */
  resetAdminPassword: boolean;
}

interface Option {
  flag: string;
  env: string;
}

const OPTIONS = {
  listen: { flag: "--listen", env: "SINGDECK_LISTEN" },
  dataDir: { flag: "--data-dir", env: "SINGDECK_DATA_DIR" },
  db: { flag: "--db", env: "SINGDECK_DB_URL" },
  singBox: { flag: "--sing-box", env: "SINGDECK_SING_BOX" },
  pollInterval: { flag: "--poll-interval", env: "SINGDECK_POLL_INTERVAL" },
  tableRefresh: { flag: "--table-refresh", env: "SINGDECK_TABLE_REFRESH" },
  logLevel: { flag: "--log-level", env: "SINGDECK_LOG_LEVEL" },
  allowedHosts: { flag: "--allowed-hosts", env: "SINGDECK_ALLOWED_HOSTS" },
  cert: { flag: "--cert", env: "SINGDECK_TLS_CERT" },
  key: { flag: "--key", env: "SINGDECK_TLS_KEY" },
} satisfies Record<string, Option>;

/** Flags that take no value. */
const SWITCHES = ["--reset-admin-password"];

export const USAGE = `singdeck: a web panel for the sing-box proxy core
Usage: singdeck [flags] | singdeck --version | singdeck --help

Flags (each also an environment variable):
  --listen HOST:PORT      SINGDECK_LISTEN          default 127.0.0.1:2095
  --data-dir DIR          SINGDECK_DATA_DIR        default ./singdeck-data
  --db URL                SINGDECK_DB_URL          default file:<data-dir>/singdeck.db
                          SINGDECK_DB_AUTH_TOKEN   token for a remote libSQL server
  --sing-box PATH         SINGDECK_SING_BOX        default sing-box from PATH, else the build
                                                   scripts/install_sing_box.sh cached
  --poll-interval SECONDS SINGDECK_POLL_INTERVAL   default 10
  --table-refresh SECONDS SINGDECK_TABLE_REFRESH   default 5
  --log-level LEVEL       SINGDECK_LOG_LEVEL       sing-box log level, default info
  --allowed-hosts NAMES   SINGDECK_ALLOWED_HOSTS   host names the panel answers to, comma-
                                                   separated (besides localhost, IP addresses
                                                   and the public address); * for any
  --cert FILE             SINGDECK_TLS_CERT        serve HTTPS with this certificate (PEM)
  --key FILE              SINGDECK_TLS_KEY         and this key; both reloaded on change
                          SINGDECK_ADMIN_PASSWORD  admin password on first run
                          SINGDECK_API_TOKEN       an extra valid API bearer token

  --reset-admin-password  set the admin password to SINGDECK_ADMIN_PASSWORD (or a random
                          one, printed), end every session, and exit
`;

function readFlags(args: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  const known = new Set(Object.values(OPTIONS).map((o) => o.flag));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (SWITCHES.includes(arg)) {
      flags.set(arg, "");
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.has(name)) throw new ValidationError(`Unknown flag "${arg}"\n\n${USAGE}`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new ValidationError(`Flag ${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new ValidationError(
      `Listen address "${value}" must look like 127.0.0.1:2095 or [::1]:2095`,
    );
  }
  return { host: m[1] ?? m[2], port };
}

function parseSeconds(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > 86400) {
    throw new ValidationError(
      `${name} "${value}" must be a number of seconds from ${min} to 86400`,
    );
  }
  return n;
}

function parseAllowedHosts(value: string): string[] {
  const hosts = value.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
  for (const host of hosts) {
    if (
      host !== "*" && !isHostname(host) && !normalizeIpAddress(host.replace(/^\[(.*)\]$/, "$1"))
    ) {
      throw new ValidationError(
        `Allowed host "${host}" is not a host name or IP address (give names without port)`,
      );
    }
  }
  return hosts;
}

function parseTls(cert: string | undefined, key: string | undefined): Config["tls"] {
  if (cert === undefined && key === undefined) return undefined;
  if (!cert || !key) {
    throw new ValidationError(
      "HTTPS needs both --cert and --key (SINGDECK_TLS_CERT, SINGDECK_TLS_KEY)",
    );
  }
  return { certificatePath: cert, keyPath: key };
}

/** Builds the configuration from command-line flags and environment variables. */
export function parseConfig(args: string[], env: Record<string, string | undefined>): Config {
  const flags = readFlags(args);
  const get = (o: Option) => flags.get(o.flag) ?? (env[o.env] || undefined);
  const { host, port } = parseListen(get(OPTIONS.listen) ?? "127.0.0.1:2095");
  const dataDir = get(OPTIONS.dataDir) ?? "./singdeck-data";
  return {
    listenHost: host,
    listenPort: port,
    dataDir,
    dbUrl: get(OPTIONS.db) ?? `file:${dataDir.replace(/\/+$/, "")}/singdeck.db`,
    dbAuthToken: env.SINGDECK_DB_AUTH_TOKEN || undefined,
    singBoxPath: get(OPTIONS.singBox) ?? "sing-box",
    singBoxGiven: get(OPTIONS.singBox) !== undefined,
    pollInterval: parseSeconds("Poll interval", get(OPTIONS.pollInterval) ?? "10", 0.05),
    tableRefresh: parseSeconds("Table refresh", get(OPTIONS.tableRefresh) ?? "5", 1),
    adminPassword: env.SINGDECK_ADMIN_PASSWORD || undefined,
    apiToken: env.SINGDECK_API_TOKEN || undefined,
    logLevel: get(OPTIONS.logLevel) ?? "info",
    allowedHosts: parseAllowedHosts(get(OPTIONS.allowedHosts) ?? ""),
    tls: parseTls(get(OPTIONS.cert), get(OPTIONS.key)),
    resetAdminPassword: flags.has("--reset-admin-password"),
  };
}
