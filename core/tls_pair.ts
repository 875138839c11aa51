/**
 * Checks a PEM certificate and private key the way sing-box (Go's `tls.X509KeyPair`) will
 * load them, so a pair it would refuse is refused when it is entered (an inbound's files,
 * the panel's own `--cert`/`--key`) instead of breaking a later config apply: the
 * certificate file holds at least one parseable CERTIFICATE block (the first is the leaf),
 * the key file an unencrypted PKCS#8, PKCS#1 or SEC1 private key, and the key belongs to
 * the leaf certificate.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";

/** What is wrong with each file of a pair, or null; `match` when both parse but differ. */
export interface CertificatePairProblems {
  certificate: string | null;
  key: string | null;
  match: string | null;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ((?:[A-Z]+ )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

/** Parses PEM text of a certificate (chain) and a key; says what is wrong with them. */
export function certificatePairProblems(
  certificatePem: string,
  keyPem: string,
): CertificatePairProblems {
  const problems: CertificatePairProblems = { certificate: null, key: null, match: null };
  let certificate: X509Certificate | null = null;
  const certBlock = CERTIFICATE_BLOCK.exec(certificatePem)?.[0];
  if (!certBlock) {
    problems.certificate = "is not a PEM certificate (no BEGIN CERTIFICATE block)";
  } else {
    try {
      certificate = new X509Certificate(certBlock);
    } catch {
      problems.certificate = "holds a CERTIFICATE block that does not parse as X.509";
    }
  }
  let key: KeyObject | null = null;
  const keyBlock = KEY_BLOCK.exec(keyPem);
  if (!keyBlock) {
    problems.key = "is not a PEM private key (no BEGIN PRIVATE KEY block)";
  } else if (
    keyBlock[1] === "ENCRYPTED PRIVATE KEY" || /Proc-Type: 4,ENCRYPTED/.test(keyBlock[0])
  ) {
    problems.key = "is encrypted with a passphrase; sing-box needs an unencrypted key";
  } else {
    try {
      key = createPrivateKey(keyBlock[0]);
    } catch {
      problems.key = `holds a ${keyBlock[1]} block that does not parse as a private key`;
    }
  }
  if (certificate && key && !certificate.checkPrivateKey(key)) {
    problems.match = "does not belong to the certificate (their public keys differ)";
  }
  return problems;
}
