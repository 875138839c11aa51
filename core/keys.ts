/**
 * Secrets and key material the panel generates: user credentials, Shadowsocks 2022 keys,
 * Reality X25519 key pairs and self-signed TLS files.
 */
import "reflect-metadata"; // @peculiar/x509 (via tsyringe) needs it loaded first
import * as x509 from "@peculiar/x509";
import { decodeBase64, encodeBase64, encodeBase64Url, encodeHex } from "./encoding.ts";
import { SHADOWSOCKS_METHODS, type ShadowsocksMethod } from "./model.ts";

/** `n` cryptographically random bytes. */
export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** A user's password: standard base64 of 32 random bytes (usable as a 2022 key). */
export function generatePassword(): string {
  return encodeBase64(randomBytes(32));
}

/** A random v4 UUID. */
export function generateUuid(): string {
  return crypto.randomUUID();
}

/** A Shadowsocks 2022 server key of the method's length, standard base64. */
export function generateShadowsocksKey(method: ShadowsocksMethod): string {
  return encodeBase64(randomBytes(SHADOWSOCKS_METHODS[method]));
}

/**
 * A user's Shadowsocks 2022 key for a method, derived from their password so it needs
 * no column of its own: the first key-length bytes of the decoded password.
 */
export function shadowsocksUserKey(password: string, method: ShadowsocksMethod): string {
  return encodeBase64(decodeBase64(password).subarray(0, SHADOWSOCKS_METHODS[method]));
}

/** A Reality short id: 8 random bytes as 16 hex digits. */
export function generateShortId(): string {
  return encodeHex(randomBytes(8));
}

/** An X25519 key pair as sing-box's `generate reality-keypair` prints it (raw, base64url). */
export async function generateRealityKeyPair(): Promise<{ privateKey: string; publicKey: string }> {
  const pair = await crypto.subtle.generateKey({ name: "X25519" }, true, [
    "deriveBits",
  ]) as CryptoKeyPair;
  const publicRaw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  if (!jwk.d) throw new Error("X25519 private key export returned no key material");
  return { privateKey: jwk.d, publicKey: encodeBase64Url(publicRaw) };
}

/** A self-signed ECDSA P-256 certificate for `serverName`, as PEM, valid ten years. */
export async function generateSelfSignedCertificate(
  serverName: string,
): Promise<{ certificatePem: string; keyPem: string }> {
  x509.cryptoProvider.set(crypto);
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfter = new Date(notBefore.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const isIp = /^[0-9.]+$|:/.test(serverName);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: encodeHex(randomBytes(8)),
    name: `CN=${serverName.replace(/[,=+<>#;"\\]/g, "")}`,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: isIp ? "ip" : "dns", value: serverName },
      ]),
      new x509.BasicConstraintsExtension(false),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${
    encodeBase64(pkcs8).match(/.{1,64}/g)!.join("\n")
  }\n-----END PRIVATE KEY-----\n`;
  return { certificatePem: cert.toString("pem") + "\n", keyPem };
}
