/**
 * فارسی (right to left). Terms as Iranian admins of 3x-ui, Marzban and s-ui use them:
 * اینباند، کاربر، حجم، ترافیک، آپلود/دانلود، اشتراک، انقضا. Persian punctuation (، ؛ ؟) and
 * «گیومه»; numbers in Persian digits (Intl's default for fa); byte units stay MB/GB.
 */
import type { Messages } from "./en.ts";
import type { FileProblem } from "../tls_pair.ts";
import { intlFor } from "./intl.ts";

const { num, plural } = intlFor("fa");

const users = (n: number) => `${num(n)} کاربر`;
/** A verb after a number of people: singular for one, plural otherwise ("شد" / "شدند"). */
const verb = (n: number, one: string, many: string) => plural(n, { one, other: many });
/** "n users did not change", the start of every "unchanged" bulk message. */
const unchanged = (n: number) => `${users(n)} ${verb(n, "تغییری نکرد", "تغییری نکردند")}`;

function fileProblem(problem: FileProblem, detail: string): string {
  switch (problem) {
    case "missing":
      return "وجود ندارد";
    case "not_file":
      return "فایل نیست";
    case "too_large":
      return "بزرگ‌تر از ۱ MB است و فایل PEM نیست";
    case "unreadable":
      return "اجازهٔ خواندن ندارد";
    case "cannot_read":
      return `خوانده نمی‌شود: ${detail}`;
    case "not_pem_certificate":
      return "گواهی PEM نیست (بلوک BEGIN CERTIFICATE ندارد)";
    case "not_x509":
      return "بلوک CERTIFICATE دارد که به‌عنوان X.509 خوانده نمی‌شود";
    case "not_pem_key":
      return "کلید خصوصی PEM نیست (بلوک BEGIN PRIVATE KEY ندارد)";
    case "encrypted_key":
      return "با گذرواژه رمز شده است؛ sing-box کلید رمزنشده لازم دارد";
    case "not_key":
      return `بلوک ${detail} دارد که به‌عنوان کلید خصوصی خوانده نمی‌شود`;
    case "key_mismatch":
      return "به گواهی تعلق ندارد (کلیدهای عمومی آن‌ها متفاوت است)";
  }
}

export const fa: Messages = {
  nav: {
    dashboard: "نمای کلی",
    inbounds: "اینباندها",
    users: "کاربران",
    logs: "لاگ‌ها",
    settings: "تنظیمات",
  },
  layout: {
    skipLink: "رفتن به محتوا",
    mainNav: "منوی اصلی",
    logOut: (name) => `خروج (${name})`,
    offline: "پنل پاسخ نداد",
  },
  common: {
    save: "ذخیره",
    cancel: "انصراف",
    delete: "حذف",
    edit: "ویرایش",
    enable: "فعال‌سازی",
    disable: "غیرفعال‌سازی",
    enabled: "فعال",
    disabled: "غیرفعال",
    copy: "کپی",
    copied: "کپی شد",
    copyFailed: "کپی نشد",
    copyLink: "کپی لینک",
    copyUrl: "کپی لینک اشتراک",
    actions: "عملیات",
    all: "همه",
    utc: (time) => `${time} UTC`,
    paren: (text) => `(${text})`,
    colon: ": ",
    comma: "، ",
  },
  units: {
    bytes: { B: "B", KB: "KB", MB: "MB", GB: "GB", TB: "TB" },
    exactBytes: (n) => `${num(n)} بایت`,
    milliseconds: (n) => `${num(n)} میلی‌ثانیه`,
  },
  traffic: {
    uplink: "آپلود",
    downlink: "دانلود",
    total: "مجموع",
  },
  statuses: {
    active: "فعال",
    expiring: "نزدیک به انقضا",
    near_limit: "نزدیک به اتمام حجم",
    limited: "حجم تمام‌شده",
    expired: "منقضی‌شده",
    disabled: "غیرفعال",
  },
  coreStates: {
    running: "در حال اجرا",
    starting: "در حال راه‌اندازی",
    stopped: "متوقف",
    crashed: "از کار افتاده",
    missing: "پیدا نشد",
  },
  statsStates: {
    ok: "سالم",
    stale: "به‌روز نمی‌شود",
    idle: "متوقف",
  },
  login: {
    title: "ورود",
    username: "نام کاربری",
    password: "گذرواژه",
    submit: "ورود",
  },
  errorPage: {
    title: (status) => `خطای ${num(status)}`,
    back: "بازگشت به نمای کلی",
  },
  dashboard: {
    inboundsEnabled: (n) => `اینباندها (${num(n)} فعال)`,
    usersByStatus: "کاربران بر اساس وضعیت",
    uplinkAll: "آپلود، همهٔ اینباندها",
    downlinkAll: "دانلود، همهٔ اینباندها",
    mode: "حالت",
    coreKindLive: "(تغییرات کاربران بدون راه‌اندازی مجدد اعمال می‌شود)",
    coreKindRestarts: "(هر تغییری آن را دوباره راه‌اندازی می‌کند)",
    version: "نسخه",
    buildTags: "برچسب‌های بیلد",
    statsApi: "API آمار V2Ray",
    statsApiPresent: "موجود",
    statsApiMissing: "موجود نیست (ترافیک شمرده نمی‌شود)",
    uptime: "مدت کارکرد",
    restarts: "دفعات راه‌اندازی مجدد پس از خرابی",
    binary: "فایل اجرایی",
    blockedUsers: "کاربران مسدودشده در این لحظه",
    configRefused: "sing-box پیکربندی را نپذیرفت:",
    lastError: "آخرین خطا:",
    failedInbounds: (n) =>
      n === 1
        ? "sing-box این اینباند را نپذیرفت؛ تا وقتی درست نشود از پیکربندی در حال اجرا کنار گذاشته شده است:"
        : "sing-box این اینباندها را نپذیرفت؛ تا وقتی درست نشوند از پیکربندی در حال اجرا کنار گذاشته شده‌اند:",
    start: "شروع",
    restart: "راه‌اندازی مجدد",
    stop: "توقف",
    stopConfirm: "sing-box متوقف شود؟ اتصال همهٔ کاربران قطع می‌شود.",
    viewConfig: "مشاهدهٔ پیکربندی",
    downloadConfig: "دانلود پیکربندی",
    trafficStatistics: "آمار ترافیک",
    staleBecause: "ترافیک در حال حاضر شمرده نمی‌شود:",
    externalResets: (n) =>
      `شمارنده‌های ترافیک از بیرون صفر شده‌اند: ${num(n)} شمارنده از زمان شروع پنل`,
    lastSeenAt: "، آخرین بار در",
    externalResetsExplained:
      ". برنامهٔ دیگری روی این سرور از API آمار sing-box استفاده کرده است. این شمارنده‌ها دوباره از صفر می‌شمارند؛ ترافیک میان دریافت قبلی آمار و هر بار صفر شدن شمرده نشده است.",
    lastPoll: "آخرین دریافت موفق آمار",
    pollDuration: "مدت دریافت آمار",
    countersSeen: "شمارنده‌های دیده‌شده",
    unknownCounters: "شمارنده‌های خارج از پیکربندی",
    savedAtEveryPoll:
      "ترافیک در هر دریافت آمار و پیش از هر راه‌اندازی مجدد برنامه‌ریزی‌شده ذخیره می‌شود. اگر sing-box از کار بیفتد، ترافیک پس از آخرین دریافت آمار از دست می‌رود.",
    outbounds: "اوت‌باندها",
    tag: "تگ",
    noTraffic: "هنوز ترافیکی نیست",
    recentLog: "آخرین لاگ‌های sing-box",
    allLog: "(همه)",
    noPublicAddress: (n, tags) =>
      `نشانی عمومی تنظیم نشده و ${n === 1 ? "اینباند" : "اینباندهای"} ${tags} روی همهٔ نشانی‌ها ${
        n === 1 ? "گوش می‌دهد" : "گوش می‌دهند"
      }: لینک‌ها و اشتراک‌ها همان میزبانی را خواهند داشت که اشتراک از آن دریافت شده است.`,
    setPublicAddress: "تنظیم نشانی عمومی",
  },
  config: {
    title: "پیکربندی sing-box",
    heading: "پیکربندی ساخته‌شدهٔ sing-box",
    masked: "اطلاعات محرمانه در اینجا پنهان شده‌اند.",
    downloadReal: "دانلود فایل اصلی.",
    none: "هنوز پیکربندی‌ای ساخته نشده است",
  },
  logs: {
    heading: "لاگ sing-box",
    level: "سطح",
    levels: {
      "": "همهٔ سطح‌ها",
      trace: "trace و بالاتر",
      debug: "debug و بالاتر",
      info: "info و بالاتر",
      warn: "هشدارها و خطاها",
      error: "فقط خطاها",
      fatal: "fatal و panic",
      panic: "panic",
    },
    text: "متن",
    order: "ترتیب",
    newest: "اول جدیدترین",
    oldestFollow: "اول قدیمی‌ترین (دنبال کردن خط‌های تازه)",
    filter: "فیلتر",
    kept: (n, order) =>
      `${num(n)} خط، ${order === "newest" ? "اول جدیدترین" : "اول قدیمی‌ترین"} (تا ${
        num(500)
      } خط نگه داشته می‌شود)`,
    matching: (n, of) => `${num(n)} خط از ${num(of)} خط مطابقت دارد`,
    noLines: "هنوز لاگی نیست",
    noMatch: "هیچ خطی با فیلتر مطابقت ندارد",
  },
  inbounds: {
    new: "اینباند جدید",
    totalsExplained: (seconds) =>
      `مجموع ترافیک از شمارنده‌های sing-box می‌آید که هر ${
        num(seconds)
      } ثانیه خوانده می‌شوند. اگر sing-box از کار بیفتد، حداکثر ترافیک پس از آخرین دریافت آمار از دست می‌رود.`,
    columns: {
      tag: "تگ",
      type: "نوع",
      listen: "نشانی",
      users: "کاربران",
      status: "وضعیت",
      actions: "عملیات",
    },
    none: "هنوز اینباندی نیست.",
    createFirst: "اولین اینباند را بسازید.",
    sortByTraffic: "مرتب‌سازی بر اساس کل ترافیک (آپلود + دانلود)",
    sortByTag: "مرتب‌سازی بر اساس تگ",
    selfSigned: "خودامضا",
    deleteConfirm: (tag) =>
      `اینباند «${tag}» حذف شود؟ کاربرانش دیگر از طریق آن دسترسی نخواهند داشت.`,
    deleted: (tag) => `اینباند «${tag}» حذف شد`,
  },
  inboundFields: {
    tag: "تگ",
    type: "نوع",
    listen: "نشانی شنود",
    port: "پورت",
    enabled: "فعال",
    security: "امنیت",
    flow: "Flow",
    method: "روش رمزنگاری",
    tls: "TLS",
    "tls.mode": "حالت TLS",
    "tls.serverName": "نام سرور TLS",
    "tls.certificatePath": "مسیر فایل گواهی",
    "tls.keyPath": "مسیر فایل کلید",
    reality: "Reality",
    "reality.handshakeServer": "سرور هندشیک",
    "reality.handshakePort": "پورت هندشیک",
    "reality.serverName": "نام سرور Reality",
    "reality.shortIds": "Short ID",
    "reality.regenerateKeys": "ساخت کلید جدید",
    client: "نشانی اتصال کلاینت‌ها",
    "client.address": "نشانی برای کلاینت‌ها",
    "client.serverName": "نام سرور TLS برای کلاینت‌ها",
  },
  inboundForm: {
    title: (tag) => `اینباند ${tag}`,
    back: "→ اینباندها",
    traffic: "ترافیک",
    countedSince: "شمارش از",
    resetExplained:
      "بازنشانی، مجموع ترافیک این اینباند را صفر می‌کند. ترافیک کاربران جداگانه شمرده می‌شود و تغییری نمی‌کند.",
    resetConfirm: (tag) => `مجموع ترافیک اینباند «${tag}» صفر شود؟`,
    resetTraffic: "بازنشانی ترافیک",
    deleteExplained:
      "حذف، اینباند و اختصاص آن به کاربران را پاک می‌کند؛ مجموع ترافیک کاربران باقی می‌ماند.",
    deleteConfirm: (tag) => `اینباند «${tag}» حذف شود؟`,
    delete: "حذف اینباند",
    notices: {
      created: "اینباند ساخته شد",
      saved: "اینباند ذخیره شد",
      reset: "ترافیک صفر شد",
    },
    notSaved: "اینباند ذخیره نشد:",
    tagHint: "حروف انگلیسی، رقم و . _ - (حداکثر ۴۸ نویسه)؛ نام اینباند است",
    mixed: "ترکیبی",
    listenHint: ":: یعنی همهٔ نشانی‌ها (IPv4 و IPv6)؛ 127.0.0.1 یعنی فقط همین سرور",
    portHint: "۱ تا ۶۵۵۳۵؛ یک پورت آزاد پیشنهاد شده است",
    otherTypes: "فیلدهای نوع دیگر:",
    create: "ساخت اینباند",
    none: "هیچ",
    securityHint: "Reality به گواهی نیاز ندارد و شبیه سایت دیگری به نظر می‌رسد",
    tlsOptional: "TLS (اختیاری)",
    tlsRequired: "TLS (الزامی)",
    methodHint: "کلید سرور را پنل می‌سازد؛ با تغییر روش رمزنگاری کلید جدیدی ساخته می‌شود.",
    mixedServes:
      "اینباند ترکیبی پراکسی SOCKS5 و HTTP ارائه می‌دهد. هر کاربر با این نام کاربری وارد می‌شود:",
    mixedUser: "نام کاربر",
    mixedTag: "تگ",
    mixedExplained:
      "(نام خودش، یک خط عمودی و تگ این اینباند) و گذرواژهٔ خودش؛ صفحهٔ او و لینک‌هایش آن را نشان می‌دهند. تنظیم دیگری لازم نیست.",
    chooseType: "برای دیدن تنظیمات، یک نوع انتخاب کنید.",
    tlsModes: {
      none: "بدون TLS",
      files: "فایل‌های گواهی روی همین سرور",
      self_signed: "خودامضا (ساختهٔ پنل)",
    },
    certificate: "گواهی",
    serverName: "نام سرور",
    serverNameHint: "دامنه‌ای که کلاینت‌ها به آن وصل می‌شوند؛ خودامضا و بدون دامنه: localhost",
    certificateFile: "فایل گواهی",
    certificateFileHint: "مسیر کامل یک فایل PEM، برای نمونه",
    keyFile: "فایل کلید",
    keyFileHint: "مسیر کامل کلید خصوصی PEM آن",
    generatedCertificate: "گواهی ساخته‌شده:",
    generatedKey: "کلید:",
    untrusted: "کلاینت‌ها باید گواهی نامعتبر را بپذیرند.",
    handshakeServerHint: "یک سایت واقعی با TLS 1.3 که اینباند هندشیک را از آن قرض می‌گیرد",
    realityServerNameHint: "خالی: همان سرور هندشیک",
    shortIdsHint: "هگز، با طول زوج تا ۱۶ نویسه، هر کدام در یک خط؛ خالی: یکی ساخته می‌شود",
    publicKey: "کلید عمومی (کلاینت‌ها به آن نیاز دارند):",
    regenerateKeys: "ساخت جفت‌کلید جدید (همهٔ کلاینت‌ها باید اشتراکشان را به‌روز کنند)",
    clientLegend: "نشانی اتصال کلاینت‌ها (اختیاری)",
    clientAddressHint: "یک دامنه یا IP؛ خالی: نشانی عمومی در تنظیمات",
    clientServerNameHint: "خالی: نام سرور TLS بالا",
    clientExplained:
      "لینک‌ها و اشتراک‌ها به‌جای نشانی عمومی پنل از این نشانی استفاده می‌کنند (مثلاً CDN یا رابط شبکهٔ دیگر)؛ نام سرور همان چیزی است که کلاینت‌های TLS در SNI می‌فرستند. تغییر آن‌ها sing-box را دوباره راه‌اندازی نمی‌کند.",
  },
  users: {
    add: "افزودن کاربر",
    addMany: "افزودن گروهی",
    back: "→ کاربران",
    count: users,
    created: (n) => `${users(n)} ساخته ${verb(n, "شد", "شدند")}.`,
    pages: "صفحه‌ها",
    previous: "→ قبلی",
    next: "بعدی ←",
    pageOf: (page, pages) => `صفحهٔ ${page} از ${pages}`,
    filterByStatus: "فیلتر بر اساس وضعیت",
    all: "همه",
    noneWithStatusMatch: (status, search) =>
      `هیچ کاربری با وضعیت «${status}» و عبارت «${search}» پیدا نشد`,
    noneMatch: (search) => `هیچ کاربری با «${search}» پیدا نشد`,
    noneWithStatus: (status) => `هیچ کاربری با وضعیت «${status}» نیست`,
    noneOnPage: "در این صفحه کاربری نیست",
    none: "هنوز کاربری نیست",
    columns: {
      name: "نام",
      status: "وضعیت",
      expiry: "انقضا",
      created: "تاریخ ساخت",
    },
    usedOfLimit: "مصرف / سقف",
    expires: "انقضا",
    selectPage: "انتخاب همهٔ کاربران این صفحه",
    select: (name) => `انتخاب ${name}`,
    edit: (name) => `ویرایش ${name}`,
    searchPlaceholder: "جستجو با نام",
    searchLabel: "جستجوی کاربران با نام",
    quotaUsed: "حجم مصرف‌شده",
    quotaUsedTitle: (percent) => `${percent} از حجم مصرف شده است`,
    never: "بدون انقضا",
    noInbounds: "هیچ",
    inboundCount: (n) => `${num(n)} اینباند`,
  },
  userForm: {
    notSaved: "کاربر ذخیره نشد:",
    fields: {
      name: "نام",
      trafficLimit: "سقف حجم",
      expiresAt: "انقضا",
      resetStrategy: "بازنشانی ترافیک",
      inbounds: "اینباندها",
      note: "یادداشت",
      enabled: "فعال",
    },
    nameHint: "حروف انگلیسی، رقم و . _ @ - (حداکثر ۴۸ نویسه)",
    limitUnit: "واحد سقف حجم",
    limitHint: (gb, mb) => `۰ یعنی نامحدود؛ ۱ ${gb} = ۱۰۲۴ ${mb}`,
    expiresAfter: "انقضا پس از (UTC؛ خالی یعنی بدون انقضا)",
    neverExpires: "بدون انقضا",
    expiryShortcuts: "میان‌برهای انقضا",
    plusDays: (n) => `+${num(n)} روز`,
    never: "بدون انقضا",
    resets: {
      none: "هرگز",
      day: "هر روز",
      week: "هر هفته",
      month: "هر ماه",
    },
    noInboundsYet: "هنوز اینباندی نیست؛",
    createInbound: "برای اختصاص دادن، یک اینباند بسازید.",
    inboundGone: "(وجود ندارد)",
    inboundDisabled: "(غیرفعال)",
    create: "ساخت کاربر",
    saveChanges: "ذخیرهٔ تغییرات",
  },
  userDetail: {
    done: {
      created: "کاربر ساخته شد.",
      saved: "تغییرات ذخیره شد.",
      reset: "ترافیک صفر شد.",
      regenerated: "UUID و گذرواژهٔ جدید ساخته شد؛ کلاینت‌های کاربر به تنظیمات جدید نیاز دارند.",
      token: "لینک اشتراک جدید ساخته شد؛ لینک قبلی دیگر کار نمی‌کند.",
      enabled: "کاربر فعال شد.",
      disabled: "کاربر غیرفعال شد.",
    },
    resets: {
      none: "ترافیک هرگز بازنشانی نمی‌شود",
      day: "ترافیک هر روز بازنشانی می‌شود",
      week: "ترافیک هر هفته بازنشانی می‌شود",
      month: "ترافیک هر ماه بازنشانی می‌شود",
    },
    perInbound: "ترافیک هر اینباند",
    inbound: "اینباند",
    perInboundNone: "هیچ اینباندی اختصاص داده نشده و ترافیکی ثبت نشده است",
    unassigned: "(دیگر اختصاص داده نشده)",
    credentials: "اطلاعات ورود",
    passwordExplained:
      "گذرواژه (اینباندهای Shadowsocks و ترکیبی آن را به شکل دیگری می‌گیرند: بخش «اتصال» را ببینید)",
    regenerate: "ساخت دوبارهٔ اطلاعات ورود",
    regenerateConfirm: (name) =>
      `UUID و گذرواژهٔ جدید برای «${name}» ساخته شود؟ کلاینت‌هایش تا به‌روزرسانی کار نخواهند کرد.`,
    resetTraffic: "بازنشانی ترافیک",
    resetConfirm: (name) => `ترافیک «${name}» صفر شود؟ مجموع ترافیک اینباندها باقی می‌ماند.`,
    delete: "حذف کاربر",
    deleteConfirm: (name) => `«${name}» همراه با سوابق ترافیکش حذف شود؟ این کار برگشت‌پذیر نیست.`,
    createdAt: "ساخته شده در",
    updatedAt: "به‌روز شده در",
  },
  connect: {
    heading: "اتصال",
    urlExplained: "لینک اشتراک (کلاینت‌ها یک بار آن را وارد می‌کنند و خودشان به‌روزش می‌کنند)",
    openUserPage: "باز کردن صفحهٔ کاربر",
    downloadProfile: "دانلود پروفایل sing-box",
    newUrl: "لینک اشتراک جدید",
    newUrlConfirm: (name) => `لینک اشتراک جدیدی برای «${name}» ساخته شود؟ لینک فعلی از کار می‌افتد.`,
    subscriptionUrl: "لینک اشتراک",
    qrCode: (what) => `کد QR: ${what}`,
    linkLabel: (tag, n) => `لینک ${num(n)} از ${tag}`,
    lastFetch: (ago) => `آخرین به‌روزرسانی اشتراک: ${ago} پیش`,
    neverFetched: "اشتراک هنوز دریافت نشده است.",
    blocked: (reason) => `کلاینت‌ها فعلاً هیچ سروری دریافت نمی‌کنند: ${reason}.`,
    shareLinks: "لینک‌های اتصال",
    noInbounds: "هیچ اینباند فعالی اختصاص داده نشده است.",
    credentials: {
      method: "روش رمزنگاری",
      username: "نام کاربری",
      uuid: "UUID",
      password: "گذرواژه",
    },
  },
  subscription: {
    uploaded: "آپلود",
    downloaded: "دانلود",
    addToApp: "افزودن به برنامه",
    orCopy: "یا لینک اشتراک را کپی کنید یا کد QR آن را اسکن کنید:",
    servers: "سرورها",
    blocked: {
      limited: "حجم تمام شده است",
      expired: "اشتراک منقضی شده است",
      disabled: "حساب غیرفعال است",
      no_servers: "هیچ سروری اختصاص داده نشده است",
    },
  },
  bulk: {
    label: "عملیات گروهی",
    applyTo: "اعمال روی",
    selectedUsers: "کاربران انتخاب‌شده",
    matchingUsers: "همهٔ کاربرانی که با فیلتر مطابقت دارند",
    selectedBefore: "",
    selectedAfter: " انتخاب شده",
    action: "عملیات",
    actions: {
      enable: "فعال‌سازی",
      disable: "غیرفعال‌سازی",
      resetTraffic: "بازنشانی ترافیک",
      extendExpiry: "تمدید انقضا",
      addQuota: "افزودن حجم",
      assignInbound: "اختصاص اینباند",
      unassignInbound: "برداشتن اینباند",
      delete: "حذف",
    },
    days: "روز",
    quota: "حجم",
    quotaToAdd: "حجم افزودنی",
    unit: "واحد",
    apply: "اعمال",
    done: {
      enable: (n) => `${users(n)} فعال ${verb(n, "شد", "شدند")}.`,
      disable: (n) => `${users(n)} غیرفعال ${verb(n, "شد", "شدند")}.`,
      resetTraffic: (n) => `ترافیک ${users(n)} صفر شد.`,
      extendExpiry: (n) => `انقضای ${users(n)} تمدید شد.`,
      addQuota: (n) => `به حجم ${users(n)} افزوده شد.`,
      assignInbound: (n) => `اینباند به ${users(n)} اختصاص داده شد.`,
      unassignInbound: (n) => `اینباند از ${users(n)} برداشته شد.`,
      delete: (n) => `${users(n)} حذف ${verb(n, "شد", "شدند")}.`,
    },
    unchanged: {
      enable: (n) => `${unchanged(n)}: از قبل فعال ${verb(n, "بود", "بودند")}.`,
      disable: (n) => `${unchanged(n)}: از قبل غیرفعال ${verb(n, "بود", "بودند")}.`,
      resetTraffic: null,
      extendExpiry: (n) => `${unchanged(n)}: انقضا ${verb(n, "ندارد", "ندارند")}.`,
      addQuota: (n) => `${unchanged(n)}: حجمشان نامحدود است.`,
      assignInbound: (n) => `${unchanged(n)}: از قبل این اینباند را ${verb(n, "داشت", "داشتند")}.`,
      unassignInbound: (n) => `${unchanged(n)}: این اینباند را ${verb(n, "نداشت", "نداشتند")}.`,
      delete: null,
    },
    notApplied: "عملیات گروهی انجام نشد",
    deleteConfirm: (n) => `${users(n)} همراه با سوابق ترافیک حذف شود؟ این کار برگشت‌پذیر نیست.`,
    deleteButton: (n) => `حذف ${users(n)}`,
  },
  batch: {
    title: "افزودن گروهی کاربران",
    explained:
      "برای هر کاربر UUID و گذرواژه ساخته می‌شود و کاربر از همان ابتدا فعال است و ترافیکش بازنشانی نمی‌شود. همه با هم ساخته می‌شوند یا هیچ‌کدام.",
    byPrefix: "با پیشوند نام",
    fromCsv: "از فایل CSV",
    notCreated: "هیچ کاربری ساخته نشد",
    fields: {
      prefix: "پیشوند نام",
      count: "تعداد",
      start: "شمارهٔ نخست",
      trafficLimit: "سقف حجم",
      expiresAt: "انقضا",
      inbounds: "اینباندها",
      csv: "CSV",
    },
    noInbounds: "هنوز اینباندی نیست؛ کاربران اینباندی نخواهند داشت.",
    prefixHint: "نام‌ها از پیشوند و یک شماره ساخته می‌شوند: user-01، user-02…",
    atMost: (n) => `حداکثر ${n}`,
    unlimitedHint: "۰ یعنی نامحدود",
    csvFile: "فایل CSV",
    orPaste: "…یا خط‌ها را اینجا بچسبانید",
    csvLines: "هر کاربر در یک خط:",
    csvQuota: "حجم: یک عدد و MB، GB یا TB (عدد تنها یعنی GB؛ خالی یا ۰ یعنی نامحدود):",
    csvExpiry: "انقضا: یک تاریخ (UTC)، یا خالی برای بدون انقضا:",
    csvHeader: "خط نخستی که با «name» شروع شود نادیده گرفته می‌شود.",
    create: "ساخت کاربران",
    import: "وارد کردن کاربران",
  },
  settings: {
    saved: "ذخیره شد.",
    nothingSaved: "چیزی ذخیره نشد:",
    fields: {
      language: "زبان",
      publicAddress: "نشانی عمومی",
      subscriptionBaseUrl: "نشانی پایهٔ اشتراک",
      profileUpdateHours: "فاصلهٔ به‌روزرسانی پروفایل (ساعت)",
      nearQuotaPercent: "آستانهٔ «نزدیک به اتمام حجم»",
      expiringDays: "آستانهٔ «نزدیک به انقضا»",
      allowPrivateEgress: "اجازه به کاربران پراکسی برای دسترسی به شبکه‌های خصوصی",
    },
    language: {
      label: "زبان پنل",
      browser: "زبان مرورگر",
      hint:
        "برای همهٔ صفحه‌های مدیریت. «زبان مرورگر»: هر مدیر همان زبانی را می‌بیند که مرورگرش درخواست می‌کند (اگر در این فهرست نباشد، انگلیسی). صفحهٔ اشتراک کاربران همیشه به زبان مرورگر خودشان است.",
      saved: "زبان ذخیره شد.",
    },
    subscriptions: {
      heading: "اشتراک‌ها",
      saved: "تنظیمات اشتراک ذخیره شد.",
      publicAddressWhat: "دامنه یا IP که کلاینت‌ها به آن وصل می‌شوند",
      publicAddressHint:
        "برای نمونه vpn.example.com. لینک‌ها و پروفایل‌ها برای هر اینباندی که نشانی جداگانه ندارد از آن استفاده می‌کنند. خالی: میزبانی که اشتراک از آن دریافت می‌شود.",
      baseUrlHint:
        "برای نمونه https://sub.example.com: نشانی‌ای که کاربران از آن به این پنل می‌رسند (مثلاً از پشت یک ریورس پراکسی)، یعنی بخش پیش از",
      baseUrlEmpty: "خالی: همان نشانی‌ای که شما این صفحه را با آن باز کرده‌اید.",
      updateHint: "برنامه‌های کلاینت هر چند ساعت یک بار اشتراک را دوباره دریافت کنند (۱ تا ۱۶۸)",
      submit: "ذخیرهٔ تنظیمات اشتراک",
    },
    statuses: "وضعیت کاربران",
    nearQuotaUnit: "(درصد مصرف‌شده از حجم)",
    nearQuotaHint:
      "کاربری که سقف حجم دارد از این درصد مصرف به بعد «نزدیک به اتمام حجم» نشان داده می‌شود.",
    expiringUnit: "(روز پیش از انقضا)",
    expiringHint: "«نزدیک به انقضا» از این تعداد روز پیش از انقضا؛ ۰ یعنی هرگز.",
    security: {
      heading: "امنیت",
      saved: "تنظیمات امنیتی ذخیره شد.",
      explained:
        "خاموش: کاربران پراکسی فقط به اینترنت عمومی دسترسی دارند. روشن: به نشانی‌های خصوصی، loopback و link-local هم دسترسی دارند (سرویس‌های دیگر این سرور، شبکهٔ محلی، متادیتای سرویس ابری). پورت پنل و API آمار در هر حال بسته می‌مانند. ذخیرهٔ تغییر بلافاصله روی sing-box اعمال می‌شود.",
      submit: "ذخیرهٔ تنظیمات امنیتی",
    },
    password: {
      heading: "تغییر گذرواژه",
      changed: "گذرواژه تغییر کرد؛ نشست‌های دیگر خارج شدند.",
      notChanged: "گذرواژه تغییر نکرد:",
      notChangedSentence: "گذرواژه تغییر نکرد",
      fields: {
        current: "گذرواژهٔ فعلی",
        next: "گذرواژهٔ جدید",
        confirm: "تکرار گذرواژهٔ جدید",
      },
      nextHint: "(دست‌کم ۸ نویسه)",
      submit: "تغییر گذرواژه",
    },
    tokens: {
      heading: "توکن‌های API",
      sendHeader: "توکن را در هر درخواست به /api/v1/… در این هدر بفرستید:",
      shownOnce: "هر توکن فقط یک بار نشان داده می‌شود؛ فقط هش آن ذخیره می‌شود.",
      created: (name) => `توکن جدید «${name}»: همین حالا کپی‌اش کنید، دوباره نشان داده نمی‌شود.`,
      name: "نام",
      createdAt: "تاریخ ساخت",
      lastUsed: "آخرین استفاده",
      none: "هنوز توکنی نیست",
      revokeConfirm: (name) => `توکن «${name}» باطل شود؟`,
      revoke: "ابطال",
      nameLabel: "نام توکن",
      nameHint: "کاربرد توکن، برای نمونه provisioning",
      create: "ساخت توکن",
    },
  },
  errors: {
    pageNotFound: "صفحه پیدا نشد",
    notFound: "پیدا نشد",
    internal: "خطای داخلی",
    csrf: "توکن CSRF نیست یا نامعتبر است؛ صفحه را دوباره بارگذاری کنید و دوباره تلاش کنید",
    crossSiteLogin: "ورود از سایت دیگر پذیرفته نشد",
    wrongPassword: "نام کاربری یا گذرواژه نادرست است",
    loginBusy: "تلاش‌های همزمان برای ورود زیاد است؛ کمی بعد دوباره تلاش کنید",
    loginLocked: (who, minutes, browserHint) =>
      `ورودهای ناموفق ${who === "client" ? "از این کلاینت" : "به این حساب"} بیش از حد بوده است؛ ${
        num(minutes)
      } دقیقهٔ دیگر دوباره تلاش کنید${
        browserHint ? "؛ مرورگری که پیش‌تر از اینجا وارد شده هنوز می‌تواند وارد شود" : ""
      }`,
    tooManySubscriptionRequests: "درخواست‌های اشتراک زیاد است؛ بعداً دوباره تلاش کنید",
    unknownHost: (host) =>
      `این پنل به نام میزبان «${host}» پاسخ نمی‌دهد؛ آن را با --allowed-hosts یا SINGDECK_ALLOWED_HOSTS اضافه کنید، یا به‌عنوان نشانی عمومی تنظیمش کنید`,
    bodyTooLarge: (size) => `حجم درخواست بیشتر از ${size} است`,
    unknownFormat: (format, formats) => `قالب «${format}» ناشناخته است؛ یکی از این‌ها: ${formats}`,
    useOneOf: (choices) => `یکی از این‌ها: ${choices}`,
    noShareLink: (n, tag) => `اینباند «${tag}» لینک شمارهٔ ${n} ندارد`,
    tokenNotFound: (id) => `توکن API با شناسهٔ ${id} وجود ندارد`,
    wholeNumber: (label, min, max) => `${label} باید عددی صحیح از ${num(min)} تا ${num(max)} باشد`,
    notHost: (label, value) => `${label} «${value}» نام میزبان یا نشانی IP نیست`,
    notHostName: (label, value) => `${label} «${value}» نام میزبان نیست`,
    notBaseUrl: (label, value) =>
      `${label} «${value}» نشانی http(s) بدون پارامتر نیست؛ برای نمونه https://sub.example.com`,
    unknownLanguage: (value) =>
      `زبان «${value}» از زبان‌های پنل (en، zh-CN، ru، fa) نیست؛ برای پیروی از مرورگر آن را خالی بگذارید`,
    unknownSetting: (key) => `تنظیم ناشناخته «${key}»`,
    settingsInvalid: (n) => `${num(n)} تنظیم نامعتبر است`,
    passwordLength: "گذرواژهٔ جدید باید ۸ تا ۲۵۶ نویسه باشد",
    passwordsDiffer: "گذرواژه‌ها یکی نیستند",
    currentPasswordWrong: "گذرواژهٔ فعلی نادرست است",
    tokenNameLength: "نام توکن باید ۱ تا ۶۴ نویسه باشد",
    unsafeText: (label, problem) =>
      problem === "control"
        ? `${label} نباید نویسه‌های کنترلی داشته باشد`
        : `${label} نباید نویسه‌های کنترل جهت متن (U+202A–U+202E، U+2066–U+2069) داشته باشد`,
    nameRequired: "نام لازم است",
    nameHasCounterSeparator: (separator) =>
      `نام نباید «${separator}» داشته باشد: sing-box آن را در نام شمارنده‌ها به کار می‌برد`,
    nameHasPairSeparator: (separator) =>
      `نام نباید «${separator}» داشته باشد: این نویسه کاربر و اینباند را در نام آمارها جدا می‌کند`,
    nameHasWhitespace: "نام نباید فاصله یا هیچ نویسهٔ فاصله‌گذار دیگری داشته باشد",
    nameTooLong: (max, length) =>
      `نام حداکثر ${num(max)} نویسه می‌تواند باشد (اکنون ${num(length)} نویسه است)`,
    nameBadCharacter: (character) =>
      `نام فقط می‌تواند حروف a-z A-Z، رقم و . _ @ - داشته باشد (نه «${character}»)`,
    nameReserved: (name) => `نام «${name}» رزرو شده است؛ نام دیگری انتخاب کنید`,
    noteTooLong: (max, length) =>
      `یادداشت حداکثر ${num(max)} نویسه می‌تواند باشد (اکنون ${num(length)} نویسه است)`,
    resetStrategy: (value) => `بازنشانی ترافیک «${value}» نامعتبر است`,
    tooManyInbounds: (max) => `در هر بار حداکثر ${num(max)} اینباند می‌توان اختصاص داد`,
    expiryYear: "سال انقضا باید از ۱۹۷۰ تا ۹۹۹۹ میلادی باشد",
    expiryFormat: (value) =>
      `انقضای «${value}» باید تاریخی مانند 2030-12-31 باشد، یا خالی برای بدون انقضا`,
    expiryNotReal: (value) => `انقضای «${value}» تاریخ واقعی نیست`,
    expiryIsoFormat:
      "انقضا باید تاریخی مانند «2030-12-31» (پایان همان روز به UTC) یا تاریخ و زمان ISO 8601 مانند «2030-12-31T23:59:59Z» باشد؛ خالی یعنی بدون انقضا",
    expiryNotRealTime: (value) => `انقضای «${value}» تاریخ و زمان واقعی نیست`,
    quotaUnit: (label, unit, units) => `واحد ${label} «${unit}» باید یکی از این‌ها باشد: ${units}`,
    quotaNegative: (label, unit) => `${label} باید ۰ ${unit} یا بیشتر باشد`,
    quotaNotNumber: (label, value, unit) =>
      `${label} «${value}» باید عددی به ${unit} باشد، مانند 10 یا 2.5`,
    quotaTooLarge: (label, max, unit) => `${label} حداکثر ${num(max)} ${unit} می‌تواند باشد`,
    quotaTooSmall: (label) => `${label} باید دست‌کم ۱ بایت باشد؛ برای نامحدود ۰ بگذارید`,
    statusFilter: (value) => `وضعیت «${value}» نامعتبر است`,
    searchTooLong: (max) => `عبارت جستجو حداکثر ${num(max)} نویسه می‌تواند باشد`,
    sortOrder: (value) => `مرتب‌سازی «${value}» نامعتبر است`,
    pageNumber: (value) => `صفحهٔ «${value}» باید عددی صحیح از ۱ به بالا باشد`,
    userExists: (name) => `کاربری با نام «${name}» از قبل وجود دارد`,
    userNotFound: (name) => `کاربر «${name}» وجود ندارد`,
    usersNotFound: (n, names) =>
      n === 1 ? `کاربر ${names} وجود ندارد` : `کاربران ${names} وجود ندارند`,
    userChangedMeanwhile: (name) =>
      `از وقتی این فرم باز شده، کس دیگری کاربر «${name}» را تغییر داده است؛ برای دیدن تغییراتش صفحه را دوباره بارگذاری کنید، یا برای بازنویسی آن‌ها دوباره ذخیره کنید`,
    fieldsInvalid: (n, fields) => `${num(n)} فیلد نامعتبر است: ${fields}`,
    inboundNotFound: (tag) => `اینباند «${tag}» وجود ندارد`,
    inboundsNotFound: (n, tags) =>
      n === 1 ? `اینباند ${tags} وجود ندارد` : `اینباندهای ${tags} وجود ندارند`,
    andMore: (shown, more) => `${shown} و ${num(more)} مورد دیگر`,
    problems: (what, n, list) => `${what}: ${num(n)} مشکل: ${list}`,
    chooseAction: "یک عملیات انتخاب کنید",
    bulkAction: (value) => `عملیات «${value}» نامعتبر است`,
    chooseInbound: "یک اینباند انتخاب کنید",
    selectUsers: "دست‌کم یک کاربر انتخاب کنید، یا همهٔ کاربرانی را که با فیلتر مطابقت دارند",
    badSelection: "کاربران انتخاب‌شده نامعتبرند",
    quotaToAddZero: "حجم افزودنی باید بیشتر از ۰ باشد",
    selectionGone: (n) =>
      `${
        num(n)
      } کاربر از کاربران انتخاب‌شده دیگر وجود ندارند؛ صفحه را دوباره بارگذاری کنید و دوباره تلاش کنید`,
    someSelectedGone: "برخی از کاربران انتخاب‌شده دیگر وجود ندارند",
    noMatch: "هیچ کاربری با فیلتر مطابقت ندارد",
    noMatchShort: "هیچ کاربری پیدا نشد",
    firstNumber: "شمارهٔ نخست باید عددی صحیح از ۰ به بالا باشد",
    prefixRequired: "پیشوند لازم است",
    prefixNames: (example, problem) => `نام‌هایی مانند «${example}» معتبر نیستند: ${problem}`,
    onLine: (line, problem) => `خط ${num(line)}: ${problem}`,
    csvFields: "بیش از ۳ فیلد دارد (نام، حجم، انقضا)",
    csvDuplicate: (name, line) => `«${name}» در خط ${num(line)} هم آمده است`,
    csvQuota: (value) => `حجم «${value}» باید یک عدد و MB، GB یا TB باشد، مانند 10 GB`,
    csvQuotaUnit: (value) => `واحد حجم «${value}» باید MB، GB یا TB باشد`,
    csvMore: (n) => `…و ${num(n)} خط دیگر با مشکل`,
    csvEmpty: "فایل CSV هیچ کاربری ندارد",
    batchTooLarge: (max) => `در هر بار حداکثر ${num(max)} کاربر می‌توان ساخت`,
    notCreatedProblems: (n) => `هیچ کاربری ساخته نشد: ${num(n)} مشکل`,
    batchRace: "در این فاصله کاربری با یکی از این نام‌ها ساخته شد؛ دوباره تلاش کنید",
    andMoreErrors: (first, more) => `${first} (و ${num(more)} مشکل دیگر)`,
    inboundSort: (value) => `مرتب‌سازی «${value}» پشتیبانی نمی‌شود`,
    required: (label) => `${label} لازم است`,
    tooLong: (label, max) => `${label} حداکثر ${num(max)} نویسه می‌تواند باشد`,
    tagPathSegment: (tag) => `تگ «${tag}» مجاز نیست: خودش یک بخش از مسیر است`,
    tagSeparators:
      "تگ نمی‌تواند «|» یا «>» داشته باشد: آمار sing-box از آن‌ها به‌عنوان جداکننده استفاده می‌کند",
    tagCharacters: "تگ فقط می‌تواند حروف انگلیسی، رقم، «.»، «_» و «-» داشته باشد",
    typeUnsupported: (type) => `نوع «${type}» پشتیبانی نمی‌شود`,
    typeFixed: (type) => `نوع ${type} را نمی‌توان تغییر داد؛ به‌جای آن اینباند جدیدی بسازید`,
    listenNotIp: (value) => `نشانی شنود «${value}» نشانی IPv4 یا IPv6 نیست`,
    listenNotHere: (listen, noIpv6) =>
      `نشانی شنود ${listen} از نشانی‌های این سرور نیست${noIpv6 ? " (این سرور IPv6 ندارد)" : ""}`,
    tlsNotApplicable: (type) => `TLS برای اینباندهای ${type} کاربرد ندارد`,
    onlyFor: (label, type) => `${label} فقط برای اینباندهای ${type} است`,
    tlsOrReality: "یا TLS را انتخاب کنید یا Reality، نه هر دو را",
    notOneOf: (label, value) => `${label} «${value}» نامعتبر است`,
    tlsRequired: (type) => `اینباندهای ${type} به TLS نیاز دارند`,
    flowNeedsTls: (flow) => `Flow ${flow} به TLS یا Reality نیاز دارد`,
    methodSingleUser: (method) =>
      `روش ${method} در sing-box چند کاربر را پشتیبانی نمی‌کند؛ یک روش AES انتخاب کنید`,
    chooseCertificate: "فایل‌های گواهی یا گواهی خودامضا را انتخاب کنید",
    serverNameRequired: "نام سرور لازم است: نامی که گواهی برای آن صادر شده است",
    pathNotAbsolute: (label, path) => `${label} «${path}» باید مسیر کامل باشد`,
    handshakeServerRequired: "سرور هندشیک لازم است، برای نمونه www.example.com",
    realityServerNameRequired: "وقتی سرور هندشیک یک نشانی IP است، نام سرور لازم است",
    tooManyShortIds: (max) => `حداکثر ${num(max)} Short ID مجاز است`,
    shortIdFormat: (id) => `Short ID «${id}» باید رقم‌های هگز با طول زوج و حداکثر ۱۶ نویسه باشد`,
    clientServerName: "نام سرور برای کلاینت‌ها",
    clientServerNameReality:
      "کلاینت‌های Reality نام سرور Reality را می‌فرستند؛ نام سرور برای کلاینت‌ها را خالی بگذارید",
    clientServerNameSelfSigned:
      "کلاینت‌ها گواهی خودامضا را با نام سرور خود آن بررسی می‌کنند؛ نام سرور برای کلاینت‌ها را خالی بگذارید",
    clientServerNameNoTls: "نام سرور برای کلاینت‌ها فقط برای اینباندهای دارای TLS است",
    fileProblem: (file, path, problem, detail) =>
      `${file} «${path}» ${fileProblem(problem, detail)}`,
    tagTaken: (tag) => `تگ «${tag}» را اینباند دیگری استفاده می‌کند`,
    tagTakenRace: "این تگ را اینباند دیگری استفاده می‌کند",
    portIsPanel: (port) => `پورت ${port} را خود پنل استفاده می‌کند`,
    portTaken: (port, tag) => `پورت ${port} را اینباند «${tag}» استفاده می‌کند`,
    portTakenOnHost: (port, transport, listen) =>
      `پورت ${port} (${transport}) روی ${listen} در اختیار برنامهٔ دیگری است`,
    portTakenRace: "این پورت روی این نشانی را اینباند دیگری استفاده می‌کند",
    inboundChangedMeanwhile: (tag) =>
      `در حین آماده شدن این تغییر، کس دیگری اینباند «${tag}» را تغییر داد؛ برای دیدن تغییراتش صفحه را دوباره بارگذاری کنید و دوباره تلاش کنید`,
  },
};
