// A real SMTP server for tests: Debian's aiosmtpd (python3-aiosmtpd) on a
// free loopback port, delivering every message into a Maildir that the test
// reads back.  Stopped by stop() and when the process exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { freePort } from './postgres.mjs';

const PYTHON = '/usr/bin/python3';
const live = new Set();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** Resolves once something accepts connections on 127.0.0.1:PORT (polling a few times a second, at most TIMEOUT ms). */
async function waitForPort(port, timeout) {
  const until = Date.now() + timeout;
  for (;;) {
    const ok = await new Promise((res) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`smtp: nothing listening on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An SMTP server capturing mail: {host, port, messages(), stop()}. */
export async function startSmtp() {
  const dir = mkdtempSync(join(tmpdir(), 'safehub-smtp-'));
  const maildir = join(dir, 'Maildir');
  const port = await freePort();
  const p = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(p);
  let stderr = '';
  p.stderr.on('data', (d) => (stderr += d));
  try {
    await waitForPort(port, 15000);
  } catch (e) {
    p.kill('SIGKILL');
    throw new Error(`${e.message}: ${stderr}`);
  }
  return {
    host: '127.0.0.1',
    port,
    /** Every message delivered so far: [{headers, to, subject, body, raw}]. */
    messages() {
      const out = [];
      for (const sub of ['new', 'cur']) {
        const d = join(maildir, sub);
        if (!existsSync(d)) continue;
        for (const f of readdirSync(d).sort()) {
          const raw = readFileSync(join(d, f), 'utf8');
          const split = raw.indexOf('\n\n');
          const head = raw.slice(0, split);
          const headers = {};
          for (const line of head.split('\n')) {
            const m = line.match(/^([A-Za-z-]+):\s*(.*)$/);
            if (m) headers[m[1].toLowerCase()] = m[2];
          }
          out.push({ headers, to: headers.to, subject: headers.subject, body: raw.slice(split + 2), raw });
        }
      }
      return out;
    },
    async stop() {
      p.kill('SIGTERM');
      live.delete(p);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
