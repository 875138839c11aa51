import { assertEquals } from "@std/assert";
import { formatterFor } from "../format.ts";
import { ValidationError } from "../errors.ts";
import { userNameError } from "../users/user_fields.ts";
import { CATALOGS } from "./locales.ts";
import { browserLocale, textDirection } from "./locales.ts";
import { i18nFor } from "./i18n.ts";
import { localize } from "./msg.ts";

const MB = 1024 ** 2;
const DAY = 86_400_000;

Deno.test("formatterFor() writes numbers, bytes and percentages the language's way", () => {
  const [zh, ru, fa] = [formatterFor("zh-CN"), formatterFor("ru"), formatterFor("fa")];
  assertEquals(zh.bytes(24.8 * MB), "24.8 MB");
  assertEquals(ru.bytes(24.8 * MB), "24,8 МБ");
  assertEquals(fa.bytes(24.8 * MB), "۲۴٫۸ MB");
  assertEquals(ru.bytes(4096 * 1024 ** 4), "4096 ТБ");
  assertEquals(fa.bytes(0), "۰ B");
  assertEquals(zh.count(100_000), "100,000");
  assertEquals(ru.count(100_000), "100\u00a0000");
  assertEquals(fa.count(100_000), "۱۰۰٬۰۰۰");
  assertEquals(ru.percent(37.5), "37,5\u00a0%");
  assertEquals(fa.percent(37.5), "۳۷٫۵٪");
  assertEquals(ru.byteUnit("GB"), "ГБ");
  assertEquals(fa.byteUnit("GB"), "GB");
});

Deno.test("formatterFor() writes dates in UTC with each language's calendar and digits", () => {
  const at = Date.UTC(2030, 0, 2, 3, 4, 5);
  assertEquals(formatterFor("en").time(at), "2030-01-02 03:04");
  assertEquals(formatterFor("zh-CN").time(at), "2030/01/02 03:04");
  assertEquals(formatterFor("ru").time(at), "02.01.2030, 03:04");
  assertEquals(formatterFor("ru").timeSeconds(at), "02.01.2030, 03:04:05");
  // Persian: the solar hijri calendar, Persian digits.
  assertEquals(formatterFor("fa").date(at), "۱۴۰۸/۱۰/۱۳");
  assertEquals(formatterFor("fa").date(null), "—");
});

Deno.test("formatterFor() words relative times and durations through Intl", () => {
  const now = Date.UTC(2030, 0, 10, 12);
  const ru = formatterFor("ru");
  assertEquals(ru.relative(now + 12 * DAY + 5000, now), "через 12 дней");
  assertEquals(ru.relative(now - 3 * DAY, now), "3 дня назад");
  assertEquals(ru.relative(now - 21 * 60_000, now), "21 минуту назад");
  assertEquals(ru.relative(now, now), "сейчас");
  assertEquals(formatterFor("zh-CN").relative(now + 12 * DAY, now), "12天后");
  assertEquals(formatterFor("fa").relative(now - 5 * 60_000, now), "۵ دقیقه پیش");
  assertEquals(ru.duration(3 * 86400 + 4 * 3600), "3 д. 4 ч");
  assertEquals(formatterFor("zh-CN").duration(5 * 3600 + 120), "5小时2分钟");
  assertEquals(formatterFor("en").duration(5 * 3600 + 120), "5h 2m");
});

Deno.test("Russian counts take the plural form of their number", () => {
  const { users, units } = CATALOGS.ru;
  assertEquals(
    [1, 2, 5, 11, 21, 22, 100].map(users.count),
    [
      "1 пользователь",
      "2 пользователя",
      "5 пользователей",
      "11 пользователей",
      "21 пользователь",
      "22 пользователя",
      "100 пользователей",
    ],
  );
  assertEquals([1, 3, 5].map(units.exactBytes), ["1 байт", "3 байта", "5 байт"]);
  assertEquals(CATALOGS.ru.bulk.done.enable(1), "Включён 1 пользователь.");
  assertEquals(CATALOGS.ru.bulk.done.enable(3), "Включено 3 пользователя.");
  assertEquals(CATALOGS.en.users.count(1), "1 user");
  assertEquals(CATALOGS.en.users.count(1000), "1,000 users");
});

Deno.test("browserLocale() reads every spelling of Simplified Chinese as zh-CN", () => {
  for (const tag of ["zh", "zh-CN", "zh-cn", "zh-Hans", "zh-Hans-CN", "zh-SG"]) {
    assertEquals(browserLocale(tag), "zh-CN", tag);
  }
  // Traditional Chinese and other tags are left to the detector.
  assertEquals(browserLocale("zh-TW"), "zh-TW");
  assertEquals(browserLocale("fa-IR"), "fa-IR");
  assertEquals(textDirection("fa"), "rtl");
  assertEquals(textDirection("ru"), "ltr");
});

Deno.test("a core message is English for the API and the reader's language on a page", () => {
  const error = new ValidationError((t) => t.errors.nameRequired, {
    name: userNameError("a b")!,
    note: "API-only text",
  });
  assertEquals(error.message, "Name is required");
  assertEquals(error.fields, {
    name: "Name must not contain spaces or other whitespace",
    note: "API-only text",
  });
  assertEquals(localize(error.fieldTexts.name, CATALOGS.ru), CATALOGS.ru.errors.nameHasWhitespace);
  assertEquals(i18nFor("zh-CN").text(error.text), "名称不能为空");
  assertEquals(i18nFor("fa").text("API-only text"), "API-only text");
});
