/**
 * The reader's language inside components. `app.tsx`'s renderer wraps every page and
 * fragment in `I18nContext.Provider`; components call `useI18n()` for the catalog (`t`),
 * the formats (`f`) and `text()` for core messages.
 *
 * hono/jsx renders a component when its parent renders, but host elements and fragments
 * written in a route are rendered where they are written: what a route passes to
 * `c.render()` must therefore be a component (`<UsersPage .../>`), not `<div>` or `<>`.
 * `useI18n()` throws outside the provider, so a mistake fails loudly, not in English.
 */
import { createContext, useContext } from "hono/jsx";
import type { I18n } from "../core/i18n/i18n.ts";

export const I18nContext = createContext<I18n | null>(null);

/** The language of the page being rendered. */
export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error("useI18n() outside a page: routes must c.render() a component");
  return i18n;
}

/**
 * A name set inside a sentence, as its own direction (Unicode first-strong isolate): a
 * Latin tag that wraps in a Persian heading keeps its hyphens where they belong.
 */
export function isolated(name: string): string {
  return `\u2068${name}\u2069`;
}
