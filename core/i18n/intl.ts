/**
 * What catalogs need from `Intl` to word a message: numbers in the language's digits and
 * separators, and the plural form that goes with a number (English has two, Russian
 * three plus one for fractions, Chinese one).
 */

/** A word's forms by CLDR plural category; `other` is the one every language has. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** Number and plural helpers for the language `locale` (a BCP 47 tag). */
export function intlFor(locale: string) {
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const rules = new Intl.PluralRules(locale);
  const num = (n: number) => numbers.format(n);
  const plural = (n: number, forms: PluralForms) => forms[rules.select(n)] ?? forms.other;
  return {
    /** `n` with the language's digits and grouping: `1,234`, `1 234`, `۱٬۲۳۴`. */
    num,
    /** The form of a word that goes with `n`. */
    plural,
    /** `n` and the word in the form that goes with it: `3 users`, `3 пользователя`. */
    count: (n: number, forms: PluralForms) => `${num(n)} ${plural(n, forms)}`,
    /** Items joined as a list: `a, b and c`. */
    list: (items: string[]) => new Intl.ListFormat(locale, { type: "conjunction" }).format(items),
  };
}
