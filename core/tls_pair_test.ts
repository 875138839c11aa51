import { assertEquals, assertStringIncludes } from "@std/assert";
import { createPrivateKey } from "node:crypto";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { certificatePairProblems } from "./tls_pair.ts";
import { generateSelfSignedCertificate } from "./keys.ts";

const OK = { certificate: null, key: null, match: null };

/** A self-signed RSA certificate and its key as PKCS#8 PEM. */
async function rsaPair() {
  x509.cryptoProvider.set(crypto);
  const alg = {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=rsa.example",
    notBefore: new Date(Date.now() - 1000),
    notAfter: new Date(Date.now() + 86400_000),
    signingAlgorithm: alg,
    keys,
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" })
    .export({ type: "pkcs8", format: "pem" }) as string;
  return { certificatePem: cert.toString("pem"), keyPem };
}

Deno.test("certificatePairProblems() accepts PKCS#8, SEC1 and PKCS#1 keys of their certificate", async () => {
  const ec = await generateSelfSignedCertificate("ec.example");
  assertEquals(certificatePairProblems(ec.certificatePem, ec.keyPem), OK);
  const sec1 = createPrivateKey(ec.keyPem).export({ type: "sec1", format: "pem" }) as string;
  assertStringIncludes(sec1, "BEGIN EC PRIVATE KEY");
  assertEquals(certificatePairProblems(ec.certificatePem, sec1), OK);
  const rsa = await rsaPair();
  const pkcs1 = createPrivateKey(rsa.keyPem).export({ type: "pkcs1", format: "pem" }) as string;
  assertStringIncludes(pkcs1, "BEGIN RSA PRIVATE KEY");
  assertEquals(certificatePairProblems(rsa.certificatePem, pkcs1), OK);
  // A chain: the leaf first, then an intermediate.
  const chain = ec.certificatePem + rsa.certificatePem;
  assertEquals(certificatePairProblems(chain, ec.keyPem), OK);
});

Deno.test("certificatePairProblems() says what is wrong with each file", async () => {
  const a = await generateSelfSignedCertificate("a.example");
  const b = await generateSelfSignedCertificate("b.example");
  assertEquals(certificatePairProblems(a.certificatePem, b.keyPem), {
    ...OK,
    match: "does not belong to the certificate (their public keys differ)",
  });
  const garbage = certificatePairProblems("hello", "world");
  assertStringIncludes(garbage.certificate ?? "", "is not a PEM certificate");
  assertStringIncludes(garbage.key ?? "", "is not a PEM private key");
  const broken = certificatePairProblems(
    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
  );
  assertStringIncludes(broken.certificate ?? "", "does not parse as X.509");
  assertStringIncludes(broken.key ?? "", "does not parse as a private key");
  const encrypted = certificatePairProblems(
    a.certificatePem,
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
  );
  assertStringIncludes(encrypted.key ?? "", "encrypted with a passphrase");
  // A certificate given as the key, and the key as the certificate.
  const swapped = certificatePairProblems(a.keyPem, a.certificatePem);
  assertStringIncludes(swapped.certificate ?? "", "is not a PEM certificate");
  assertStringIncludes(swapped.key ?? "", "is not a PEM private key");
});
