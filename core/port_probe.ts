/** Whether a listen address and port can be bound right now (before asking sing-box to). */
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
