/**
 * One user's page: a self-refreshing part (status, usage, traffic per inbound), the
 * credentials, actions and the edit form.
 */
import { type StatusThresholds, userStatus } from "../core/users/user_status.ts";
import type { UserDetail } from "../core/users/users.ts";
import type { Messages } from "../core/i18n/en.ts";
import { Bytes, CsrfField, Layout, Time } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
import { ExpiryDate, StatusBadge, UsageBar, userUrl } from "./user_parts.tsx";
import { UserForm, type UserFormProps } from "./user_form.tsx";
import { TrafficTable } from "./traffic_table.tsx";
import { UserConnect, type UserConnectProps } from "./user_connect.tsx";

/** What a redirect back to the page says was done (`?done=…`). */
export type DoneKey = keyof Messages["userDetail"]["done"];

/** Whether `value` names a message of `?done=`. */
export function isDoneKey(value: string | undefined, t: Messages): value is DoneKey {
  return value !== undefined && Object.hasOwn(t.userDetail.done, value);
}

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
  form: Omit<UserFormProps, "action" | "csrfToken" | "submit" | "cancelUrl">;
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
  const { t } = useI18n();
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
          <div class="label">{t.traffic.uplink}</div>
          <div class="value" id="user-uplink">
            <Bytes value={user.uplink} />
          </div>
        </div>
        <div class="card stat">
          <div class="label">{t.traffic.downlink}</div>
          <div class="value" id="user-downlink">
            <Bytes value={user.downlink} />
          </div>
        </div>
        <div class="card stat">
          <div class="label">{t.users.usedOfLimit}</div>
          <UsageBar user={user} status={status} />
        </div>
        <div class="card stat">
          <div class="label">{t.users.expires}</div>
          <div class="value">
            <ExpiryDate expiresAt={user.expiresAt} now={now} status={status} />
          </div>
          <div class="label">{t.userDetail.resets[user.resetStrategy]}</div>
        </div>
      </section>
      <section class="card">
        <h2>{t.userDetail.perInbound}</h2>
        <TrafficTable
          id="user-inbounds"
          heading={t.userDetail.inbound}
          empty={t.userDetail.perInboundNone}
          rows={perInbound.map((row) => ({
            id: `user-inbound-${row.tag}`,
            label: (
              <>
                <span class="truncate" title={row.tag}>{row.tag}</span>{" "}
                {!row.assigned && <span class="muted">{t.userDetail.unassigned}</span>}
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
  const { t } = useI18n();
  const d = t.userDetail;
  const { user } = props;
  const url = userUrl(user.name);
  return (
    <Layout title={user.name} active="users" csrfToken={props.csrfToken} username={props.username}>
      <p>
        <a href="/users">{t.users.back}</a>
      </p>
      <h1>{user.name}</h1>
      {props.done && <p class="flash" role="status">{d.done[props.done]}</p>}

      <UserLive {...props} />

      <UserConnect {...props.connect} />

      {user.note && (
        <section class="card">
          <h2>{t.userForm.fields.note}</h2>
          <p id="user-note" dir="auto">{user.note}</p>
        </section>
      )}

      <section class="card">
        <h2>{d.credentials}</h2>
        <p class="muted">UUID</p>
        <p class="secret" id="user-uuid">{user.uuid}</p>
        <p class="muted">{d.passwordExplained}</p>
        <p class="secret" id="user-password">{user.password}</p>
        <ActionButton
          action={`${url}/regenerate`}
          csrfToken={props.csrfToken}
          label={d.regenerate}
          kind="secondary"
          confirm={d.regenerateConfirm(user.name)}
        />
      </section>

      <section class="card">
        <h2>{t.common.actions}</h2>
        <div class="actions">
          <ActionButton
            action={`${url}/reset-traffic`}
            csrfToken={props.csrfToken}
            label={d.resetTraffic}
            kind="secondary"
            confirm={d.resetConfirm(user.name)}
          />
          <form method="post" action={`${url}/toggle`} hx-post={`${url}/toggle`}>
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="enabled" value={user.enabled ? "0" : "1"} />
            <button type="submit" class="secondary">
              {user.enabled ? t.common.disable : t.common.enable}
            </button>
          </form>
          <ActionButton
            action={`${url}/delete`}
            csrfToken={props.csrfToken}
            label={d.delete}
            kind="danger"
            confirm={d.deleteConfirm(user.name)}
          />
        </div>
        <p class="muted">
          {d.createdAt} <Time at={user.createdAt} /> · {d.updatedAt} <Time at={user.updatedAt} />
        </p>
      </section>

      <section class="card">
        <h2>{t.common.edit}</h2>
        <UserForm
          action={url}
          csrfToken={props.csrfToken}
          submit="save"
          cancelUrl={url}
          {...props.form}
        />
      </section>
    </Layout>
  );
}
