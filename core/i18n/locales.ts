/**
 * The languages of the panel and their catalogs. To add one: write its catalog
 * (`const xx: Messages = {...}`, every key of `en.ts`, checked by the compiler), add it to
 * `LOCALES`, `CATALOGS`, `LOCALE_NAMES` and, if it is written right to left, `RTL`.
 */
import { en, type Messages } from "./en.ts";
import { zhCN } from "./zh_cn.ts";
import { ru } from "./ru.ts";
import { fa } from "./fa.ts";

/** Every language, by BCP 47 tag; the first is the default. */
export const LOCALES = ["en", "zh-CN", "ru", "fa"] as const;
export type Locale = typeof LOCALES[number];
export const DEFAULT_LOCALE: Locale = "en";

export const CATALOGS: Record<Locale, Messages> = { en, "zh-CN": zhCN, ru, fa };

/** Each language's name in itself, as a language menu lists it. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: "English",
  "zh-CN": "简体中文",
  ru: "Русский",
  fa: "فارسی",
};

/** Languages written right to left. */
const RTL: ReadonlySet<Locale> = new Set(["fa"]);

/** Whether `value` is one of the panel's languages (exactly, as stored and posted). */
export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The direction a language is written in, for `<html dir>`. */
export function textDirection(locale: Locale): "ltr" | "rtl" {
  return RTL.has(locale) ? "rtl" : "ltr";
}

/**
 * A browser's language tag as one of ours, for Hono's language detector: Simplified
 * Chinese in any of its spellings (`zh`, `zh-Hans`, `zh-SG`) is `zh-CN`; other tags are
 * left for the detector's own matching (`ru-RU` → `ru`, `fa-IR` → `fa`).
 */
export function browserLocale(tag: string): string {
  if (/^zh(-hans(-[a-z]+)?|-cn|-sg|-my)?$/i.test(tag)) return "zh-CN";
  return tag;
}
