/** The user form (create and edit) and the new-user page. */
import { RESET_STRATEGIES, type User } from "../core/model.ts";
import { dateInputValue, gbInputValue, USER_NOTE_MAX } from "../core/users/user_fields.ts";
import type { FormFields } from "../core/users/user_input.ts";
import { CsrfField, FieldError, Layout } from "./layout.tsx";

/** The form's fields as text, as typed or as stored. */
export interface UserFormValues {
  name: string;
  trafficLimitGb: string;
  expiresOn: string;
  enabled: boolean;
  resetStrategy: string;
  note: string;
  inbounds: string[];
}

export const EMPTY_USER_FORM: UserFormValues = {
  name: "",
  trafficLimitGb: "0",
  expiresOn: "",
  enabled: true,
  resetStrategy: "none",
  note: "",
  inbounds: [],
};

/** The form filled from a stored user and their inbound tags. */
export function userFormValues(user: User & { inbounds: string[] }): UserFormValues {
  return {
    name: user.name,
    trafficLimitGb: gbInputValue(user.trafficLimit),
    expiresOn: dateInputValue(user.expiresAt),
    enabled: user.enabled,
    resetStrategy: user.resetStrategy,
    note: user.note,
    inbounds: user.inbounds,
  };
}

/** The form filled back with what was submitted, to re-render it with errors. */
export function submittedFormValues(form: FormFields): UserFormValues {
  const text = (key: string) => {
    const v = form[key];
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    return typeof last === "string" ? last : "";
  };
  const list = form.inbounds === undefined ? [] : [form.inbounds].flat();
  const enabled = text("enabled");
  return {
    name: text("name"),
    trafficLimitGb: text("trafficLimitGb"),
    expiresOn: text("expiresOn"),
    enabled: enabled !== "" && !["0", "false", "off"].includes(enabled),
    resetStrategy: text("resetStrategy"),
    note: text("note"),
    inbounds: list.filter((tag): tag is string => typeof tag === "string" && tag !== ""),
  };
}

const RESET_LABELS: Record<string, string> = {
  none: "Never",
  day: "Every day",
  week: "Every week",
  month: "Every month",
};

export interface UserFormProps {
  /** Where the form posts: `/users` or the user's URL. */
  action: string;
  csrfToken: string;
  values: UserFormValues;
  errors: Record<string, string>;
  /** Every inbound tag, the assignment choices. */
  inboundTags: string[];
  submitLabel: string;
  /** The stored user's edit version (edit form only): a change made meanwhile is a 409. */
  version?: string;
}

/**
 * The form posts with htmx and swaps itself with the server's re-render on 422; a plain
 * POST (no script) gets the whole page back.
 */
export function UserForm(props: UserFormProps) {
  const { values, errors } = props;
  const choices = [...new Set([...props.inboundTags, ...values.inbounds])];
  const known = new Set(props.inboundTags);
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <form
      id="user-form"
      method="post"
      action={props.action}
      hx-post={props.action}
      hx-target="this"
      hx-swap="outerHTML"
    >
      <CsrfField token={props.csrfToken} />
      {props.version && <input type="hidden" name="version" value={props.version} />}
      {hasErrors && (
        <p class="flash error" role="alert">
          {errors.form ?? "The user was not saved; fix the fields below."}
        </p>
      )}
      <label>
        Name
        <input
          name="name"
          value={values.name}
          required
          maxlength={48}
          autocomplete="off"
          aria-invalid={errors.name ? "true" : undefined}
        />
        <span class="muted">Letters, digits and . _ @ - (at most 48)</span>
        <FieldError error={errors.name} />
      </label>
      <label>
        Traffic limit (GB, 0 = unlimited)
        <input
          name="trafficLimitGb"
          type="number"
          min="0"
          step="any"
          value={values.trafficLimitGb}
          aria-invalid={errors.trafficLimit ? "true" : undefined}
        />
        <FieldError error={errors.trafficLimit} />
      </label>
      <label>
        Expires after (UTC; empty = never)
        <input
          name="expiresOn"
          type="date"
          value={values.expiresOn}
          aria-invalid={errors.expiresAt ? "true" : undefined}
        />
        <FieldError error={errors.expiresAt} />
      </label>
      <label>
        Reset traffic
        <select
          name="resetStrategy"
          aria-invalid={errors.resetStrategy ? "true" : undefined}
        >
          {RESET_STRATEGIES.map((s) => (
            <option value={s} selected={values.resetStrategy === s}>{RESET_LABELS[s]}</option>
          ))}
        </select>
        <FieldError error={errors.resetStrategy} />
      </label>
      <label>
        Inbounds
        {choices.length === 0
          ? (
            <span class="muted">
              — none yet; <a href="/inbounds">create an inbound</a> to assign it.
            </span>
          )
          : (
            <select
              name="inbounds"
              multiple
              size={Math.min(8, Math.max(3, choices.length))}
              aria-invalid={errors.inbounds ? "true" : undefined}
            >
              {choices.map((tag) => (
                <option value={tag} selected={values.inbounds.includes(tag)}>
                  {known.has(tag) ? tag : `${tag} (does not exist)`}
                </option>
              ))}
            </select>
          )}
        <FieldError error={errors.inbounds} />
      </label>
      <label>
        Note
        <textarea
          name="note"
          rows={3}
          maxlength={USER_NOTE_MAX}
          aria-invalid={errors.note ? "true" : undefined}
        >
          {values.note}
        </textarea>
        <FieldError error={errors.note} />
      </label>
      <label class="inline">
        <input type="checkbox" name="enabled" value="1" checked={values.enabled} /> Enabled
      </label>
      <FieldError error={errors.enabled} />
      <p class="actions">
        <button type="submit">{props.submitLabel}</button>
      </p>
    </form>
  );
}

export interface NewUserPageProps {
  csrfToken: string;
  username: string;
  form: Omit<UserFormProps, "action" | "csrfToken" | "submitLabel">;
}

export function NewUserPage(props: NewUserPageProps) {
  return (
    <Layout title="Add user" active="users" csrfToken={props.csrfToken} username={props.username}>
      <p>
        <a href="/users">← Users</a>
      </p>
      <h1>Add user</h1>
      <section class="card">
        <UserForm
          action="/users"
          csrfToken={props.csrfToken}
          submitLabel="Create user"
          {...props.form}
        />
      </section>
    </Layout>
  );
}
