/** Dashboard, logs, the generated config, and start/stop/restart of sing-box. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { dashboardCounts } from "../db/dashboard.ts";
import { countAllUsersByStatus } from "../db/user_status.ts";
import { listOutboundTraffic } from "../db/traffic.ts";
import { getSettings, getStatusThresholds } from "../core/settings.ts";
import { maskSecrets } from "../core/sing_box/sing_box_config.ts";
import { filterLogLines, parseLogFilter } from "../core/sing_box/log_lines.ts";
import { inboundsWithoutClientAddress } from "../db/subscriptions.ts";
import {
  ConfigPage,
  DashboardPage,
  type DashboardProps,
  DashboardStatus,
} from "../views/dashboard.tsx";
import { LogsPage, LogsView } from "../views/logs.tsx";
import { wantsFragment } from "./htmx.ts";

async function dashboardProps(c: Context<AppEnv>): Promise<DashboardProps> {
  const { db, services, now, config } = c.var.deps;
  const session = c.var.session!;
  const t = now();
  const publicAddressSet = (await getSettings(db)).publicAddress !== "";
  return {
    unaddressedInbounds: publicAddressSet ? [] : await inboundsWithoutClientAddress(db),
    username: session.username,
    csrfToken: session.csrfToken,
    counts: await dashboardCounts(db),
    statusCounts: await countAllUsersByStatus(db, t, await getStatusThresholds(db)),
    core: services.core.status(),
    stats: services.stats.status(),
    outbounds: await listOutboundTraffic(db),
    recentLogs: services.core.logLines().slice(-20),
    now: t,
    refreshSeconds: config.tableRefresh,
  };
}

export function dashboardRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/", async (c) => {
    const props = await dashboardProps(c);
    c.header("Vary", "HX-Request");
    if (c.req.query("fragment") === "status" && wantsFragment(c)) {
      return c.render(<DashboardStatus {...props} />);
    }
    return c.render(<DashboardPage {...props} />);
  });

  for (const action of ["start", "stop", "restart"] as const) {
    app.post(`/core/${action}`, async (c) => {
      await c.var.deps.services.core[action]();
      if (c.req.header("HX-Request")) {
        return c.render(<DashboardStatus {...await dashboardProps(c)} />);
      }
      return c.redirect("/", 303);
    });
  }

  app.get("/logs", (c) => {
    const session = c.var.session!;
    const filter = parseLogFilter(c.req.query());
    const kept = c.var.deps.services.core.logLines();
    const props = {
      filter,
      lines: filterLogLines(kept, filter),
      kept: kept.length,
      refreshSeconds: c.var.deps.config.tableRefresh,
    };
    c.header("Vary", "HX-Request");
    if (wantsFragment(c)) return c.render(<LogsView {...props} />);
    return c.render(
      <LogsPage {...props} username={session.username} csrfToken={session.csrfToken} />,
    );
  });

  app.get("/core/config", async (c) => {
    const session = c.var.session!;
    const config = await c.var.deps.services.core.currentConfig();
    const text = config ? JSON.stringify(maskSecrets(config), null, 2) : null;
    return c.render(
      <ConfigPage username={session.username} csrfToken={session.csrfToken} config={text} />,
    );
  });

  app.get("/core/config.json", async (c) => {
    const config = await c.var.deps.services.core.currentConfig();
    if (!config) return c.json({ error: "No config generated yet", fields: {} }, 404);
    c.header("Content-Disposition", 'attachment; filename="sing-box.json"');
    return c.body(JSON.stringify(config, null, 2) + "\n", 200, {
      "Content-Type": "application/json",
    });
  });

  return app;
}
