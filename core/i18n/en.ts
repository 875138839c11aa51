/**
 * English: the source catalog. Its shape is `Messages`, which every other catalog must
 * have exactly (a missing or extra key is a type error). Messages with numbers or names
 * are functions; plurals go through `Intl.PluralRules` (`count`, `plural`).
 */
import type { BulkAction } from "../users/bulk_input.ts";
import type { CoreState, StatsState } from "../services.ts";
import type { CredentialKind } from "../subscriptions/connect_items.ts";
import type { BlockedReason } from "../subscriptions/subscriptions.ts";
import type { ByteUnit } from "../format.ts";
import type { FileProblem } from "../tls_pair.ts";
import type { LogLevel } from "../sing_box/log_lines.ts";
import type { ResetStrategy, UserStatus } from "../model.ts";
import type { UnsafeText } from "../text.ts";
import { intlFor } from "./intl.ts";

const { count, num } = intlFor("en");

const users = (n: number) => count(n, { one: "user", other: "users" });

/** A file's problem as the end of an English sentence (`is not a file`). */
export function englishFileProblem(problem: FileProblem, detail: string): string {
  switch (problem) {
    case "missing":
      return "does not exist";
    case "not_file":
      return "is not a file";
    case "too_large":
      return "is larger than 1 MB: not a PEM file";
    case "unreadable":
      return "is not readable";
    case "cannot_read":
      return `cannot be read: ${detail}`;
    case "not_pem_certificate":
      return "is not a PEM certificate (no BEGIN CERTIFICATE block)";
    case "not_x509":
      return "holds a CERTIFICATE block that does not parse as X.509";
    case "not_pem_key":
      return "is not a PEM private key (no BEGIN PRIVATE KEY block)";
    case "encrypted_key":
      return "is encrypted with a passphrase; sing-box needs an unencrypted key";
    case "not_key":
      return `holds a ${detail} block that does not parse as a private key`;
    case "key_mismatch":
      return "does not belong to the certificate (their public keys differ)";
  }
}

export const en = {
  nav: {
    dashboard: "Dashboard",
    inbounds: "Inbounds",
    users: "Users",
    logs: "Logs",
    settings: "Settings",
  },
  layout: {
    skipLink: "Skip to content",
    mainNav: "Main",
    logOut: (name: string) => `Log out ${name}`,
    offline: "The panel did not answer",
  },
  common: {
    save: "Save",
    cancel: "Cancel",
    delete: "Delete",
    edit: "Edit",
    enable: "Enable",
    disable: "Disable",
    enabled: "Enabled",
    disabled: "Disabled",
    copy: "Copy",
    copied: "Copied",
    copyFailed: "Copy failed",
    copyLink: "Copy link",
    copyUrl: "Copy URL",
    actions: "Actions",
    all: "All",
    /** A time in UTC: `2030-01-02 03:04 UTC`. */
    utc: (time: string) => `${time} UTC`,
    /** An aside in brackets: `(in 12 days)`. */
    paren: (text: string) => `(${text})`,
    /** Between a label and what it says: `Name: …`. */
    colon: ": ",
    /** Between items of a list: `a, b`. */
    comma: ", ",
  },
  units: {
    bytes: { B: "B", KB: "KB", MB: "MB", GB: "GB", TB: "TB" } satisfies Record<ByteUnit, string>,
    exactBytes: (n: number) => count(n, { one: "byte", other: "bytes" }),
    milliseconds: (n: number) => `${num(n)} ms`,
  },
  traffic: {
    uplink: "Uplink",
    downlink: "Downlink",
    total: "Total",
  },
  statuses: {
    active: "active",
    expiring: "expires soon",
    near_limit: "near quota",
    limited: "limited",
    expired: "expired",
    disabled: "disabled",
  } satisfies Record<UserStatus, string>,
  coreStates: {
    running: "running",
    starting: "starting",
    stopped: "stopped",
    crashed: "crashed",
    missing: "missing",
  } satisfies Record<CoreState, string>,
  statsStates: {
    ok: "ok",
    stale: "stale",
    idle: "idle",
  } satisfies Record<StatsState, string>,
  login: {
    title: "Log in",
    username: "Username",
    password: "Password",
    submit: "Log in",
  },
  errorPage: {
    title: (status: number) => `Error ${status}`,
    back: "Back to the dashboard",
  },
  dashboard: {
    inboundsEnabled: (n: number) => `Inbounds (${num(n)} enabled)`,
    usersByStatus: "Users by status",
    uplinkAll: "Uplink, all inbounds",
    downlinkAll: "Downlink, all inbounds",
    mode: "Mode",
    coreKindLive: "(user changes apply without restarts)",
    coreKindRestarts: "(every change restarts it)",
    version: "Version",
    buildTags: "Build tags",
    statsApi: "V2Ray stats API",
    statsApiPresent: "present",
    statsApiMissing: "missing (traffic is not counted)",
    uptime: "Uptime",
    restarts: "Restarts after crashes",
    binary: "Binary",
    blockedUsers: "Users blocked now",
    configRefused: "sing-box refused the config:",
    lastError: "Last error:",
    failedInbounds: (n: number) =>
      `sing-box refused ${
        n === 1 ? "an inbound" : "these inbounds"
      }; left out of the running config until fixed:`,
    start: "Start",
    restart: "Restart",
    stop: "Stop",
    stopConfirm: "Stop sing-box? Every user is disconnected.",
    viewConfig: "View config",
    downloadConfig: "Download config",
    trafficStatistics: "Traffic statistics",
    staleBecause: "Traffic is not being counted:",
    externalResets: (n: number) =>
      `Traffic counters were reset externally: ${
        count(n, { one: "counter", other: "counters" })
      } since the panel started`,
    lastSeenAt: ", last seen at",
    externalResetsExplained:
      ". Another program on this host used sing-box's stats API. They count from zero again; the bytes since the poll before each reset were not counted.",
    lastPoll: "Last successful poll",
    pollDuration: "Poll duration",
    countersSeen: "Counters seen",
    unknownCounters: "Counters not in the config",
    savedAtEveryPoll:
      "Traffic is saved at every poll and before every planned restart. If sing-box crashes, the bytes since the last poll are lost.",
    outbounds: "Outbounds",
    tag: "Tag",
    noTraffic: "No traffic yet",
    recentLog: "Recent sing-box log",
    allLog: "(all)",
    noPublicAddress: (n: number, tags: string) =>
      `No public address is set and ${n === 1 ? "inbound" : "inbounds"} ${tags} ${
        n === 1 ? "listens" : "listen"
      } on every address: share links and subscriptions will carry whatever host each subscription is fetched from.`,
    setPublicAddress: "Set the public address",
  },
  config: {
    title: "sing-box config",
    heading: "Generated sing-box config",
    masked: "Secrets are masked here.",
    downloadReal: "Download the real file.",
    none: "No config generated yet",
  },
  logs: {
    heading: "sing-box log",
    level: "Level",
    levels: {
      "": "every level",
      trace: "trace and above",
      debug: "debug and above",
      info: "info and above",
      warn: "warnings and errors",
      error: "errors only",
      fatal: "fatal and panic",
      panic: "panic",
    } satisfies Record<LogLevel | "", string>,
    text: "Text",
    order: "Order",
    newest: "newest first",
    oldestFollow: "oldest first (follow the end)",
    filter: "Filter",
    kept: (n: number, order: "newest" | "oldest") =>
      `${num(n)} lines, ${
        order === "newest" ? "newest first" : "oldest first"
      } (up to 500 are kept)`,
    matching: (n: number, of: number) => `${num(n)} of ${num(of)} lines match`,
    noLines: "No log lines yet",
    noMatch: "No lines match the filter",
  },
  inbounds: {
    new: "New inbound",
    totalsExplained: (seconds: number) =>
      `Traffic totals come from sing-box's counters, polled every ${seconds} s. If sing-box crashes, at most the bytes since the last poll are lost.`,
    columns: {
      tag: "Tag",
      type: "Type",
      listen: "Listen",
      users: "Users",
      status: "Status",
      actions: "Actions",
    },
    none: "No inbounds yet.",
    createFirst: "Create the first one.",
    sortByTraffic: "Sort by total traffic (uplink + downlink)",
    sortByTag: "Sort by tag",
    selfSigned: "self-signed",
    deleteConfirm: (tag: string) => `Delete inbound "${tag}"? Its users lose access through it.`,
    deleted: (tag: string) => `Inbound "${tag}" deleted`,
  },
  inboundFields: {
    tag: "Tag",
    type: "Type",
    listen: "Listen address",
    port: "Port",
    enabled: "Enabled",
    security: "Security",
    flow: "Flow",
    method: "Method",
    tls: "TLS",
    "tls.mode": "TLS mode",
    "tls.serverName": "TLS server name",
    "tls.certificatePath": "Certificate file path",
    "tls.keyPath": "Key file path",
    reality: "Reality",
    "reality.handshakeServer": "Handshake server",
    "reality.handshakePort": "Handshake port",
    "reality.serverName": "Reality server name",
    "reality.shortIds": "Short ids",
    "reality.regenerateKeys": "Regenerate keys",
    client: "Where clients connect",
    "client.address": "Client address",
    "client.serverName": "Client TLS server name",
  },
  inboundForm: {
    title: (tag: string) => `Inbound ${tag}`,
    back: "← Inbounds",
    traffic: "Traffic",
    countedSince: "counted since",
    resetExplained:
      "Resetting sets this inbound's totals to zero. Users' traffic is counted separately and does not change.",
    resetConfirm: (tag: string) => `Reset the traffic totals of inbound "${tag}" to zero?`,
    resetTraffic: "Reset traffic",
    deleteExplained:
      "Deleting removes the inbound and its user assignments; users keep their traffic totals.",
    deleteConfirm: (tag: string) => `Delete inbound "${tag}"?`,
    delete: "Delete inbound",
    notices: {
      created: "Inbound created",
      saved: "Inbound saved",
      reset: "Traffic reset to zero",
    },
    notSaved: "The inbound was not saved:",
    tagHint: "Letters, digits and . _ - (at most 48); it names the inbound",
    mixed: "Mixed",
    listenHint: ":: is every address (IPv4 and IPv6); 127.0.0.1 only this host",
    portHint: "1–65535; a free one is suggested",
    otherTypes: "Fields for another type:",
    create: "Create inbound",
    none: "None",
    securityHint: "Reality needs no certificate and looks like another site",
    tlsOptional: "TLS (optional)",
    tlsRequired: "TLS (required)",
    methodHint: "The panel generates the server key; changing the method generates a new one.",
    mixedServes:
      "A mixed inbound serves SOCKS5 and HTTP proxies. Each user signs in with the user name",
    mixedUser: "user name",
    mixedTag: "tag",
    mixedExplained:
      "(their name, a bar, this inbound's tag) and their password; their page and share links show it. It needs no further settings.",
    chooseType: "Choose a type to see its settings.",
    tlsModes: {
      none: "No TLS",
      files: "Certificate files on this server",
      self_signed: "Self-signed (generated by the panel)",
    },
    certificate: "Certificate",
    serverName: "Server name",
    serverNameHint: "The domain clients connect to; self-signed without one: localhost",
    certificateFile: "Certificate file",
    certificateFileHint: "Absolute path of a PEM file, e.g.",
    keyFile: "Key file",
    keyFileHint: "Absolute path of its PEM private key",
    generatedCertificate: "Generated certificate:",
    generatedKey: "Key:",
    untrusted: "Clients must allow an untrusted certificate.",
    handshakeServerHint: "A real TLS 1.3 site the inbound borrows its handshake from",
    realityServerNameHint: "Empty: the same as the handshake server",
    shortIdsHint: "Hex, even length up to 16, one per line; empty: one is generated",
    publicKey: "Public key (clients need it):",
    regenerateKeys: "Generate a new key pair (every client must update its subscription)",
    clientLegend: "Where clients connect (optional)",
    clientAddressHint: "A domain or IP; empty: the public address from Settings",
    clientServerNameHint: "Empty: the TLS server name above",
    clientExplained:
      "Share links and subscriptions use this address instead of the panel's public address (a CDN, another interface); the server name is what TLS clients send. Changing them does not restart sing-box.",
  },
  users: {
    add: "Add user",
    addMany: "Add many",
    back: "← Users",
    count: users,
    created: (n: number) => `${users(n)} created.`,
    pages: "Pages",
    previous: "← Previous",
    next: "Next →",
    pageOf: (page: string, pages: string) => `Page ${page} of ${pages}`,
    filterByStatus: "Filter by status",
    all: "all",
    noneWithStatusMatch: (status: string, search: string) => `No ${status} users match “${search}”`,
    noneMatch: (search: string) => `No users match “${search}”`,
    noneWithStatus: (status: string) => `No ${status} users`,
    noneOnPage: "No users on this page",
    none: "No users yet",
    columns: {
      name: "Name",
      status: "Status",
      expiry: "Expiry",
      created: "Created",
    },
    usedOfLimit: "Used / limit",
    expires: "Expires",
    selectPage: "Select every user on this page",
    select: (name: string) => `Select ${name}`,
    edit: (name: string) => `Edit ${name}`,
    searchPlaceholder: "Search by name",
    searchLabel: "Search users by name",
    quotaUsed: "Quota used",
    quotaUsedTitle: (percent: string) => `${percent} of the quota used`,
    never: "never",
    noInbounds: "none",
    inboundCount: (n: number) => `${num(n)} inbounds`,
  },
  userForm: {
    notSaved: "The user was not saved:",
    fields: {
      name: "Name",
      trafficLimit: "Traffic limit",
      expiresAt: "Expiry",
      resetStrategy: "Reset traffic",
      inbounds: "Inbounds",
      note: "Note",
      enabled: "Enabled",
    },
    nameHint: "Letters, digits and . _ @ - (at most 48)",
    limitUnit: "Traffic limit unit",
    limitHint: (gb: string, mb: string) => `0 = unlimited; 1 ${gb} = 1024 ${mb}`,
    expiresAfter: "Expires after (UTC; empty = never)",
    neverExpires: "never expires",
    expiryShortcuts: "Expiry shortcuts",
    plusDays: (n: number) => `+${n} days`,
    never: "Never",
    resets: {
      none: "Never",
      day: "Every day",
      week: "Every week",
      month: "Every month",
    } satisfies Record<ResetStrategy, string>,
    noInboundsYet: "None yet;",
    createInbound: "create an inbound to assign it.",
    inboundGone: "(does not exist)",
    inboundDisabled: "(disabled)",
    create: "Create user",
    saveChanges: "Save changes",
  },
  userDetail: {
    done: {
      created: "User created.",
      saved: "Changes saved.",
      reset: "Traffic reset to zero.",
      regenerated: "New UUID and password generated; the user's clients need the new settings.",
      token: "New subscription URL made; the old one no longer works.",
      enabled: "User enabled.",
      disabled: "User disabled.",
    },
    resets: {
      none: "Traffic resets never",
      day: "Traffic resets every day",
      week: "Traffic resets every week",
      month: "Traffic resets every month",
    } satisfies Record<ResetStrategy, string>,
    perInbound: "Traffic per inbound",
    inbound: "Inbound",
    perInboundNone: "No inbounds assigned and no traffic recorded",
    unassigned: "(no longer assigned)",
    credentials: "Credentials",
    passwordExplained:
      "Password (Shadowsocks and mixed inbounds take it in another form: see Connect)",
    regenerate: "Regenerate credentials",
    regenerateConfirm: (name: string) =>
      `Generate a new UUID and password for "${name}"? Their clients stop working until they update.`,
    resetTraffic: "Reset traffic",
    resetConfirm: (name: string) =>
      `Reset the traffic of "${name}" to zero? Inbound totals are kept.`,
    delete: "Delete user",
    deleteConfirm: (name: string) =>
      `Delete "${name}" and their traffic records? This cannot be undone.`,
    createdAt: "Created",
    updatedAt: "updated",
  },
  connect: {
    heading: "Connect",
    urlExplained: "Subscription URL (clients import it once and refresh it themselves)",
    openUserPage: "Open the user's page",
    downloadProfile: "Download sing-box profile",
    newUrl: "New subscription URL",
    newUrlConfirm: (name: string) =>
      `Make a new subscription URL for "${name}"? The current one stops working.`,
    subscriptionUrl: "subscription URL",
    qrCode: (what: string) => `QR code: ${what}`,
    linkLabel: (tag: string, n: number) => `${tag} link ${n}`,
    lastFetch: (ago: string) => `Last subscription update: ${ago} ago`,
    neverFetched: "The subscription has not been fetched yet.",
    blocked: (reason: string) => `Clients get no server now: ${reason}.`,
    shareLinks: "Share links",
    noInbounds: "No enabled inbounds are assigned.",
    credentials: {
      method: "Method",
      username: "Username",
      uuid: "UUID",
      password: "Password",
    } satisfies Record<CredentialKind, string>,
  },
  subscription: {
    uploaded: "Uploaded",
    downloaded: "Downloaded",
    addToApp: "Add to your app",
    orCopy: "Or copy the subscription URL, or scan it:",
    servers: "Servers",
    blocked: {
      limited: "Traffic limit reached",
      expired: "Subscription expired",
      disabled: "Account disabled",
      no_servers: "No servers assigned",
    } satisfies Record<BlockedReason, string>,
  },
  bulk: {
    label: "Bulk actions",
    applyTo: "Apply to",
    selectedUsers: "the selected users",
    matchingUsers: "every user matching the filter",
    selectedBefore: "",
    selectedAfter: " selected",
    action: "Action",
    actions: {
      enable: "Enable",
      disable: "Disable",
      resetTraffic: "Reset traffic",
      extendExpiry: "Extend expiry",
      addQuota: "Add quota",
      assignInbound: "Assign inbound",
      unassignInbound: "Unassign inbound",
      delete: "Delete",
    } satisfies Record<BulkAction, string>,
    days: "Days",
    quota: "Quota",
    quotaToAdd: "Quota to add",
    unit: "Unit",
    apply: "Apply",
    done: {
      enable: (n: number) => `${users(n)} enabled.`,
      disable: (n: number) => `${users(n)} disabled.`,
      resetTraffic: (n: number) => `${users(n)} reset to zero traffic.`,
      extendExpiry: (n: number) => `${users(n)} given a later expiry.`,
      addQuota: (n: number) => `${users(n)} given more quota.`,
      assignInbound: (n: number) => `${users(n)} assigned the inbound.`,
      unassignInbound: (n: number) => `${users(n)} unassigned from the inbound.`,
      delete: (n: number) => `${users(n)} deleted.`,
    } satisfies Record<BulkAction, (n: number) => string>,
    unchanged: {
      enable: (n: number) => `${users(n)} unchanged: already enabled.`,
      disable: (n: number) => `${users(n)} unchanged: already disabled.`,
      resetTraffic: null,
      extendExpiry: (n: number) => `${users(n)} unchanged: never expire.`,
      addQuota: (n: number) => `${users(n)} unchanged: are unlimited.`,
      assignInbound: (n: number) => `${users(n)} unchanged: had it already.`,
      unassignInbound: (n: number) => `${users(n)} unchanged: did not have it.`,
      delete: null,
    } satisfies Record<BulkAction, ((n: number) => string) | null>,
    notApplied: "The bulk action was not applied",
    deleteConfirm: (n: number) =>
      `Delete ${users(n)} with their traffic records? This cannot be undone.`,
    deleteButton: (n: number) => `Delete ${users(n)}`,
  },
  batch: {
    title: "Add many users",
    explained:
      "Every user gets a generated UUID and password and starts enabled, with traffic reset never. All are created together, or none.",
    byPrefix: "By name prefix",
    fromCsv: "From CSV",
    notCreated: "No users were created",
    fields: {
      prefix: "Name prefix",
      count: "Count",
      start: "First number",
      trafficLimit: "Traffic limit",
      expiresAt: "Expiry",
      inbounds: "Inbounds",
      csv: "CSV",
    },
    noInbounds: "No inbounds yet; the users get none.",
    prefixHint: "Names are the prefix and a number: user-01, user-02…",
    atMost: (n: string) => `At most ${n}`,
    unlimitedHint: "0 = unlimited",
    csvFile: "CSV file",
    orPaste: "…or paste the lines",
    csvLines: "One user per line:",
    csvQuota: "Quota: a number and MB, GB or TB (a number alone is GB; empty or 0 is unlimited):",
    csvExpiry: "Expiry: a date (UTC), or empty for never:",
    csvHeader: "A first line that starts with “name” is skipped.",
    create: "Create users",
    import: "Import users",
  },
  settings: {
    saved: "Saved.",
    nothingSaved: "Nothing was saved:",
    fields: {
      language: "Language",
      publicAddress: "Public address",
      subscriptionBaseUrl: "Subscription base URL",
      profileUpdateHours: "Profile update interval (hours)",
      nearQuotaPercent: "Near quota from",
      expiringDays: "Expires soon within",
      allowPrivateEgress: "Allow proxy users to reach private networks",
    },
    language: {
      label: "Language of the panel",
      browser: "The browser's language",
      hint:
        "For every admin page. The browser's language: each admin sees the language their browser asks for (English if it is not one of these). Users' subscription pages always follow their own browser.",
      saved: "Language saved.",
    },
    subscriptions: {
      heading: "Subscriptions",
      saved: "Subscription settings saved.",
      publicAddressWhat: "the domain or IP clients connect to",
      publicAddressHint:
        "E.g. vpn.example.com. Share links and profiles use it for every inbound without an address of its own. Empty: the host the subscription is fetched from.",
      baseUrlHint:
        "E.g. https://sub.example.com: where users reach this panel (through a reverse proxy, say), the part before",
      baseUrlEmpty: "Empty: the address you use to open this page.",
      updateHint: "How often client apps fetch the subscription again (1–168)",
      submit: "Save subscription settings",
    },
    statuses: "User statuses",
    nearQuotaUnit: "(% of the quota used)",
    nearQuotaHint: "A user with a quota shows “near quota” from this share.",
    expiringUnit: "(days)",
    expiringHint: "“Expires soon” this many days before the expiry; 0: never.",
    security: {
      heading: "Security",
      saved: "Security settings saved.",
      explained:
        "Off: proxy users reach only the public internet. On: they may also reach private, loopback and link-local addresses (this server's other services, the local network, cloud metadata). The panel's port and the stats API stay closed either way. Saving a change applies it to sing-box at once.",
      submit: "Save security settings",
    },
    password: {
      heading: "Change password",
      changed: "Password changed; other sessions were logged out.",
      notChanged: "The password was not changed:",
      notChangedSentence: "The password was not changed",
      fields: {
        current: "Current password",
        next: "New password",
        confirm: "Repeat new password",
      },
      nextHint: "(8 characters or more)",
      submit: "Change password",
    },
    tokens: {
      heading: "API tokens",
      sendHeader: "Send the token with every request to /api/v1/… as the header",
      shownOnce: "A token is shown once; only its hash is stored.",
      created: (name: string) => `New token “${name}”: copy it now, it is not shown again.`,
      name: "Name",
      createdAt: "Created",
      lastUsed: "Last used",
      none: "No tokens yet",
      revokeConfirm: (name: string) => `Revoke the token “${name}”?`,
      revoke: "Revoke",
      nameLabel: "Token name",
      nameHint: "What the token is for, e.g. provisioning",
      create: "Create token",
    },
  },
  errors: {
    pageNotFound: "Page not found",
    notFound: "Not found",
    internal: "Internal error",
    csrf: "Missing or invalid CSRF token; reload the page and try again",
    crossSiteLogin: "Cross-site login refused",
    wrongPassword: "Wrong username or password",
    loginBusy: "Too many login attempts at once; try again in a moment",
    loginLocked: (who: "client" | "account", minutes: number, browserHint: boolean) =>
      `Too many failed logins for ${
        who === "client" ? "this client" : "this account"
      }; try again in ${minutes} minutes${
        browserHint ? "; a browser that logged in here before can still log in" : ""
      }`,
    tooManySubscriptionRequests: "Too many subscription requests; try again later",
    unknownHost: (host: string) =>
      `This panel does not answer to the host name "${host}"; add it with --allowed-hosts or SINGDECK_ALLOWED_HOSTS, or set it as the public address`,
    bodyTooLarge: (size: string) => `Request body is larger than ${size}`,
    unknownFormat: (format: string, formats: string) =>
      `Unknown format "${format}"; use one of ${formats}`,
    useOneOf: (choices: string) => `Use one of ${choices}`,
    noShareLink: (n: string, tag: string) => `No share link ${n} for inbound "${tag}"`,
    tokenNotFound: (id: string) => `API token ${id} does not exist`,
    // Settings
    wholeNumber: (label: string, min: number, max: number) =>
      `${label} must be a whole number from ${min} to ${max}`,
    notHost: (label: string, value: string) =>
      `${label} "${value}" is not a host name or IP address`,
    notHostName: (label: string, value: string) => `${label} "${value}" is not a host name`,
    notBaseUrl: (label: string, value: string) =>
      `${label} "${value}" is not an http(s) URL without query, e.g. https://sub.example.com`,
    unknownLanguage: (value: string) =>
      `Language "${value}" is not one of the panel's languages (en, zh-CN, ru, fa) or empty for the browser's`,
    unknownSetting: (key: string) => `Unknown setting "${key}"`,
    settingsInvalid: (n: number) => `${n} settings are invalid`,
    // Passwords and tokens
    passwordLength: "New password must be 8 to 256 characters",
    passwordsDiffer: "Passwords do not match",
    currentPasswordWrong: "Current password is wrong",
    tokenNameLength: "Token name must be 1 to 64 characters",
    unsafeText: (label: string, problem: UnsafeText) =>
      problem === "control"
        ? `${label} must not contain control characters`
        : `${label} must not contain bidirectional override characters (U+202A–U+202E, U+2066–U+2069)`,
    // Users
    nameRequired: "Name is required",
    nameHasCounterSeparator: (separator: string) =>
      `Name must not contain "${separator}": sing-box uses it inside counter names`,
    nameHasPairSeparator: (separator: string) =>
      `Name must not contain "${separator}": it separates user and inbound in stats names`,
    nameHasWhitespace: "Name must not contain spaces or other whitespace",
    nameTooLong: (max: number, length: number) =>
      `Name must be at most ${max} characters (it has ${length})`,
    nameBadCharacter: (character: string) =>
      `Name may contain only letters a-z A-Z, digits and . _ @ - (not "${character}")`,
    nameReserved: (name: string) => `Name "${name}" is reserved; choose another`,
    noteTooLong: (max: number, length: number) =>
      `Note must be at most ${max} characters (it has ${length})`,
    resetStrategy: (value: string, choices: string) =>
      `Reset strategy "${value}" must be one of ${choices}`,
    tooManyInbounds: (max: number) => `At most ${max} inbounds can be assigned at once`,
    expiryYear: "Expiry must be in a year from 1970 to 9999",
    expiryFormat: (value: string) =>
      `Expiry "${value}" must be a date like 2030-12-31, or empty for never`,
    expiryNotReal: (value: string) => `Expiry "${value}" is not a real date`,
    expiryIsoFormat:
      'Expiry must be an ISO 8601 date-time like "2030-12-31T23:59:59Z" (with Z or an offset), a date like "2030-12-31" (end of that day UTC), or null for never',
    expiryNotRealTime: (value: string) => `Expiry "${value}" is not a real date and time`,
    quotaUnit: (label: string, unit: string, units: string) =>
      `${label} unit "${unit}" must be one of ${units}`,
    quotaNegative: (label: string, unit: ByteUnit) => `${label} must be 0 or more ${unit}`,
    quotaNotNumber: (label: string, value: string, unit: ByteUnit) =>
      `${label} "${value}" must be a number of ${unit} like 10 or 2.5`,
    quotaTooLarge: (label: string, max: number, unit: ByteUnit) =>
      `${label} must be at most ${max} ${unit}`,
    quotaTooSmall: (label: string) => `${label} must be at least 1 byte; use 0 for unlimited`,
    statusFilter: (value: string, choices: string) => `Status "${value}" must be one of ${choices}`,
    searchTooLong: (max: number) => `Search must be at most ${max} characters`,
    sortOrder: (value: string, choices: string) => `Sort "${value}" must be one of ${choices}`,
    pageNumber: (value: string) => `Page "${value}" must be a whole number from 1`,
    userExists: (name: string) => `A user named "${name}" already exists`,
    userNotFound: (name: string) => `User "${name}" does not exist`,
    usersNotFound: (n: number, names: string) =>
      n === 1 ? `User ${names} does not exist` : `Users ${names} do not exist`,
    userChangedMeanwhile: (name: string) =>
      `User "${name}" was changed by someone else since this form was opened; reload it to see their changes, or save again to overwrite them`,
    fieldsInvalid: (n: number, fields: string) => `${n} fields are invalid: ${fields}`,
    inboundNotFound: (tag: string) => `Inbound "${tag}" does not exist`,
    inboundsNotFound: (n: number, tags: string) =>
      n === 1 ? `Inbound ${tags} does not exist` : `Inbounds ${tags} do not exist`,
    andMore: (shown: string, more: number) => `${shown} and ${more} more`,
    // Bulk actions and batches
    problems: (what: string, n: number, list: string) => `${what}: ${n} problems: ${list}`,
    chooseAction: "Choose an action",
    bulkAction: (value: string, choices: string) => `Action "${value}" must be one of ${choices}`,
    chooseInbound: "Choose an inbound",
    selectUsers: "Select at least one user, or choose every matching user",
    badSelection: "Selected users are invalid",
    quotaToAddZero: "Quota to add must be more than 0",
    selectionGone: (n: number) =>
      `${n} of the selected users no longer exist; reload the page and try again`,
    someSelectedGone: "Some selected users no longer exist",
    noMatch: "No users match the filter",
    noMatchShort: "No users match",
    firstNumber: "First number must be a whole number from 0",
    prefixRequired: "Prefix is required",
    prefixNames: (example: string, problem: string) =>
      `Names like "${example}" are not valid: ${problem}`,
    onLine: (line: number, problem: string) => `Line ${line}: ${problem}`,
    csvFields: "has more than 3 fields (name, quota, expiry)",
    csvDuplicate: (name: string, line: number) => `"${name}" is also on line ${line}`,
    csvQuota: (value: string) => `Quota "${value}" must be a number and MB, GB or TB, like 10 GB`,
    csvQuotaUnit: (value: string) => `Quota unit "${value}" must be MB, GB or TB`,
    csvMore: (n: number) => `…and ${n} more lines with problems`,
    csvEmpty: "The CSV has no users",
    batchTooLarge: (max: number) => `At most ${max} users can be created at once`,
    notCreatedProblems: (n: number) => `No users were created: ${n} problems`,
    batchRace: "A user with one of these names was created meanwhile; try again",
    // Inbounds
    andMoreErrors: (first: string, more: number) => `${first} (and ${more} more)`,
    inboundSort: (value: string, choices: string) =>
      `Sort "${value}" is not supported; use one of ${choices}`,
    required: (label: string) => `${label} is required`,
    tooLong: (label: string, max: number) => `${label} must be at most ${max} characters`,
    tagPathSegment: (tag: string) => `Tag "${tag}" is not allowed: it is a path segment of its own`,
    tagSeparators: 'Tag cannot contain "|" or ">": sing-box stats use them as separators',
    tagCharacters: 'Tag may contain only letters, digits, ".", "_" and "-"',
    typeUnsupported: (type: string, types: string) =>
      `Type "${type}" is not supported; use one of ${types}`,
    typeFixed: (type: string) =>
      `Type cannot be changed from ${type}; create a new inbound instead`,
    listenNotIp: (value: string) => `Listen address "${value}" is not an IPv4 or IPv6 address`,
    listenNotHere: (listen: string, noIpv6: boolean) =>
      `Listen address ${listen} is not an address of this machine${
        noIpv6 ? " (it has no IPv6)" : ""
      }`,
    tlsNotApplicable: (type: string) => `TLS does not apply to ${type} inbounds`,
    onlyFor: (label: string, type: string) => `${label} applies only to ${type} inbounds`,
    tlsOrReality: "Choose TLS or Reality, not both",
    notOneOf: (label: string, value: string, choices: string) =>
      `${label} "${value}" is not one of ${choices}`,
    tlsRequired: (type: string) =>
      `${type.charAt(0).toUpperCase()}${type.slice(1)} inbounds need TLS`,
    flowNeedsTls: (flow: string) => `Flow ${flow} needs TLS or Reality`,
    methodSingleUser: (method: string) =>
      `Method ${method} cannot serve several users in sing-box; choose an AES method`,
    chooseCertificate: "Choose certificate files or a self-signed certificate",
    serverNameRequired: "Server name is required: the name the certificate is issued for",
    pathNotAbsolute: (label: string, path: string) => `${label} "${path}" must be absolute`,
    handshakeServerRequired: "Handshake server is required, e.g. www.example.com",
    realityServerNameRequired: "Server name is required when the handshake server is an IP address",
    tooManyShortIds: (max: number) => `At most ${max} short ids are allowed`,
    shortIdFormat: (id: string) => `Short id "${id}" must be hex digits of even length, at most 16`,
    clientServerName: "Client server name",
    clientServerNameReality:
      "Reality clients send the Reality server name; leave the client server name empty",
    clientServerNameSelfSigned:
      "Clients check a self-signed certificate against its own server name; leave the client server name empty",
    clientServerNameNoTls: "A client server name applies only to inbounds with TLS",
    fileProblem: (file: string, path: string, problem: FileProblem, detail: string) =>
      `${file} "${path}" ${englishFileProblem(problem, detail)}`,
    tagTaken: (tag: string) => `Tag "${tag}" is already used by another inbound`,
    tagTakenRace: "Tag is already used by another inbound",
    portIsPanel: (port: number) => `Port ${port} is used by the panel itself`,
    portTaken: (port: number, tag: string) => `Port ${port} is already used by inbound "${tag}"`,
    portTakenOnHost: (port: number, transport: string, listen: string) =>
      `Port ${port} (${transport}) on ${listen} is in use by another program`,
    portTakenRace: "Port is already used by another inbound on this address",
    inboundChangedMeanwhile: (tag: string) =>
      `Inbound "${tag}" was changed by someone else while this change was prepared; reload it to see their changes, then try again`,
  },
};

/** The shape of every catalog: every key of English, each a string or a function. */
export type Messages = typeof en;
