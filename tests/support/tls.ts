/** TLS files on disk for inbound tests: the panel's self-signed ones and "files" mode ones. */
import { generateSelfSignedCertificate } from "../../core/keys.ts";

/** Files in the panel's self-signed TLS directory, sorted (none when it does not exist). */
export async function tlsFiles(p: { dataDir: string }): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${p.dataDir}/tls`)) names.push(entry.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

/**
 * Writes a self-signed certificate for `serverName` and its key into `dir` (created if
 * missing), as `<serverName>.crt` and `<serverName>.key` unless other file names are given;
 * returns their paths.
 */
export async function certificateFiles(
  dir: string,
  {
    serverName = "proxy.example.com",
    certificateFile = `${serverName}.crt`,
    keyFile = `${serverName}.key`,
  }: { serverName?: string; certificateFile?: string; keyFile?: string } = {},
): Promise<{ certificatePath: string; keyPath: string }> {
  await Deno.mkdir(dir, { recursive: true });
  const { certificatePem, keyPem } = await generateSelfSignedCertificate(serverName);
  const certificatePath = `${dir}/${certificateFile}`;
  const keyPath = `${dir}/${keyFile}`;
  await Deno.writeTextFile(certificatePath, certificatePem);
  await Deno.writeTextFile(keyPath, keyPem);
  return { certificatePath, keyPath };
}
