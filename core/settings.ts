/**
 * Panel settings an admin changes at run time (the Settings page and API), stored as text
 * in the `settings` table. Each has a default and a parser; a stored value that no longer
 * parses falls back to the default. `getSettings` caches per database and `saveSettings`
 * refreshes the cache, so requests read settings without a query.
 *
 * To add a setting: add its definition to `SETTING_DEFINITIONS`; its type follows.
 */
import type { Db } from "../db/database.ts";
import { readSettingRows, writeSettingRows } from "../db/settings.ts";
import { isHostname, normalizeIpAddress } from "./addresses.ts";
import { ValidationError } from "./errors.ts";
import type { Messages } from "./i18n/en.ts";
import { isLocale, type Locale } from "./i18n/locales.ts";
import type { Msg } from "./i18n/msg.ts";
import type { StatusThresholds } from "./users/user_status.ts";

type Parsed<T> = { value: T; error?: undefined } | { value?: undefined; error: Msg };

/** A setting's name in messages: its label on the Settings page, in any language. */
export type SettingLabel = keyof Messages["settings"]["fields"];

/** One setting: its default, how submitted or stored text becomes its value, and back. */
export interface SettingDefinition<T> {
  label: SettingLabel;
  default: T;
  parse(text: string): Parsed<T>;
  format(value: T): string;
}

/** An on/off setting; forms send "on"/"1"/"true" for on, anything else (or nothing) for off. */
export function booleanSetting(label: SettingLabel, fallback: boolean): SettingDefinition<boolean> {
  return {
    label,
    default: fallback,
    parse: (text) => ({ value: ["1", "on", "true", "yes"].includes(text.trim().toLowerCase()) }),
    format: (value) => (value ? "1" : "0"),
  };
}

/** A whole number from `min` to `max`. */
export function integerSetting(
  label: SettingLabel,
  fallback: number,
  min: number,
  max: number,
): SettingDefinition<number> {
  return {
    label,
    default: fallback,
    parse(text) {
      const t = text.trim();
      const n = /^-?\d{1,15}$/.test(t) ? Number(t) : NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        return { error: (m) => m.errors.wholeNumber(m.settings.fields[label], min, max) };
      }
      return { value: n };
    },
    format: (value) => String(value),
  };
}

/** A host name or IP address, or empty for unset. */
export function hostSetting(label: SettingLabel): SettingDefinition<string> {
  return {
    label,
    default: "",
    parse(text) {
      const t = text.trim().toLowerCase();
      if (t === "") return { value: "" };
      const ip = normalizeIpAddress(t.replace(/^\[(.*)\]$/, "$1"));
      if (ip !== null) return { value: ip };
      if (isHostname(t)) return { value: t };
      const given = text.trim().slice(0, 64);
      return { error: (m) => m.errors.notHost(m.settings.fields[label], given) };
    },
    format: (value) => value,
  };
}

/**
 * An http(s) URL without query or fragment (a trailing slash is dropped), or empty for
 * unset.
 */
export function baseUrlSetting(label: SettingLabel): SettingDefinition<string> {
  return {
    label,
    default: "",
    parse(text) {
      const t = text.trim().replace(/\/+$/, "");
      if (t === "") return { value: "" };
      let url: URL | null = null;
      try {
        url = new URL(t);
      } catch {
        // reported below
      }
      if (
        !url || (url.protocol !== "http:" && url.protocol !== "https:") || url.search ||
        url.hash || url.username || url.password || t.length > 512
      ) {
        const given = t.slice(0, 64);
        return { error: (m) => m.errors.notBaseUrl(m.settings.fields[label], given) };
      }
      return { value: url.href.replace(/\/+$/, "") };
    },
    format: (value) => value,
  };
}

/** The panel's language, or "" to follow each browser's. */
export function languageSetting(label: SettingLabel): SettingDefinition<Locale | ""> {
  return {
    label,
    default: "",
    parse(text) {
      const t = text.trim();
      if (t === "" || isLocale(t)) return { value: t };
      const given = t.slice(0, 32);
      return { error: (m) => m.errors.unknownLanguage(given) };
    },
    format: (value) => value,
  };
}

export const SETTING_DEFINITIONS = {
  /**
   * The domain or IP address clients connect to (share links, subscriptions) and a host
   * name the panel answers to; empty means unset.
   */
  publicAddress: hostSetting("publicAddress"),
  /**
   * Whether proxy users may reach private, loopback-adjacent and link-local networks through
   * the proxy (off by default: they reach only the public internet).
   */
  allowPrivateEgress: booleanSetting("allowPrivateEgress", false),
  /** Percent of the quota used from which a user is shown as near their limit. */
  nearQuotaPercent: integerSetting("nearQuotaPercent", 80, 1, 100),
  /** Days before expiry from which a user is shown as expiring soon (0: never). */
  expiringDays: integerSetting("expiringDays", 3, 0, 365),
  /**
   * Where subscription URLs point (`{base}/sub/{token}`): the panel as users reach it,
   * e.g. behind a reverse proxy. Empty: the address the admin's browser or API call uses.
   */
  subscriptionBaseUrl: baseUrlSetting("subscriptionBaseUrl"),
  /** Hours between client refreshes of a subscription (`Profile-Update-Interval`). */
  profileUpdateHours: integerSetting("profileUpdateHours", 12, 1, 168),
  /**
   * The language of the admin pages (core/i18n/locales.ts); empty: each browser's own
   * (Accept-Language), else English. Users' subscription pages always follow the browser.
   */
  language: languageSetting("language"),
};

type Definitions = typeof SETTING_DEFINITIONS;
export type SettingKey = keyof Definitions;
/** Every setting's current value. */
export type PanelSettings = {
  [K in SettingKey]: Definitions[K] extends SettingDefinition<infer T> ? T : never;
};

const cache = new WeakMap<Db, PanelSettings>();

function defaults(): PanelSettings {
  return Object.fromEntries(
    Object.entries(SETTING_DEFINITIONS).map(([key, d]) => [key, d.default]),
  ) as PanelSettings;
}

/** The current settings (stored values over defaults), cached per database. */
export async function getSettings(db: Db): Promise<PanelSettings> {
  const cached = cache.get(db);
  if (cached) return cached;
  const rows = await readSettingRows(db);
  const settings = defaults() as Record<string, unknown>;
  for (const [key, d] of Object.entries(SETTING_DEFINITIONS)) {
    const text = rows.get(key);
    if (text === undefined) continue;
    const parsed = (d as SettingDefinition<unknown>).parse(text);
    if (parsed.error === undefined) settings[key] = parsed.value;
  }
  cache.set(db, settings as PanelSettings);
  return settings as PanelSettings;
}

/** The thresholds of the "near quota" and "expires soon" statuses. */
export async function getStatusThresholds(db: Db): Promise<StatusThresholds> {
  const { nearQuotaPercent, expiringDays } = await getSettings(db);
  return { nearQuotaPercent, expiringDays };
}

/**
 * Validates and stores the given settings (submitted text by key) in one statement and
 * returns the new settings. Unknown keys and bad values throw one `ValidationError` naming
 * each field, and nothing is written.
 */
export async function saveSettings(
  db: Db,
  input: Partial<Record<SettingKey, string>> & Record<string, string | undefined>,
): Promise<PanelSettings> {
  const errors: Record<string, Msg> = {};
  const entries: Array<[string, string]> = [];
  for (const [key, text] of Object.entries(input)) {
    if (text === undefined) continue;
    if (!Object.hasOwn(SETTING_DEFINITIONS, key)) {
      const name = key.slice(0, 40);
      errors[key] = (m) => m.errors.unknownSetting(name);
      continue;
    }
    const d = SETTING_DEFINITIONS[key as SettingKey] as SettingDefinition<unknown>;
    const parsed = d.parse(text);
    if (parsed.error !== undefined) errors[key] = parsed.error;
    else entries.push([key, d.format(parsed.value)]);
  }
  const fields = Object.keys(errors);
  if (fields.length > 0) {
    throw new ValidationError(
      fields.length === 1 ? errors[fields[0]] : (m) => m.errors.settingsInvalid(fields.length),
      errors,
    );
  }
  await writeSettingRows(db, entries);
  cache.delete(db);
  return await getSettings(db);
}
