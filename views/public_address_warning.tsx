/** The dashboard's warning while no public address is set and inbounds listen everywhere. */
export function PublicAddressWarning(props: { tags: string[] }) {
  if (props.tags.length === 0) return null;
  const shown = props.tags.slice(0, 5).join(", ") + (props.tags.length > 5 ? "…" : "");
  return (
    <p class="flash error" role="alert" id="public-address-warning">
      No public address is set and {props.tags.length === 1 ? "inbound" : "inbounds"} {shown}{" "}
      {props.tags.length === 1 ? "listens" : "listen"}{" "}
      on every address: share links and subscriptions will carry whatever host each subscription is
      fetched from. <a href="/settings#subscriptions">Set the public address</a>.
    </p>
  );
}
