/**
 * Where clients reach an inbound: the address (the inbound's override, else the panel's
 * public address, else the host the subscription was fetched from; never the inbound's
 * listen address, which is often `::`), the TLS server name they send, and for a
 * self-signed certificate the certificate itself, so clients can pin it and keep
 * verification on.
 */
import type { Inbound } from "../model.ts";
import { decodeBase64, encodeHex } from "../encoding.ts";
import { REALITY_FINGERPRINT } from "./client_outbound.ts";
import type { ClientEndpoint } from "./client_outbound.ts";

/** Where the subscription is being served from, for the address fallback. */
export interface EndpointContext {
  /** The `publicAddress` setting; empty when unset. */
  publicAddress: string;
  /** Host name of the request that fetches the subscription (without port or brackets). */
  requestHost: string;
}

/** A client endpoint with what share links and Clash need besides sing-box's fields. */
export interface ResolvedEndpoint extends ClientEndpoint {
  /** "none", "tls" or "reality". */
  security: "none" | "tls" | "reality";
  /** Whether the certificate is the panel's self-signed one. */
  selfSigned: boolean;
  /** SHA-256 of the self-signed certificate (DER), lower-case hex, when it could be read. */
  certificateSha256?: string;
  /** uTLS fingerprint for Reality. */
  fingerprint?: string;
}

/** The address clients of `inbound` connect to. */
export function clientAddress(inbound: Inbound, ctx: EndpointContext): string {
  return inbound.settings.client?.address || ctx.publicAddress || ctx.requestHost;
}

/** Host name from a URL's host (`[::1]` → `::1`). */
export function hostOfUrl(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Reads `certificatePath` (PEM) and returns the PEM of its first certificate and the
 * SHA-256 of that certificate's DER bytes; null when the file cannot be read or parsed.
 */
export async function readCertificate(
  certificatePath: string,
): Promise<{ pem: string; sha256: string } | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(certificatePath);
  } catch {
    return null;
  }
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  if (!match) return null;
  let der: Uint8Array;
  try {
    der = decodeBase64(match[1].replace(/\s+/g, ""));
  } catch {
    return null;
  }
  const digest = await crypto.subtle.digest("SHA-256", der as BufferSource);
  return { pem: match[0] + "\n", sha256: encodeHex(new Uint8Array(digest)) };
}

/** The endpoint of `inbound` for a subscription served in `ctx`. */
export async function resolveClientEndpoint(
  inbound: Inbound,
  ctx: EndpointContext,
): Promise<ResolvedEndpoint> {
  const s = inbound.settings;
  const server = clientAddress(inbound, ctx);
  if (s.reality) {
    return {
      server,
      serverName: s.reality.serverName,
      security: "reality",
      selfSigned: false,
      fingerprint: REALITY_FINGERPRINT,
    };
  }
  if (!s.tls) return { server, security: "none", selfSigned: false };
  const endpoint: ResolvedEndpoint = {
    server,
    serverName: s.client?.serverName || s.tls.serverName,
    security: "tls",
    selfSigned: s.tls.selfSigned,
  };
  if (s.tls.selfSigned) {
    const certificate = await readCertificate(s.tls.certificatePath);
    if (certificate) {
      endpoint.certificatePem = certificate.pem;
      endpoint.certificateSha256 = certificate.sha256;
    }
  }
  return endpoint;
}
