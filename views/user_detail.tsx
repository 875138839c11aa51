/**
 * One user's page: a self-refreshing part (status, usage, traffic per inbound), the
 * credentials, actions and the edit form.
 */
import { formatTime } from "../core/format.ts";
import { type StatusThresholds, userStatus } from "../core/users/user_status.ts";
import type { UserDetail } from "../core/users/users.ts";
import { Bytes, CsrfField, Layout } from "./layout.tsx";
import { ExpiryDate, StatusBadge, UsageBar, userUrl } from "./user_parts.tsx";
import { UserForm, type UserFormProps } from "./user_form.tsx";
import { TrafficTable } from "./traffic_table.tsx";
import { UserConnect, type UserConnectProps } from "./user_connect.tsx";

/** Messages shown after a redirect back to the page (`?done=…`). */
export const DONE_MESSAGES = {
  created: "User created.",
  saved: "Changes saved.",
  reset: "Traffic reset to zero.",
  regenerated: "New UUID and password generated; the user's clients need the new settings.",
  token: "New subscription URL made; the old one no longer works.",
  enabled: "User enabled.",
  disabled: "User disabled.",
} as const;
export type DoneKey = keyof typeof DONE_MESSAGES;

const RESET_TEXT: Record<string, string> = {
  none: "never",
  day: "every day",
  week: "every week",
  month: "every month",
};

export interface UserLiveProps extends UserDetail {
  now: number;
  thresholds: StatusThresholds;
  /** Seconds between self-refreshes. */
  refreshSeconds: number;
}

export interface UserDetailProps extends UserLiveProps {
  csrfToken: string;
  username: string;
  done?: DoneKey;
  form: Omit<UserFormProps, "action" | "csrfToken" | "submitLabel" | "cancelUrl">;
  connect: UserConnectProps;
}

/** A POST button in its own form: htmx with a confirmation, or a plain POST without script. */
function ActionButton(
  props: { action: string; csrfToken: string; label: string; confirm?: string; kind?: string },
) {
  return (
    <form
      method="post"
      action={props.action}
      hx-post={props.action}
      hx-confirm={props.confirm}
    >
      <CsrfField token={props.csrfToken} />
      <button type="submit" class={props.kind}>{props.label}</button>
    </form>
  );
}

/** Status, usage and traffic per inbound: the part that refreshes itself (morphed). */
export function UserLive(props: UserLiveProps) {
  const { user, perInbound, now } = props;
  const status = userStatus(user, now, props.thresholds);
  const url = userUrl(user.name);
  return (
    <div
      id="user-live"
      hx-get={`${url}?fragment=live`}
      hx-trigger="refresh"
      data-refresh={String(props.refreshSeconds)}
      hx-swap="morph"
      hx-sync="this:replace"
    >
      <p>
        <StatusBadge status={status} id="user-status" />
      </p>
      <section class="grid">
        <div class="card stat">
          <div class="label">Uplink</div>
          <div class="value" id="user-uplink">
            <Bytes value={user.uplink} />
          </div>
        </div>
        <div class="card stat">
          <div class="label">Downlink</div>
          <div class="value" id="user-downlink">
            <Bytes value={user.downlink} />
          </div>
        </div>
        <div class="card stat">
          <div class="label">Used / limit</div>
          <UsageBar user={user} status={status} />
        </div>
        <div class="card stat">
          <div class="label">Expires</div>
          <div class="value">
            <ExpiryDate expiresAt={user.expiresAt} now={now} status={status} />
          </div>
          <div class="label">Traffic resets {RESET_TEXT[user.resetStrategy]}</div>
        </div>
      </section>
      <section class="card">
        <h2>Traffic per inbound</h2>
        <TrafficTable
          id="user-inbounds"
          heading="Inbound"
          empty="No inbounds assigned and no traffic recorded"
          rows={perInbound.map((row) => ({
            id: `user-inbound-${row.tag}`,
            label: (
              <>
                <span class="truncate" title={row.tag}>{row.tag}</span>{" "}
                {!row.assigned && <span class="muted">(no longer assigned)</span>}
              </>
            ),
            uplink: row.uplink,
            downlink: row.downlink,
          }))}
        />
      </section>
    </div>
  );
}

export function UserDetailPage(props: UserDetailProps) {
  const { user } = props;
  const url = userUrl(user.name);
  return (
    <Layout title={user.name} active="users" csrfToken={props.csrfToken} username={props.username}>
      <p>
        <a href="/users">← Users</a>
      </p>
      <h1>{user.name}</h1>
      {props.done && <p class="flash" role="status">{DONE_MESSAGES[props.done]}</p>}

      <UserLive {...props} />

      <UserConnect {...props.connect} />

      {user.note && (
        <section class="card">
          <h2>Note</h2>
          <p id="user-note">{user.note}</p>
        </section>
      )}

      <section class="card">
        <h2>Credentials</h2>
        <p class="muted">UUID</p>
        <p class="secret" id="user-uuid">{user.uuid}</p>
        <p class="muted">
          Password (Shadowsocks and mixed inbounds take it in another form: see Connect)
        </p>
        <p class="secret" id="user-password">{user.password}</p>
        <ActionButton
          action={`${url}/regenerate`}
          csrfToken={props.csrfToken}
          label="Regenerate credentials"
          kind="secondary"
          confirm={`Generate a new UUID and password for "${user.name}"? Their clients stop working until they update.`}
        />
      </section>

      <section class="card">
        <h2>Actions</h2>
        <div class="actions">
          <ActionButton
            action={`${url}/reset-traffic`}
            csrfToken={props.csrfToken}
            label="Reset traffic"
            kind="secondary"
            confirm={`Reset the traffic of "${user.name}" to zero? Inbound totals are kept.`}
          />
          <form method="post" action={`${url}/toggle`} hx-post={`${url}/toggle`}>
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="enabled" value={user.enabled ? "0" : "1"} />
            <button type="submit" class="secondary">{user.enabled ? "Disable" : "Enable"}</button>
          </form>
          <ActionButton
            action={`${url}/delete`}
            csrfToken={props.csrfToken}
            label="Delete user"
            kind="danger"
            confirm={`Delete "${user.name}" and their traffic records? This cannot be undone.`}
          />
        </div>
        <p class="muted">
          Created {formatTime(user.createdAt)} UTC · updated {formatTime(user.updatedAt)} UTC
        </p>
      </section>

      <section class="card">
        <h2>Edit</h2>
        <UserForm
          action={url}
          csrfToken={props.csrfToken}
          submitLabel="Save changes"
          cancelUrl={url}
          {...props.form}
        />
      </section>
    </Layout>
  );
}
