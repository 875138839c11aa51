/**
 * Checks a PEM certificate and private key the way sing-box (Go's `tls.X509KeyPair`) will
 * load them, so a pair it would refuse is refused when it is entered (an inbound's files,
 * the panel's own `--cert`/`--key`) instead of breaking a later config apply: the
 * certificate file holds at least one parseable CERTIFICATE block (the first is the leaf),
 * the key file an unencrypted PKCS#8, PKCS#1 or SEC1 private key, and the key belongs to
 * the leaf certificate.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { englishFileProblem } from "./i18n/en.ts";

/** What can be wrong with a certificate or key file (catalogs word it: `errors.fileProblem`). */
export type FileProblem =
  | "missing"
  | "not_file"
  | "too_large"
  | "unreadable"
  | "cannot_read"
  | "not_pem_certificate"
  | "not_x509"
  | "not_pem_key"
  | "encrypted_key"
  | "not_key"
  | "key_mismatch";

/** A problem and its detail (the key block's type, or the read error). */
export interface FileFault {
  problem: FileProblem;
  detail: string;
}

/** What is wrong with each file of a pair, or null; `match` when both parse but differ. */
export interface CertificatePairFaults {
  certificate: FileFault | null;
  key: FileFault | null;
  match: FileFault | null;
}

/** The same, in English words (the panel's own `--cert`/`--key` at start). */
export interface CertificatePairProblems {
  certificate: string | null;
  key: string | null;
  match: string | null;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ((?:[A-Z]+ )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;

const fault = (problem: FileProblem, detail = ""): FileFault => ({ problem, detail });

/** Parses PEM text of a certificate (chain) and a key; says what is wrong with them. */
export function certificatePairFaults(
  certificatePem: string,
  keyPem: string,
): CertificatePairFaults {
  const faults: CertificatePairFaults = { certificate: null, key: null, match: null };
  let certificate: X509Certificate | null = null;
  const certBlock = CERTIFICATE_BLOCK.exec(certificatePem)?.[0];
  if (!certBlock) {
    faults.certificate = fault("not_pem_certificate");
  } else {
    try {
      certificate = new X509Certificate(certBlock);
    } catch {
      faults.certificate = fault("not_x509");
    }
  }
  let key: KeyObject | null = null;
  const keyBlock = KEY_BLOCK.exec(keyPem);
  if (!keyBlock) {
    faults.key = fault("not_pem_key");
  } else if (
    keyBlock[1] === "ENCRYPTED PRIVATE KEY" || /Proc-Type: 4,ENCRYPTED/.test(keyBlock[0])
  ) {
    faults.key = fault("encrypted_key");
  } else {
    try {
      key = createPrivateKey(keyBlock[0]);
    } catch {
      faults.key = fault("not_key", keyBlock[1]);
    }
  }
  if (certificate && key && !certificate.checkPrivateKey(key)) {
    faults.match = fault("key_mismatch");
  }
  return faults;
}

/** What is wrong with a pair, as the end of a sentence in English ("is not a PEM …"). */
export function certificatePairProblems(
  certificatePem: string,
  keyPem: string,
): CertificatePairProblems {
  const faults = certificatePairFaults(certificatePem, keyPem);
  const words = (f: FileFault | null) => f && englishFileProblem(f.problem, f.detail);
  return {
    certificate: words(faults.certificate),
    key: words(faults.key),
    match: words(faults.match),
  };
}
