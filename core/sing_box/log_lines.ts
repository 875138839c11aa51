/**
 * sing-box's log lines as the Logs page shows them: colour codes removed, each line's
 * level recognised, filtered by level and text, newest or oldest first.
 */

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "panic"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

/** The Logs page's filter: the least severe level shown, a text, and the order. */
export interface LogFilter {
  /** Show lines of this level and more severe ones; "" shows every line. */
  level: LogLevel | "";
  /** Case-insensitive text the line must contain; "" for any. */
  text: string;
  order: "newest" | "oldest";
}

export interface LogLine {
  text: string;
  level: LogLevel;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const LEVEL = /\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|PANIC)\b/;
/** The panel's own lines ("singdeck: …") that report a failure. */
const PANEL_TROUBLE = /\b(error|failed|fails?|refused|crash(ed)?|exited|killed|timed? ?out)\b/i;

/** A line without colour codes, with its level (the panel's own lines: info or warn). */
export function parseLogLine(raw: string): LogLine {
  const text = raw.replace(ANSI, "");
  if (text.startsWith("singdeck: ")) {
    return { text, level: PANEL_TROUBLE.test(text) ? "warn" : "info" };
  }
  const match = LEVEL.exec(text);
  const word = match ? match[1].toLowerCase() : "info";
  return { text, level: (word === "warning" ? "warn" : word) as LogLevel };
}

/** The lines (oldest first, as the supervisor keeps them) that pass the filter, in its order. */
export function filterLogLines(raw: string[], filter: LogFilter): LogLine[] {
  const min = filter.level === "" ? 0 : LOG_LEVELS.indexOf(filter.level);
  const needle = filter.text.toLowerCase();
  const lines = raw.map(parseLogLine).filter((line) =>
    LOG_LEVELS.indexOf(line.level) >= min &&
    (needle === "" || line.text.toLowerCase().includes(needle))
  );
  return filter.order === "newest" ? lines.reverse() : lines;
}

/** The Logs page's query, with unknown values replaced by the defaults. */
export function parseLogFilter(query: { level?: string; q?: string; order?: string }): LogFilter {
  const level = (LOG_LEVELS as readonly string[]).includes(query.level ?? "")
    ? query.level as LogLevel
    : "";
  return {
    level,
    text: (query.q ?? "").slice(0, 200),
    order: query.order === "oldest" ? "oldest" : "newest",
  };
}
