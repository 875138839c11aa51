/** The login page. */
import { Layout } from "./layout.tsx";

export function LoginPage(props: { error?: string; username?: string; next?: string }) {
  return (
    <Layout title="Log in">
      <section class="card narrow">
        <h1>singdeck</h1>
        {props.error && <p class="flash error" role="alert">{props.error}</p>}
        <form method="post" action="/login">
          <input type="hidden" name="next" value={props.next ?? "/"} />
          <label>
            Username
            <input
              name="username"
              autocomplete="username"
              value={props.username ?? "admin"}
              required
            />
          </label>
          <label>
            Password
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              required
              autofocus
            />
          </label>
          <button type="submit">Log in</button>
        </form>
      </section>
    </Layout>
  );
}
