/** The login page. */
import type { Msg } from "../core/i18n/msg.ts";
import { useI18n } from "./i18n.ts";
import { Layout } from "./layout.tsx";

export function LoginPage(props: { error?: Msg; username?: string; next?: string }) {
  const { t, text } = useI18n();
  return (
    <Layout title={t.login.title}>
      <section class="card narrow">
        <h1>singdeck</h1>
        {props.error && <p class="flash error" role="alert">{text(props.error)}</p>}
        <form method="post" action="/login">
          <input type="hidden" name="next" value={props.next ?? "/"} />
          <label>
            {t.login.username}
            <input
              name="username"
              autocomplete="username"
              value={props.username ?? "admin"}
              required
            />
          </label>
          <label>
            {t.login.password}
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              required
              autofocus
            />
          </label>
          <button type="submit">{t.login.submit}</button>
        </form>
      </section>
    </Layout>
  );
}
