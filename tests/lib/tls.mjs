// A self-signed certificate for 127.0.0.1, made with the openssl command
// line, for tests of Safehub serving HTTPS itself.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes cert.pem and key.pem (ECDSA P-256, valid for a day, subject
 * alternative name IP 127.0.0.1) into DIR; returns {cert, key} paths.
 */
export function makeSelfSignedCert(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr || r.error}`);
  return { cert, key };
}
