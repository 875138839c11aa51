/**
 * Русский. Terms as Russian-speaking admins of Marzban, 3x-ui and s-ui use them: инбаунд,
 * пользователь, трафик, подписка, лимит; «ёлочки» for quotes; plurals in three forms
 * (один пользователь, два пользователя, пять пользователей) through `Intl.PluralRules`.
 */
import type { Messages } from "./en.ts";
import type { FileProblem } from "../tls_pair.ts";
import { intlFor, type PluralForms } from "./intl.ts";

const { count, num, plural } = intlFor("ru");

const USERS: PluralForms = {
  one: "пользователь",
  few: "пользователя",
  many: "пользователей",
  other: "пользователя",
};
const users = (n: number) => count(n, USERS);
const INBOUNDS: PluralForms = {
  one: "инбаунд",
  few: "инбаунда",
  many: "инбаундов",
  other: "инбаунда",
};
const CHARACTERS: PluralForms = {
  one: "символ",
  few: "символа",
  many: "символов",
  other: "символа",
};
/** A verb after a number of users: "1 пользователь включён", "3 пользователя включены". */
const past = (n: number, one: string, many: string) => plural(n, { one, other: many });

function fileProblem(problem: FileProblem, detail: string): string {
  switch (problem) {
    case "missing":
      return "не существует";
    case "not_file":
      return "не является файлом";
    case "too_large":
      return "больше 1 МБ — это не PEM-файл";
    case "unreadable":
      return "недоступен для чтения";
    case "cannot_read":
      return `не удаётся прочитать: ${detail}`;
    case "not_pem_certificate":
      return "не является PEM-сертификатом (нет блока BEGIN CERTIFICATE)";
    case "not_x509":
      return "содержит блок CERTIFICATE, который не разбирается как X.509";
    case "not_pem_key":
      return "не является закрытым ключом PEM (нет блока BEGIN PRIVATE KEY)";
    case "encrypted_key":
      return "зашифрован паролем; sing-box нужен незашифрованный ключ";
    case "not_key":
      return `содержит блок ${detail}, который не разбирается как закрытый ключ`;
    case "key_mismatch":
      return "не подходит к сертификату (их открытые ключи различаются)";
  }
}

export const ru: Messages = {
  nav: {
    dashboard: "Обзор",
    inbounds: "Инбаунды",
    users: "Пользователи",
    logs: "Логи",
    settings: "Настройки",
  },
  layout: {
    skipLink: "Перейти к содержимому",
    mainNav: "Главное меню",
    logOut: (name) => `Выйти (${name})`,
    offline: "Панель не отвечает",
  },
  common: {
    save: "Сохранить",
    cancel: "Отмена",
    delete: "Удалить",
    edit: "Изменить",
    enable: "Включить",
    disable: "Отключить",
    enabled: "Включён",
    disabled: "Отключён",
    copy: "Копировать",
    copied: "Скопировано",
    copyFailed: "Не удалось скопировать",
    copyLink: "Копировать ссылку",
    copyUrl: "Копировать ссылку подписки",
    actions: "Действия",
    all: "Все",
    utc: (time) => `${time} UTC`,
    paren: (text) => `(${text})`,
    colon: ": ",
    comma: ", ",
  },
  units: {
    bytes: { B: "Б", KB: "КБ", MB: "МБ", GB: "ГБ", TB: "ТБ" },
    exactBytes: (n) => count(n, { one: "байт", few: "байта", many: "байт", other: "байта" }),
    milliseconds: (n) => `${num(n)} мс`,
  },
  traffic: {
    uplink: "Отправлено",
    downlink: "Получено",
    total: "Всего",
  },
  statuses: {
    active: "активен",
    expiring: "скоро истекает",
    near_limit: "почти исчерпан",
    limited: "лимит исчерпан",
    expired: "истёк",
    disabled: "отключён",
  },
  coreStates: {
    running: "работает",
    starting: "запускается",
    stopped: "остановлен",
    crashed: "сбой",
    missing: "не найден",
  },
  statsStates: {
    ok: "в норме",
    stale: "не обновляется",
    idle: "не работает",
  },
  login: {
    title: "Вход",
    username: "Имя пользователя",
    password: "Пароль",
    submit: "Войти",
  },
  errorPage: {
    title: (status) => `Ошибка ${status}`,
    back: "Вернуться к обзору",
  },
  dashboard: {
    inboundsEnabled: (n) => `Инбаунды (включено: ${num(n)})`,
    usersByStatus: "Пользователи по статусам",
    uplinkAll: "Отправлено, все инбаунды",
    downlinkAll: "Получено, все инбаунды",
    mode: "Режим",
    coreKindLive: "(изменения пользователей применяются без перезапуска)",
    coreKindRestarts: "(любое изменение перезапускает его)",
    version: "Версия",
    buildTags: "Теги сборки",
    statsApi: "API статистики V2Ray",
    statsApiPresent: "есть",
    statsApiMissing: "нет (трафик не считается)",
    uptime: "Время работы",
    restarts: "Перезапусков после сбоев",
    binary: "Исполняемый файл",
    blockedUsers: "Заблокировано пользователей",
    configRefused: "sing-box отверг конфигурацию:",
    lastError: "Последняя ошибка:",
    failedInbounds: (n) =>
      n === 1
        ? "sing-box отверг инбаунд; до исправления он исключён из работающей конфигурации:"
        : "sing-box отверг эти инбаунды; до исправления они исключены из работающей конфигурации:",
    start: "Запустить",
    restart: "Перезапустить",
    stop: "Остановить",
    stopConfirm: "Остановить sing-box? Все пользователи будут отключены.",
    viewConfig: "Посмотреть конфигурацию",
    downloadConfig: "Скачать конфигурацию",
    trafficStatistics: "Статистика трафика",
    staleBecause: "Трафик сейчас не считается:",
    externalResets: (n) =>
      `Счётчики трафика сбрасывались извне: ${
        count(n, { one: "счётчик", few: "счётчика", many: "счётчиков", other: "счётчика" })
      } с запуска панели`,
    lastSeenAt: ", последний раз —",
    externalResetsExplained:
      ". Другая программа на этом сервере обращалась к API статистики sing-box. Счётчики снова считают с нуля; трафик между предыдущим опросом и каждым сбросом не учтён.",
    lastPoll: "Последний успешный опрос",
    pollDuration: "Длительность опроса",
    countersSeen: "Получено счётчиков",
    unknownCounters: "Счётчиков вне конфигурации",
    savedAtEveryPoll:
      "Трафик сохраняется при каждом опросе и перед каждым плановым перезапуском. Если sing-box упадёт, трафик после последнего опроса будет потерян.",
    outbounds: "Аутбаунды",
    tag: "Тег",
    noTraffic: "Трафика пока нет",
    recentLog: "Последние записи лога sing-box",
    allLog: "(весь лог)",
    noPublicAddress: (n, tags) =>
      `Публичный адрес не задан, а ${n === 1 ? "инбаунд" : "инбаунды"} ${tags} ${
        n === 1 ? "слушает" : "слушают"
      } на всех адресах: в ссылки и подписки попадёт тот хост, с которого запрошена подписка.`,
    setPublicAddress: "Задать публичный адрес",
  },
  config: {
    title: "Конфигурация sing-box",
    heading: "Сгенерированная конфигурация sing-box",
    masked: "Секреты здесь скрыты.",
    downloadReal: "Скачать настоящий файл.",
    none: "Конфигурация ещё не создана",
  },
  logs: {
    heading: "Лог sing-box",
    level: "Уровень",
    levels: {
      "": "все уровни",
      trace: "trace и выше",
      debug: "debug и выше",
      info: "info и выше",
      warn: "предупреждения и ошибки",
      error: "только ошибки",
      fatal: "fatal и panic",
      panic: "panic",
    },
    text: "Текст",
    order: "Порядок",
    newest: "сначала новые",
    oldestFollow: "сначала старые (с прокруткой к новым)",
    filter: "Фильтр",
    kept: (n, order) =>
      `${count(n, { one: "строка", few: "строки", many: "строк", other: "строки" })}, ${
        order === "newest" ? "сначала новые" : "сначала старые"
      } (хранится до 500)`,
    matching: (n, of) => `Подходят строк: ${num(n)} из ${num(of)}`,
    noLines: "Записей в логе пока нет",
    noMatch: "Под фильтр ничего не подходит",
  },
  inbounds: {
    new: "Новый инбаунд",
    totalsExplained: (seconds) =>
      `Трафик берётся из счётчиков sing-box, которые опрашиваются каждые ${seconds} с. Если sing-box упадёт, теряется не больше трафика, чем прошло с последнего опроса.`,
    columns: {
      tag: "Тег",
      type: "Тип",
      listen: "Адрес",
      users: "Пользователи",
      status: "Статус",
      actions: "Действия",
    },
    none: "Инбаундов пока нет.",
    createFirst: "Создать первый.",
    sortByTraffic: "Сортировать по общему трафику (отправлено + получено)",
    sortByTag: "Сортировать по тегу",
    selfSigned: "самоподписанный",
    deleteConfirm: (tag) =>
      `Удалить инбаунд «${tag}»? Его пользователи потеряют доступ через него.`,
    deleted: (tag) => `Инбаунд «${tag}» удалён`,
  },
  inboundFields: {
    tag: "Тег",
    type: "Тип",
    listen: "Адрес прослушивания",
    port: "Порт",
    enabled: "Включён",
    security: "Безопасность",
    flow: "Flow",
    method: "Метод шифрования",
    tls: "TLS",
    "tls.mode": "Режим TLS",
    "tls.serverName": "Имя сервера TLS",
    "tls.certificatePath": "Путь к файлу сертификата",
    "tls.keyPath": "Путь к файлу ключа",
    reality: "Reality",
    "reality.handshakeServer": "Сервер для хендшейка",
    "reality.handshakePort": "Порт для хендшейка",
    "reality.serverName": "Имя сервера Reality",
    "reality.shortIds": "Short ID",
    "reality.regenerateKeys": "Новые ключи",
    client: "Куда подключаются клиенты",
    "client.address": "Адрес для клиентов",
    "client.serverName": "Имя сервера TLS для клиентов",
  },
  inboundForm: {
    title: (tag) => `Инбаунд ${tag}`,
    back: "← Инбаунды",
    traffic: "Трафик",
    countedSince: "считается с",
    resetExplained:
      "Сброс обнуляет счётчики этого инбаунда. Трафик пользователей считается отдельно и не изменится.",
    resetConfirm: (tag) => `Обнулить трафик инбаунда «${tag}»?`,
    resetTraffic: "Сбросить трафик",
    deleteExplained:
      "Удаление убирает инбаунд и привязки к нему пользователей; их трафик сохраняется.",
    deleteConfirm: (tag) => `Удалить инбаунд «${tag}»?`,
    delete: "Удалить инбаунд",
    notices: {
      created: "Инбаунд создан",
      saved: "Инбаунд сохранён",
      reset: "Трафик обнулён",
    },
    notSaved: "Инбаунд не сохранён:",
    tagHint: "Латинские буквы, цифры и . _ - (до 48 символов); это имя инбаунда",
    mixed: "Смешанный",
    listenHint: ":: — все адреса (IPv4 и IPv6); 127.0.0.1 — только этот сервер",
    portHint: "1–65535; свободный порт уже подставлен",
    otherTypes: "Поля для другого типа:",
    create: "Создать инбаунд",
    none: "Нет",
    securityHint: "Reality не нужен сертификат, а трафик выглядит как обращение к другому сайту",
    tlsOptional: "TLS (необязательно)",
    tlsRequired: "TLS (обязательно)",
    methodHint: "Ключ сервера создаёт панель; при смене метода создаётся новый.",
    mixedServes:
      "Смешанный инбаунд работает как прокси SOCKS5 и HTTP. Каждый пользователь входит с именем",
    mixedUser: "имя пользователя",
    mixedTag: "тег",
    mixedExplained:
      "(своё имя, вертикальная черта, тег этого инбаунда) и своим паролем; они указаны на его странице и в ссылках. Других настроек не нужно.",
    chooseType: "Выберите тип, чтобы увидеть его настройки.",
    tlsModes: {
      none: "Без TLS",
      files: "Файлы сертификата на этом сервере",
      self_signed: "Самоподписанный (создаёт панель)",
    },
    certificate: "Сертификат",
    serverName: "Имя сервера",
    serverNameHint:
      "Домен, к которому подключаются клиенты; для самоподписанного без домена — localhost",
    certificateFile: "Файл сертификата",
    certificateFileHint: "Абсолютный путь к PEM-файлу, например",
    keyFile: "Файл ключа",
    keyFileHint: "Абсолютный путь к закрытому ключу в формате PEM",
    generatedCertificate: "Созданный сертификат:",
    generatedKey: "Ключ:",
    untrusted: "Клиентам нужно разрешить недоверенный сертификат.",
    handshakeServerHint: "Настоящий сайт с TLS 1.3, у которого инбаунд заимствует хендшейк",
    realityServerNameHint: "Пусто — то же, что сервер для хендшейка",
    shortIdsHint:
      "Шестнадцатеричные, чётной длины до 16 символов, по одному на строку; пусто — создастся один",
    publicKey: "Открытый ключ (нужен клиентам):",
    regenerateKeys: "Создать новую пару ключей (всем клиентам придётся обновить подписку)",
    clientLegend: "Куда подключаются клиенты (необязательно)",
    clientAddressHint: "Домен или IP; пусто — публичный адрес из настроек",
    clientServerNameHint: "Пусто — имя сервера TLS, указанное выше",
    clientExplained:
      "Ссылки и подписки будут вести на этот адрес, а не на публичный адрес панели (например, CDN или другой интерфейс); имя сервера — то, что клиенты TLS передают в SNI. Изменение этих полей не перезапускает sing-box.",
  },
  users: {
    add: "Добавить пользователя",
    addMany: "Добавить несколько",
    back: "← Пользователи",
    count: users,
    created: (n) => `${past(n, "Создан", "Создано")} ${users(n)}.`,
    pages: "Страницы",
    previous: "← Назад",
    next: "Вперёд →",
    pageOf: (page, pages) => `Страница ${page} из ${pages}`,
    filterByStatus: "Фильтр по статусу",
    all: "все",
    noneWithStatusMatch: (status, search) =>
      `Нет пользователей со статусом «${status}», подходящих под «${search}»`,
    noneMatch: (search) => `Нет пользователей, подходящих под «${search}»`,
    noneWithStatus: (status) => `Нет пользователей со статусом «${status}»`,
    noneOnPage: "На этой странице пользователей нет",
    none: "Пользователей пока нет",
    columns: {
      name: "Имя",
      status: "Статус",
      expiry: "Срок",
      created: "Создан",
    },
    usedOfLimit: "Использовано / лимит",
    expires: "Действует до",
    selectPage: "Выбрать всех пользователей на странице",
    select: (name) => `Выбрать ${name}`,
    edit: (name) => `Изменить ${name}`,
    searchPlaceholder: "Поиск по имени",
    searchLabel: "Поиск пользователей по имени",
    quotaUsed: "Использовано трафика",
    quotaUsedTitle: (percent) => `Использовано ${percent} лимита`,
    never: "бессрочно",
    noInbounds: "нет",
    inboundCount: (n) => count(n, INBOUNDS),
  },
  userForm: {
    notSaved: "Пользователь не сохранён:",
    fields: {
      name: "Имя",
      trafficLimit: "Лимит трафика",
      expiresAt: "Срок действия",
      resetStrategy: "Сброс трафика",
      inbounds: "Инбаунды",
      note: "Заметка",
      enabled: "Включён",
    },
    nameHint: "Латинские буквы, цифры и . _ @ - (до 48 символов)",
    limitUnit: "Единица лимита трафика",
    limitHint: (gb, mb) => `0 — без лимита; 1 ${gb} = 1024 ${mb}`,
    expiresAfter: "Действует до (UTC; пусто — бессрочно)",
    neverExpires: "бессрочно",
    expiryShortcuts: "Быстрый выбор срока",
    plusDays: (n) => `+${count(n, { one: "день", few: "дня", many: "дней", other: "дня" })}`,
    never: "Бессрочно",
    resets: {
      none: "Никогда",
      day: "Каждый день",
      week: "Каждую неделю",
      month: "Каждый месяц",
    },
    noInboundsYet: "Инбаундов пока нет;",
    createInbound: "создайте инбаунд, чтобы его назначить.",
    inboundGone: "(не существует)",
    inboundDisabled: "(отключён)",
    create: "Создать пользователя",
    saveChanges: "Сохранить изменения",
  },
  userDetail: {
    done: {
      created: "Пользователь создан.",
      saved: "Изменения сохранены.",
      reset: "Трафик обнулён.",
      regenerated: "Созданы новые UUID и пароль; клиентам пользователя нужны новые настройки.",
      token: "Создана новая ссылка подписки; старая больше не работает.",
      enabled: "Пользователь включён.",
      disabled: "Пользователь отключён.",
    },
    resets: {
      none: "Трафик не сбрасывается",
      day: "Трафик сбрасывается каждый день",
      week: "Трафик сбрасывается каждую неделю",
      month: "Трафик сбрасывается каждый месяц",
    },
    perInbound: "Трафик по инбаундам",
    inbound: "Инбаунд",
    perInboundNone: "Инбаунды не назначены, трафика нет",
    unassigned: "(больше не назначен)",
    credentials: "Учётные данные",
    passwordExplained:
      "Пароль (инбаунды Shadowsocks и смешанные принимают его в другом виде — см. «Подключение»)",
    regenerate: "Создать новые учётные данные",
    regenerateConfirm: (name) =>
      `Создать новые UUID и пароль для «${name}»? Клиенты перестанут работать, пока их не обновят.`,
    resetTraffic: "Сбросить трафик",
    resetConfirm: (name) => `Обнулить трафик «${name}»? Трафик инбаундов сохранится.`,
    delete: "Удалить пользователя",
    deleteConfirm: (name) => `Удалить «${name}» вместе с записями о трафике? Это нельзя отменить.`,
    createdAt: "Создан",
    updatedAt: "изменён",
  },
  connect: {
    heading: "Подключение",
    urlExplained: "Ссылка подписки (клиент импортирует её один раз и дальше обновляет сам)",
    openUserPage: "Открыть страницу пользователя",
    downloadProfile: "Скачать профиль sing-box",
    newUrl: "Новая ссылка подписки",
    newUrlConfirm: (name) =>
      `Создать новую ссылку подписки для «${name}»? Текущая перестанет работать.`,
    subscriptionUrl: "ссылка подписки",
    qrCode: (what) => `QR-код: ${what}`,
    linkLabel: (tag, n) => `${tag}, ссылка ${n}`,
    lastFetch: (ago) => `Последнее обновление подписки: ${ago} назад`,
    neverFetched: "Подписку ещё ни разу не запрашивали.",
    blocked: (reason) => `Сейчас клиенты не получают ни одного сервера: ${reason}.`,
    shareLinks: "Ссылки для подключения",
    noInbounds: "Включённые инбаунды не назначены.",
    credentials: {
      method: "Метод шифрования",
      username: "Имя пользователя",
      uuid: "UUID",
      password: "Пароль",
    },
  },
  subscription: {
    uploaded: "Отправлено",
    downloaded: "Получено",
    addToApp: "Добавить в приложение",
    orCopy: "Или скопируйте ссылку подписки либо отсканируйте её:",
    servers: "Серверы",
    blocked: {
      limited: "Лимит трафика исчерпан",
      expired: "Срок подписки истёк",
      disabled: "Аккаунт отключён",
      no_servers: "Серверы не назначены",
    },
  },
  bulk: {
    label: "Массовые действия",
    applyTo: "Применить к",
    selectedUsers: "выбранным пользователям",
    matchingUsers: "всем, кто подходит под фильтр",
    selectedBefore: "Выбрано: ",
    selectedAfter: "",
    action: "Действие",
    actions: {
      enable: "Включить",
      disable: "Отключить",
      resetTraffic: "Сбросить трафик",
      extendExpiry: "Продлить срок",
      addQuota: "Добавить трафик",
      assignInbound: "Назначить инбаунд",
      unassignInbound: "Снять инбаунд",
      delete: "Удалить",
    },
    days: "Дней",
    quota: "Трафик",
    quotaToAdd: "Сколько добавить",
    unit: "Единица",
    apply: "Применить",
    done: {
      enable: (n) => `${past(n, "Включён", "Включено")} ${users(n)}.`,
      disable: (n) => `${past(n, "Отключён", "Отключено")} ${users(n)}.`,
      resetTraffic: (n) => `Трафик обнулён: ${users(n)}.`,
      extendExpiry: (n) => `Срок продлён: ${users(n)}.`,
      addQuota: (n) => `Трафик добавлен: ${users(n)}.`,
      assignInbound: (n) => `Инбаунд назначен: ${users(n)}.`,
      unassignInbound: (n) => `Инбаунд снят: ${users(n)}.`,
      delete: (n) => `${past(n, "Удалён", "Удалено")} ${users(n)}.`,
    },
    unchanged: {
      enable: (n) => `Без изменений: ${users(n)} (уже ${past(n, "был включён", "были включены")}).`,
      disable: (n) =>
        `Без изменений: ${users(n)} (уже ${past(n, "был отключён", "были отключены")}).`,
      resetTraffic: null,
      extendExpiry: (n) => `Без изменений: ${users(n)} (срок бессрочный).`,
      addQuota: (n) => `Без изменений: ${users(n)} (лимита нет).`,
      assignInbound: (n) => `Без изменений: ${users(n)} (инбаунд уже был назначен).`,
      unassignInbound: (n) => `Без изменений: ${users(n)} (инбаунд не был назначен).`,
      delete: null,
    },
    notApplied: "Массовое действие не выполнено",
    deleteConfirm: (n) => `Удалить ${users(n)} вместе с записями о трафике? Это нельзя отменить.`,
    deleteButton: (n) => `Удалить: ${users(n)}`,
  },
  batch: {
    title: "Добавить несколько пользователей",
    explained:
      "Каждый пользователь получает сгенерированные UUID и пароль и сразу включён, трафик не сбрасывается. Создаются все сразу или ни одного.",
    byPrefix: "По префиксу имени",
    fromCsv: "Из CSV",
    notCreated: "Ни один пользователь не создан",
    fields: {
      prefix: "Префикс имени",
      count: "Количество",
      start: "Первый номер",
      trafficLimit: "Лимит трафика",
      expiresAt: "Срок действия",
      inbounds: "Инбаунды",
      csv: "CSV",
    },
    noInbounds: "Инбаундов пока нет; пользователи будут без них.",
    prefixHint: "Имя — это префикс и номер: user-01, user-02…",
    atMost: (n) => `Не больше ${n}`,
    unlimitedHint: "0 — без лимита",
    csvFile: "Файл CSV",
    orPaste: "…или вставьте строки",
    csvLines: "Один пользователь в строке:",
    csvQuota: "Лимит: число и MB, GB или TB (просто число — это GB; пусто или 0 — без лимита):",
    csvExpiry: "Срок: дата (UTC) или пусто — бессрочно:",
    csvHeader: "Первая строка, начинающаяся с «name», пропускается.",
    create: "Создать пользователей",
    import: "Импортировать пользователей",
  },
  settings: {
    saved: "Сохранено.",
    nothingSaved: "Ничего не сохранено:",
    fields: {
      language: "Язык",
      publicAddress: "Публичный адрес",
      subscriptionBaseUrl: "Базовый URL подписок",
      profileUpdateHours: "Интервал обновления профиля (часы)",
      nearQuotaPercent: "Порог «почти исчерпан»",
      expiringDays: "Порог «скоро истекает»",
      allowPrivateEgress: "Разрешить пользователям прокси доступ к частным сетям",
    },
    language: {
      label: "Язык панели",
      browser: "Язык браузера",
      hint:
        "Для всех страниц администратора. «Язык браузера»: каждый администратор видит язык, который запрашивает его браузер (английский, если такого нет в списке). Страницы подписки пользователи всегда видят на языке своего браузера.",
      saved: "Язык сохранён.",
    },
    subscriptions: {
      heading: "Подписки",
      saved: "Настройки подписок сохранены.",
      publicAddressWhat: "домен или IP, к которому подключаются клиенты",
      publicAddressHint:
        "Например, vpn.example.com. Ссылки и профили используют его для всех инбаундов без собственного адреса. Пусто — хост, с которого запрошена подписка.",
      baseUrlHint:
        "Например, https://sub.example.com: адрес, по которому пользователи открывают эту панель (скажем, через обратный прокси) — всё, что стоит перед",
      baseUrlEmpty: "Пусто — адрес, по которому вы открыли эту страницу.",
      updateHint: "Как часто клиентские приложения заново запрашивают подписку (1–168)",
      submit: "Сохранить настройки подписок",
    },
    statuses: "Статусы пользователей",
    nearQuotaUnit: "(% использованного лимита)",
    nearQuotaHint: "Пользователь с лимитом помечается «почти исчерпан», начиная с этой доли.",
    expiringUnit: "(дней до окончания срока)",
    expiringHint: "«Скоро истекает» — за столько дней до окончания срока; 0 — никогда.",
    security: {
      heading: "Безопасность",
      saved: "Настройки безопасности сохранены.",
      explained:
        "Выключено: пользователи прокси попадают только в публичный интернет. Включено: им доступны и частные, loopback- и link-local-адреса (другие службы этого сервера, локальная сеть, метаданные облака). Порт панели и API статистики закрыты в любом случае. Изменение сразу применяется к sing-box.",
      submit: "Сохранить настройки безопасности",
    },
    password: {
      heading: "Смена пароля",
      changed: "Пароль изменён; остальные сеансы завершены.",
      notChanged: "Пароль не изменён:",
      notChangedSentence: "Пароль не изменён",
      fields: {
        current: "Текущий пароль",
        next: "Новый пароль",
        confirm: "Новый пароль ещё раз",
      },
      nextHint: "(не меньше 8 символов)",
      submit: "Сменить пароль",
    },
    tokens: {
      heading: "API-токены",
      sendHeader: "Передавайте токен в каждом запросе к /api/v1/… в заголовке:",
      shownOnce: "Токен показывается один раз; хранится только его хеш.",
      created: (name) =>
        `Новый токен «${name}»: скопируйте его сейчас, он больше не будет показан.`,
      name: "Название",
      createdAt: "Создан",
      lastUsed: "Последнее использование",
      none: "Токенов пока нет",
      revokeConfirm: (name) => `Отозвать токен «${name}»?`,
      revoke: "Отозвать",
      nameLabel: "Название токена",
      nameHint: "Для чего токен, например provisioning",
      create: "Создать токен",
    },
  },
  errors: {
    pageNotFound: "Страница не найдена",
    notFound: "Не найдено",
    internal: "Внутренняя ошибка",
    csrf: "CSRF-токен отсутствует или неверен; перезагрузите страницу и попробуйте ещё раз",
    crossSiteLogin: "Вход с другого сайта отклонён",
    wrongPassword: "Неверное имя пользователя или пароль",
    loginBusy: "Слишком много одновременных попыток входа; попробуйте чуть позже",
    loginLocked: (who, minutes, browserHint) =>
      `Слишком много неудачных попыток входа ${
        who === "client" ? "с этого клиента" : "в эту учётную запись"
      }; попробуйте снова через ${
        count(minutes, { one: "минуту", few: "минуты", many: "минут", other: "минуты" })
      }${browserHint ? "; браузер, из которого здесь уже входили, по-прежнему может войти" : ""}`,
    tooManySubscriptionRequests: "Слишком много запросов подписки; попробуйте позже",
    unknownHost: (host) =>
      `Панель не отвечает на имя хоста «${host}»; добавьте его через --allowed-hosts или SINGDECK_ALLOWED_HOSTS либо укажите его как публичный адрес`,
    bodyTooLarge: (size) => `Тело запроса больше ${size}`,
    unknownFormat: (format, formats) => `Неизвестный формат «${format}»; доступны: ${formats}`,
    useOneOf: (choices) => `Допустимые значения: ${choices}`,
    noShareLink: (n, tag) => `У инбаунда «${tag}» нет ссылки ${n}`,
    tokenNotFound: (id) => `API-токен ${id} не существует`,
    wholeNumber: (label, min, max) => `${label}: нужно целое число от ${num(min)} до ${num(max)}`,
    notHost: (label, value) => `${label}: «${value}» — не имя хоста и не IP-адрес`,
    notHostName: (label, value) => `${label}: «${value}» — не имя хоста`,
    notBaseUrl: (label, value) =>
      `${label}: «${value}» — не адрес http(s) без параметров запроса, например https://sub.example.com`,
    unknownLanguage: (value) =>
      `Язык «${value}» не поддерживается панелью (en, zh-CN, ru, fa); оставьте пустым, чтобы следовать браузеру`,
    unknownSetting: (key) => `Неизвестная настройка «${key}»`,
    settingsInvalid: (n) => `Неверных настроек: ${num(n)}`,
    passwordLength: "Новый пароль должен содержать от 8 до 256 символов",
    passwordsDiffer: "Пароли не совпадают",
    currentPasswordWrong: "Текущий пароль неверен",
    tokenNameLength: "Название токена — от 1 до 64 символов",
    unsafeText: (label, problem) =>
      problem === "control"
        ? `${label}: управляющие символы не допускаются`
        : `${label}: символы управления направлением текста (U+202A–U+202E, U+2066–U+2069) не допускаются`,
    nameRequired: "Укажите имя",
    nameHasCounterSeparator: (separator) =>
      `Имя не должно содержать «${separator}»: sing-box использует это в именах счётчиков`,
    nameHasPairSeparator: (separator) =>
      `Имя не должно содержать «${separator}»: этот символ разделяет пользователя и инбаунд в именах статистики`,
    nameHasWhitespace: "Имя не должно содержать пробелы и другие пробельные символы",
    nameTooLong: (max, length) =>
      `Имя должно быть не длиннее ${count(max, CHARACTERS)} (сейчас ${num(length)})`,
    nameBadCharacter: (character) =>
      `Имя может содержать только латинские буквы a-z A-Z, цифры и . _ @ - (а не «${character}»)`,
    nameReserved: (name) => `Имя «${name}» зарезервировано; выберите другое`,
    noteTooLong: (max, length) =>
      `Заметка должна быть не длиннее ${count(max, CHARACTERS)} (сейчас ${num(length)})`,
    resetStrategy: (value) => `Сброс трафика: недопустимое значение «${value}»`,
    tooManyInbounds: (max) => `За один раз можно назначить не больше ${count(max, INBOUNDS)}`,
    expiryYear: "Год окончания срока должен быть от 1970 до 9999",
    expiryFormat: (value) => `Срок «${value}»: нужна дата вида 2030-12-31 или пусто — бессрочно`,
    expiryNotReal: (value) => `Срок «${value}»: такой даты не существует`,
    expiryIsoFormat:
      "Срок: нужна дата вида «2030-12-31» (конец этого дня по UTC) или дата и время ISO 8601 вида «2030-12-31T23:59:59Z»; пусто — бессрочно",
    expiryNotRealTime: (value) => `Срок «${value}»: таких даты и времени не существует`,
    quotaUnit: (label, unit, units) =>
      `${label}: единица «${unit}» недопустима, нужна одна из ${units}`,
    quotaNegative: (label, unit) => `${label}: нужно 0 ${unit} или больше`,
    quotaNotNumber: (label, value, unit) =>
      `${label}: «${value}» — нужно число в ${unit}, например 10 или 2,5`,
    quotaTooLarge: (label, max, unit) => `${label}: не больше ${num(max)} ${unit}`,
    quotaTooSmall: (label) => `${label}: не меньше 1 байта; 0 — без лимита`,
    statusFilter: (value) => `Недопустимый статус «${value}»`,
    searchTooLong: (max) => `Поисковый запрос — не длиннее ${count(max, CHARACTERS)}`,
    sortOrder: (value) => `Недопустимая сортировка «${value}»`,
    pageNumber: (value) => `Страница «${value}»: нужно целое число от 1`,
    userExists: (name) => `Пользователь с именем «${name}» уже существует`,
    userNotFound: (name) => `Пользователь «${name}» не существует`,
    usersNotFound: (n, names) =>
      n === 1 ? `Пользователь ${names} не существует` : `Пользователи ${names} не существуют`,
    userChangedMeanwhile: (name) =>
      `Пока форма была открыта, пользователя «${name}» изменил кто-то другой; перезагрузите её, чтобы увидеть изменения, или сохраните ещё раз, чтобы их перезаписать`,
    fieldsInvalid: (n, fields) => `Неверно заполнено полей: ${num(n)} (${fields})`,
    inboundNotFound: (tag) => `Инбаунд «${tag}» не существует`,
    inboundsNotFound: (n, tags) =>
      n === 1 ? `Инбаунд ${tags} не существует` : `Инбаунды ${tags} не существуют`,
    andMore: (shown, more) => `${shown} и ещё ${num(more)}`,
    problems: (what, n, list) =>
      `${what}: ${
        count(n, { one: "проблема", few: "проблемы", many: "проблем", other: "проблемы" })
      }: ${list}`,
    chooseAction: "Выберите действие",
    bulkAction: (value) => `Недопустимое действие «${value}»`,
    chooseInbound: "Выберите инбаунд",
    selectUsers: "Выберите хотя бы одного пользователя или всех, кто подходит под фильтр",
    badSelection: "Выбранные пользователи указаны неверно",
    quotaToAddZero: "Добавляемый трафик должен быть больше 0",
    selectionGone: (n) =>
      `Выбранных пользователей больше не существует: ${
        num(n)
      }; перезагрузите страницу и попробуйте ещё раз`,
    someSelectedGone: "Некоторых выбранных пользователей больше нет",
    noMatch: "Под фильтр не подходит ни один пользователь",
    noMatchShort: "Никто не подходит",
    firstNumber: "Первый номер — целое число от 0",
    prefixRequired: "Укажите префикс",
    prefixNames: (example, problem) => `Имена вида «${example}» не подходят: ${problem}`,
    onLine: (line, problem) => `Строка ${num(line)}: ${problem}`,
    csvFields: "больше 3 полей (имя, лимит, срок)",
    csvDuplicate: (name, line) => `«${name}» уже есть в строке ${num(line)}`,
    csvQuota: (value) => `Лимит «${value}»: нужно число и MB, GB или TB, например 10 GB`,
    csvQuotaUnit: (value) => `Единица лимита «${value}»: нужна MB, GB или TB`,
    csvMore: (n) =>
      `…и ещё ${
        count(n, { one: "строка", few: "строки", many: "строк", other: "строки" })
      } с ошибками`,
    csvEmpty: "В CSV нет ни одного пользователя",
    batchTooLarge: (max) => `За один раз можно создать не больше ${users(max)}`,
    notCreatedProblems: (n) =>
      `Ни один пользователь не создан: ${
        count(n, { one: "проблема", few: "проблемы", many: "проблем", other: "проблемы" })
      }`,
    batchRace: "Пока шло создание, появился пользователь с одним из этих имён; попробуйте ещё раз",
    andMoreErrors: (first, more) => `${first} (и ещё ${num(more)})`,
    inboundSort: (value) => `Сортировка «${value}» не поддерживается`,
    required: (label) => `${label}: обязательное поле`,
    tooLong: (label, max) => `${label}: не длиннее ${count(max, CHARACTERS)}`,
    tagPathSegment: (tag) => `Тег «${tag}» недопустим: это отдельный сегмент пути`,
    tagSeparators:
      "Тег не может содержать «|» или «>»: статистика sing-box использует их как разделители",
    tagCharacters: "Тег может содержать только латинские буквы, цифры, «.», «_» и «-»",
    typeUnsupported: (type) => `Тип «${type}» не поддерживается`,
    typeFixed: (type) => `Тип ${type} нельзя изменить; создайте новый инбаунд`,
    listenNotIp: (value) => `Адрес прослушивания «${value}» — не адрес IPv4 или IPv6`,
    listenNotHere: (listen, noIpv6) =>
      `Адрес прослушивания ${listen} не принадлежит этому серверу${
        noIpv6 ? " (на нём нет IPv6)" : ""
      }`,
    tlsNotApplicable: (type) => `Для инбаундов ${type} TLS не применяется`,
    onlyFor: (label, type) => `${label}: применяется только к инбаундам ${type}`,
    tlsOrReality: "Выберите TLS или Reality, но не оба",
    notOneOf: (label, value) => `${label}: недопустимое значение «${value}»`,
    tlsRequired: (type) => `Инбаундам ${type} нужен TLS`,
    flowNeedsTls: (flow) => `Flow ${flow} работает только с TLS или Reality`,
    methodSingleUser: (method) =>
      `Метод ${method} в sing-box не поддерживает нескольких пользователей; выберите метод AES`,
    chooseCertificate: "Выберите файлы сертификата или самоподписанный сертификат",
    serverNameRequired: "Укажите имя сервера — имя, на которое выпущен сертификат",
    pathNotAbsolute: (label, path) => `${label} «${path}» должен быть абсолютным`,
    handshakeServerRequired: "Укажите сервер для хендшейка, например www.example.com",
    realityServerNameRequired: "Если сервер для хендшейка задан IP-адресом, укажите имя сервера",
    tooManyShortIds: (max) => `Не больше ${num(max)} short ID`,
    shortIdFormat: (id) =>
      `Short ID «${id}» должен состоять из шестнадцатеричных цифр, чётной длины, не длиннее 16`,
    clientServerName: "Имя сервера для клиентов",
    clientServerNameReality:
      "Клиенты Reality передают имя сервера Reality; оставьте имя сервера для клиентов пустым",
    clientServerNameSelfSigned:
      "Клиенты проверяют самоподписанный сертификат по его собственному имени сервера; оставьте имя сервера для клиентов пустым",
    clientServerNameNoTls: "Имя сервера для клиентов применяется только к инбаундам с TLS",
    fileProblem: (file, path, problem, detail) =>
      `${file} «${path}» ${fileProblem(problem, detail)}`,
    tagTaken: (tag) => `Тег «${tag}» уже занят другим инбаундом`,
    tagTakenRace: "Этот тег уже занят другим инбаундом",
    portIsPanel: (port) => `Порт ${port} занят самой панелью`,
    portTaken: (port, tag) => `Порт ${port} уже занят инбаундом «${tag}»`,
    portTakenOnHost: (port, transport, listen) =>
      `Порт ${port} (${transport}) на ${listen} занят другой программой`,
    portTakenRace: "Этот порт на этом адресе уже занят другим инбаундом",
    inboundChangedMeanwhile: (tag) =>
      `Пока готовилось это изменение, инбаунд «${tag}» изменил кто-то другой; перезагрузите его, чтобы увидеть изменения, и попробуйте ещё раз`,
  },
};
