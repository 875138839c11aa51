/**
 * The bulk-actions bar of the Users page, its results and the delete confirmation. The
 * row boxes of the table belong to this form through `form="bulk-form"`.
 */
import type { Child } from "hono/jsx";
import { BULK_ACTIONS, type BulkAction } from "../core/users/bulk_input.ts";
import type { BulkResult } from "../core/users/bulk.ts";
import { QUOTA_UNITS } from "../core/users/user_fields.ts";
import type { Msg } from "../core/i18n/msg.ts";
import { CsrfField } from "./layout.tsx";
import { useI18n } from "./i18n.ts";

export function BulkBar(props: { csrfToken: string; inboundTags: string[]; result?: Child }) {
  const { t, f } = useI18n();
  const b = t.bulk;
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
      aria-label={b.label}
    >
      <CsrfField token={props.csrfToken} />
      <label>
        {b.applyTo}
        <select name="scope" id="bulk-scope">
          <option value="selected">{b.selectedUsers}</option>
          <option value="filter">{b.matchingUsers}</option>
        </select>
        <span class="hint" data-shown-by="bulk-scope" data-show-for="selected">
          {b.selectedBefore}
          <span data-selected-count="#users-table input.row-select" id="bulk-selected">
            {f.count(0)}
          </span>
          {b.selectedAfter}
        </span>
      </label>
      <label>
        {b.action}
        <select name="action" id="bulk-action">
          {BULK_ACTIONS.map((action) => <option value={action}>{b.actions[action]}</option>)}
        </select>
      </label>
      <label class="param" {...param(["extendExpiry"])}>
        {b.days}
        <input name="days" type="number" min="1" max="3650" value="30" inputmode="numeric" />
      </label>
      <div class="field param" {...param(["addQuota"])}>
        <label for="bulk-amount">{b.quotaToAdd}</label>
        <div class="input-group">
          <input id="bulk-amount" name="amount" inputmode="decimal" value="10" dir="ltr" />
          <select name="unit" aria-label={b.unit}>
            {QUOTA_UNITS.map((u) => <option value={u} selected={u === "GB"}>{f.byteUnit(u)}
            </option>)}
          </select>
        </div>
      </div>
      <label class="param wide" {...param(["assignInbound", "unassignInbound"])}>
        {t.userDetail.inbound}
        <select name="inbound">
          {props.inboundTags.map((tag) => <option value={tag}>{tag}</option>)}
        </select>
      </label>
      <button type="submit">{b.apply}</button>
      <div id="bulk-result" class="bulk-result" aria-live="polite">{props.result}</div>
    </form>
  );
}

/** What a bulk action did, shown under the bar. */
export function BulkDone(props: { result: BulkResult }) {
  const { t } = useI18n();
  const { action, matched, changed } = props.result;
  const rest = matched - changed;
  const unchanged = t.bulk.unchanged[action];
  return (
    <p class="flash" role="status" id="bulk-done">
      {t.bulk.done[action](changed)}
      {rest > 0 && unchanged && ` ${unchanged(rest)}`}
    </p>
  );
}

/** A bulk action that was refused, with every reason. */
export function BulkError(props: { message: Msg; errors: Record<string, Msg> }) {
  const { t, text } = useI18n();
  const reasons = Object.values(props.errors);
  return (
    <div class="flash error" role="alert" id="bulk-error">
      {reasons.length > 1 ? <p>{t.bulk.notApplied}</p> : null}
      {reasons.length > 1
        ? (
          <ul>
            {reasons.map((reason) => <li>{text(reason)}</li>)}
          </ul>
        )
        : <p>{text(reasons[0] ?? props.message)}</p>}
    </div>
  );
}

/** Asks before deleting: the confirm button posts the same form again with `confirm=yes`. */
export function BulkDeleteConfirm(props: { count: number }) {
  const { t } = useI18n();
  return (
    <div class="flash warn bulk-confirm" role="alert" id="bulk-confirm">
      <p>{t.bulk.deleteConfirm(props.count)}</p>
      <div class="actions">
        <button type="submit" name="confirm" value="yes" class="danger">
          {t.bulk.deleteButton(props.count)}
        </button>
        <button type="button" class="secondary" data-dismiss=".bulk-confirm">
          {t.common.cancel}
        </button>
      </div>
    </div>
  );
}
