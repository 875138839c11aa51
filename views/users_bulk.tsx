/**
 * The bulk-actions bar of the Users page, its results and the delete confirmation. The
 * row boxes of the table belong to this form through `form="bulk-form"`.
 */
import type { Child } from "hono/jsx";
import { formatCount } from "../core/format.ts";
import type { BulkAction } from "../core/users/bulk_input.ts";
import type { BulkResult } from "../core/users/bulk.ts";
import { QUOTA_UNITS } from "../core/users/user_fields.ts";
import { CsrfField } from "./layout.tsx";

export const BULK_ACTION_LABELS: Record<BulkAction, string> = {
  enable: "Enable",
  disable: "Disable",
  resetTraffic: "Reset traffic",
  extendExpiry: "Extend expiry",
  addQuota: "Add quota",
  assignInbound: "Assign inbound",
  unassignInbound: "Unassign inbound",
  delete: "Delete",
};

const DONE: Record<BulkAction, string> = {
  enable: "enabled",
  disable: "disabled",
  resetTraffic: "reset to zero traffic",
  extendExpiry: "given a later expiry",
  addQuota: "given more quota",
  assignInbound: "assigned the inbound",
  unassignInbound: "unassigned from the inbound",
  delete: "deleted",
};

const NOT_CHANGED: Partial<Record<BulkAction, string>> = {
  enable: "already enabled",
  disable: "already disabled",
  extendExpiry: "never expire",
  addQuota: "are unlimited",
  assignInbound: "had it already",
  unassignInbound: "did not have it",
};

const users = (n: number) => `${formatCount(n)} ${n === 1 ? "user" : "users"}`;

export function BulkBar(props: { csrfToken: string; inboundTags: string[]; result?: Child }) {
  const param = (actions: BulkAction[]) => ({
    "data-shown-by": "bulk-action",
    "data-show-for": actions.join(" "),
  });
  return (
    <form
      id="bulk-form"
      class="card bulk"
      method="post"
      action="/users/bulk"
      hx-post="/users/bulk"
      hx-target="#users-list"
      hx-swap="outerHTML"
      data-when-selected
      aria-label="Bulk actions"
    >
      <CsrfField token={props.csrfToken} />
      <label>
        Apply to
        <select name="scope" id="bulk-scope">
          <option value="selected">
            the selected users
          </option>
          <option value="filter">every user matching the filter</option>
        </select>
        <span class="hint" data-shown-by="bulk-scope" data-show-for="selected">
          <span data-selected-count="#users-table input.row-select" id="bulk-selected">0</span>{" "}
          selected
        </span>
      </label>
      <label>
        Action
        <select name="action" id="bulk-action">
          {Object.entries(BULK_ACTION_LABELS).map(([value, label]) => (
            <option value={value}>{label}</option>
          ))}
        </select>
      </label>
      <label class="param" {...param(["extendExpiry"])}>
        Days
        <input name="days" type="number" min="1" max="3650" value="30" inputmode="numeric" />
      </label>
      <div class="field param" {...param(["addQuota"])}>
        <label for="bulk-amount">Quota to add</label>
        <div class="input-group">
          <input id="bulk-amount" name="amount" inputmode="decimal" value="10" />
          <select name="unit" aria-label="Unit">
            {QUOTA_UNITS.map((u) => <option value={u} selected={u === "GB"}>{u}</option>)}
          </select>
        </div>
      </div>
      <label class="param wide" {...param(["assignInbound", "unassignInbound"])}>
        Inbound
        <select name="inbound">
          {props.inboundTags.map((tag) => <option value={tag}>{tag}</option>)}
        </select>
      </label>
      <button type="submit">Apply</button>
      <div id="bulk-result" class="bulk-result" aria-live="polite">{props.result}</div>
    </form>
  );
}

/** What a bulk action did, shown under the bar. */
export function BulkDone(props: { result: BulkResult }) {
  const { action, matched, changed } = props.result;
  const rest = matched - changed;
  return (
    <p class="flash" role="status" id="bulk-done">
      {users(changed)} {DONE[action]}.
      {rest > 0 && NOT_CHANGED[action] && ` ${users(rest)} unchanged: ${NOT_CHANGED[action]}.`}
    </p>
  );
}

/** A bulk action that was refused, with every reason. */
export function BulkError(props: { message: string; errors: Record<string, string> }) {
  const reasons = Object.values(props.errors);
  return (
    <div class="flash error" role="alert" id="bulk-error">
      {reasons.length > 1 ? <p>{props.message}</p> : null}
      {reasons.length > 1
        ? (
          <ul>
            {reasons.map((reason) => <li>{reason}</li>)}
          </ul>
        )
        : <p>{reasons[0] ?? props.message}</p>}
    </div>
  );
}

/** Asks before deleting: the confirm button posts the same form again with `confirm=yes`. */
export function BulkDeleteConfirm(props: { count: number }) {
  return (
    <div class="flash warn bulk-confirm" role="alert" id="bulk-confirm">
      <p>
        Delete {users(props.count)} with their traffic records? This cannot be undone.
      </p>
      <div class="actions">
        <button type="submit" name="confirm" value="yes" class="danger">
          Delete {users(props.count)}
        </button>
        <button type="button" class="secondary" data-dismiss=".bulk-confirm">Cancel</button>
      </div>
    </div>
  );
}
