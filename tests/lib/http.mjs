// HTTP helpers for tests: a client with a cookie jar and Safehub's CSRF
// token, raw requests (exact bytes, duplicate headers, chunked uploads sent
// piece by piece) and HTTPS to a self-signed server.  Built on node:http
// rather than fetch so that nothing is normalised behind the test's back:
// headers, bodies and cookies arrive exactly as the server sent them.
import http from 'node:http';
import https from 'node:https';

/** Parses one Set-Cookie header into {name, value, attrs} (attribute names lower-cased). */
export function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const attrs = {};
  for (const part of rest) {
    const p = part.trim();
    if (!p) continue;
    const i = p.indexOf('=');
    if (i < 0) attrs[p.toLowerCase()] = true;
    else attrs[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs };
}

/** A response: status, lower-cased headers, the body as bytes and text, and JSON on demand. */
export class Response {
  constructor(res, body) {
    this.status = res.statusCode;
    this.headers = res.headers;
    this.body = body;
    this.text = body.toString('utf8');
    this.cookies = (res.headers['set-cookie'] || []).map(parseSetCookie);
  }

  /** The body parsed as JSON (throws with the body in the message when it is not JSON). */
  get json() {
    try {
      return JSON.parse(this.text);
    } catch {
      throw new Error(`response ${this.status} is not JSON: ${this.text.slice(0, 300)}`);
    }
  }

  /** The error code of a contract error body, or undefined. */
  get errorCode() {
    try {
      return JSON.parse(this.text)?.error?.code;
    } catch {
      return undefined;
    }
  }

  /** A one-line description for assertion messages. */
  describe() {
    return `${this.status} ${this.text.slice(0, 400)}`;
  }
}

/**
 * Sends one request and resolves with a Response.  OPTS: method, headers
 * (object or array of [name, value] pairs, sent as given), body (string or
 * Buffer), tls (accept self-signed certificates), timeout (ms).  A response
 * that arrives before the whole body was written (413) is still returned.
 */
export function rawRequest(url, opts = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = mod.request(
      {
        method: opts.method || 'GET',
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers: opts.headers || {},
        agent: false,
        rejectUnauthorized: false,
        setHost: !hasHeader(opts.headers, 'host'),
      },
      (res) => {
        responded = true;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(new Response(res, Buffer.concat(chunks))));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error(`response aborted: ${opts.method || 'GET'} ${url}`)));
      },
    );
    req.setTimeout(opts.timeout ?? 60000, () => req.destroy(new Error(`timeout: ${opts.method || 'GET'} ${url}`)));
    // Once the server has answered, a write error on the rest of the body is expected (an early 413).
    req.on('error', (e) => {
      if (!responded) reject(e);
    });
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

/** True when HEADERS (object or [name, value] pairs) has NAME, in any case. */
function hasHeader(headers, name) {
  if (!headers) return false;
  const list = Array.isArray(headers) ? headers.map((h) => h[0]) : Object.keys(headers);
  return list.some((k) => k.toLowerCase() === name);
}

/**
 * Opens a request whose body the test writes piece by piece (chunked
 * transfer encoding unless a Content-Length header is given).  Returns
 * {req, response, continued}: write with req.write(), finish with
 * req.end(); response resolves with the Response; continued resolves when
 * the server answers "100 Continue" to an Expect: 100-continue header, which
 * shows that it has the request's headers in hand.
 */
export function streamingRequest(url, opts = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  let req;
  const response = new Promise((resolve, reject) => {
    req = mod.request(
      {
        method: opts.method || 'POST',
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers: opts.headers || {},
        agent: false,
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(new Response(res, Buffer.concat(chunks))));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
  const continued = new Promise((resolve) => req.once('continue', resolve));
  req.flushHeaders();
  return { req, response, continued };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A user agent for one person: keeps cookies (by name, as the server set
 * them), the CSRF token of the current session, and optionally a bearer
 * token.  Unsafe requests carry X-CSRF-Token automatically unless the call
 * says csrf: false or gives its own header.
 */
export class Client {
  constructor(baseUrl, { bearer = null, headers = {} } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.cookies = new Map();
    this.csrf = null;
    this.bearer = bearer;
    this.headers = headers;
    this.lastSetCookies = [];
  }

  /** The Cookie header this client would send, or undefined. */
  cookieHeader() {
    if (!this.cookies.size) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /**
   * Sends METHOD PATH.  OPTS: json (serialised, Content-Type application/json),
   * form (object, url-encoded), body (string/Buffer, sent as is), contentType,
   * headers, csrf (false to omit the token, or a string to send instead),
   * cookies (false to send none), chunked (send the body with chunked
   * transfer encoding rather than a Content-Length).
   */
  async request(method, path, opts = {}) {
    const headers = { ...this.headers, ...(opts.headers || {}) };
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['Content-Type'] = opts.contentType || 'application/json';
    } else if (opts.form !== undefined) {
      body = new URLSearchParams(opts.form).toString();
      headers['Content-Type'] = opts.contentType || 'application/x-www-form-urlencoded';
    } else if (opts.contentType) {
      headers['Content-Type'] = opts.contentType;
    }
    if (this.bearer && !('Authorization' in headers)) headers.Authorization = `Bearer ${this.bearer}`;
    const cookie = opts.cookies === false ? undefined : this.cookieHeader();
    if (cookie) headers.Cookie = cookie;
    if (UNSAFE.has(method) && opts.csrf !== false && !('X-CSRF-Token' in headers)) {
      const token = typeof opts.csrf === 'string' ? opts.csrf : this.csrf;
      if (token) headers['X-CSRF-Token'] = token;
    }
    let res;
    if (opts.chunked) {
      // Without a Content-Length, as a client streaming a body of unknown size.
      const s = streamingRequest(this.baseUrl + path, { method, headers });
      const buf = Buffer.from(body ?? '');
      for (let i = 0; i < buf.length; i += 65536) s.req.write(buf.subarray(i, i + 65536));
      s.req.end();
      res = await s.response;
    } else {
      res = await rawRequest(this.baseUrl + path, { method, headers, body, timeout: opts.timeout });
    }
    this.absorbCookies(res);
    return res;
  }

  /** Takes the cookies a response set; an empty value or Max-Age=0 removes one. */
  absorbCookies(res) {
    this.lastSetCookies = res.cookies;
    for (const c of res.cookies) {
      if (c.value === '' || c.attrs['max-age'] === '0') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  /** GET PATH. */
  get(path, opts) {
    return this.request('GET', path, opts);
  }
  /** POST PATH with JSON as the body (when given). */
  post(path, json, opts = {}) {
    return this.request('POST', path, json === undefined ? opts : { ...opts, json });
  }
  /** PATCH PATH with JSON as the body (when given). */
  patch(path, json, opts = {}) {
    return this.request('PATCH', path, json === undefined ? opts : { ...opts, json });
  }
  /** DELETE PATH. */
  delete(path, opts) {
    return this.request('DELETE', path, opts);
  }

  /**
   * POST /api/v1/session with USERNAME and PASSWORD (and TOTP if given);
   * keeps the new session's CSRF token.  Returns the Response.
   */
  async signIn(username, password, totp) {
    const body = { username, password };
    if (totp !== undefined) body.totp = totp;
    const res = await this.post('/api/v1/session', body);
    if (res.status === 200) this.csrf = res.json.csrf_token;
    return res;
  }

  /** Adopts the CSRF token of a session response (sign-in, second factor, password change). */
  takeCsrf(res) {
    if (res.status === 200 && res.json.csrf_token) this.csrf = res.json.csrf_token;
    return res;
  }
}
