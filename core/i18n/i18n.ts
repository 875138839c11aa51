/**
 * One language as a page renders it: the catalog, the formats of numbers, bytes and dates,
 * the writing direction, and `text()` to word a core message (`Msg`). Built once per
 * language and shared by every request in it.
 */
import type { Messages } from "./en.ts";
import { CATALOGS, type Locale, textDirection } from "./locales.ts";
import { localize, type Msg } from "./msg.ts";
import { type Formatter, formatterFor } from "../format.ts";

export interface I18n {
  locale: Locale;
  dir: "ltr" | "rtl";
  /** The catalog: every string a page shows. */
  t: Messages;
  /** Numbers, byte counts, dates and durations in this language. */
  f: Formatter;
  /** A message from `core/` in this language. */
  text(msg: Msg): string;
}

const cache = new Map<Locale, I18n>();

/** The language `locale` as pages use it. */
export function i18nFor(locale: Locale): I18n {
  let i18n = cache.get(locale);
  if (!i18n) {
    const t = CATALOGS[locale];
    i18n = {
      locale,
      dir: textDirection(locale),
      t,
      f: formatterFor(locale),
      text: (msg) => localize(msg, t),
    };
    cache.set(locale, i18n);
  }
  return i18n;
}
