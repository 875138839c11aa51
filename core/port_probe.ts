/**
 * What this host can bind right now (before asking sing-box to): whether a listen address
 * is one of its addresses, and whether a port is free. `HostProbe` lets tests that are
 * not about the host's ports run without depending on which ports are free.
 */
import dgram from "node:dgram";

export type Transport = "tcp" | "udp";

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freeLoopbackPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The transports an inbound type listens on (sing-box defaults). */
export function transportsOf(type: string): Transport[] {
  if (type === "hysteria2" || type === "tuic") return ["udp"];
  if (type === "shadowsocks") return ["tcp", "udp"];
  return ["tcp"];
}

function tcpFree(hostname: string, port: number): boolean {
  try {
    Deno.listen({ hostname, port }).close();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) return false;
    throw e;
  }
}

function udpFree(hostname: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(hostname.includes(":") ? "udp6" : "udp4");
    socket.once("error", (e: NodeJS.ErrnoException) => {
      socket.close();
      if (e.code === "EADDRINUSE") resolve(false);
      else reject(e);
    });
    socket.bind(port, hostname, () => socket.close(() => resolve(true)));
  });
}

/**
 * The transport on which `listen:port` is taken by another program, or null when every
 * transport the inbound type needs can be bound.
 */
export async function portTakenOn(
  listen: string,
  port: number,
  type: string,
): Promise<Transport | null> {
  for (const transport of transportsOf(type)) {
    const free = transport === "tcp" ? tcpFree(listen, port) : await udpFree(listen, port);
    if (!free) return transport;
  }
  return null;
}

/** Why an address cannot be listened on: not one of the machine's, or the machine has no IPv6. */
export type ListenAddressProblem = "not_local" | "no_ipv6";

/**
 * Why `listen` cannot be bound on this host (it is not one of the machine's addresses), or
 * null when it can, or when the probe cannot tell (the apply step then decides).
 */
export function listenAddressProblem(listen: string): Promise<ListenAddressProblem | null> {
  try {
    Deno.listen({ hostname: listen, port: 0 }).close();
  } catch (e) {
    if (e instanceof Deno.errors.AddrNotAvailable) return Promise.resolve("not_local");
    // EAFNOSUPPORT: a machine without IPv6 has no IPv6 address either.
    if (/Address family not supported|os error 97\b/.test((e as Error).message)) {
      return Promise.resolve("no_ipv6");
    }
  }
  return Promise.resolve(null);
}

/** What an inbound check asks of the host. */
export interface HostProbe {
  listenAddressProblem(listen: string): Promise<ListenAddressProblem | null>;
  portTakenOn(listen: string, port: number, type: string): Promise<Transport | null>;
}

/** The machine the panel runs on. */
export const realHost: HostProbe = { listenAddressProblem, portTakenOn };
