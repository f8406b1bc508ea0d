// Checks docs/openapi.yaml and docs/configuration.md against the code.
//
//   node tests/openapi/check.mjs [--lint-exit N]
//
// The server's route table comes from `$SAFEHUB_BIN routes --json` (default
// build/safehub; nothing is built here).  The OpenAPI document is read through
// `redocly bundle` (already a dependency, so no YAML parser is added).  The
// settings table is parsed from src/config/config.c and the code lists from
// src/core/codes.c and src/access/roles.c.
//
// Each check is one test, printed as "ok N - what" or "not ok N - what: why":
//   - the lint (its exit status is passed in by tests/openapi/run);
//   - every non-HTML route is documented with the same method and path;
//   - every documented operation is a non-HTML route of the server;
//   - x-safehub-roles equals the route's roles;
//   - public routes have `security: []` and the others some security;
//   - x-safehub-second-factor-stage matches the route's flag;
//   - the query parameters documented are the route's allowlist;
//   - the code lists (ethnicity, gender, legal status, placement type,
//     agency type, role) equal the code's;
//   - every setting of config.c is in docs/configuration.md with its
//     SAFEHUB_ name, its default and (for numbers) its range, and the page
//     names no setting the code lacks.
// The last line is "openapi: N passed, N failed"; the exit status is 1 when
// anything failed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NAME = 'openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let passed = 0;
let failed = 0;
let n = 0;

/** Records one test: WHY is null when it passed, else the reason it failed. */
function report(what, why) {
  n++;
  if (why === null || why === undefined) {
    passed++;
    console.log(`ok ${n} - ${what}`);
  } else {
    failed++;
    console.log(`not ok ${n} - ${what}: ${why}`);
  }
}

function finish() {
  console.log(`${NAME}: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

function parseArgs(argv) {
  const o = { lintExit: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lint-exit' && i + 1 < argv.length) o.lintExit = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return o;
}

/** The server's route table, from `safehub routes --json`. */
function readRoutes() {
  const bin = resolve(repo, process.env.SAFEHUB_BIN || 'build/safehub');
  if (!existsSync(bin)) throw new Error(`${bin} does not exist (build it first, or set SAFEHUB_BIN)`);
  const out = execFileSync(bin, ['routes', '--json'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const routes = JSON.parse(out);
  if (!Array.isArray(routes) || routes.length === 0) throw new Error('safehub routes --json printed no routes');
  return routes;
}

/** docs/openapi.yaml as a plain object, via `redocly bundle` (which resolves YAML anchors and $refs). */
function readOpenApi() {
  const dir = mkdtempSync(join(tmpdir(), 'safehub-openapi-'));
  try {
    const out = join(dir, 'openapi.json');
    const cli = join(repo, 'node_modules', '.bin', 'redocly');
    if (!existsSync(cli)) throw new Error('node_modules/.bin/redocly is missing (run npm ci)');
    execFileSync(cli, ['bundle', '--config', 'docs/redocly.yaml', 'docs/openapi.yaml', '--output', out], {
      cwd: repo,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Follows a local "#/..." $ref inside DOC. */
function deref(doc, node) {
  let seen = 0;
  while (node && typeof node === 'object' && typeof node.$ref === 'string' && seen++ < 20) {
    if (!node.$ref.startsWith('#/')) throw new Error(`external $ref ${node.$ref} after bundling`);
    node = node.$ref
      .slice(2)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((o, k) => (o ? o[k] : undefined), doc);
  }
  return node;
}

/** Every operation of DOC as {method (upper case), path, op, item}. */
function operations(doc) {
  const ops = [];
  for (const [path, item0] of Object.entries(doc.paths || {})) {
    const item = deref(doc, item0);
    for (const m of METHODS) {
      if (item[m]) ops.push({ method: m.toUpperCase(), path, op: item[m], item });
    }
  }
  return ops;
}

const key = (method, path) => `${method} ${path}`;

function sameSet(a, b) {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  if (sa.length !== a.length) return `listed twice: ${a.filter((x, i) => a.indexOf(x) !== i).join(', ')}`;
  const missing = sb.filter((x) => !sa.includes(x));
  const extra = sa.filter((x) => !sb.includes(x));
  if (!missing.length && !extra.length) return null;
  const parts = [];
  if (missing.length) parts.push(`missing ${missing.join(', ')}`);
  if (extra.length) parts.push(`not in the code: ${extra.join(', ')}`);
  return parts.join('; ');
}

function checkRoutes(routes, doc) {
  const api = routes.filter((r) => !r.html);
  const ops = operations(doc);
  const byKey = new Map(ops.map((o) => [key(o.method, o.path), o]));
  const served = new Map(api.map((r) => [key(r.method, r.path), r]));

  for (const r of api) {
    report(`documented: ${key(r.method, r.path)}`, byKey.has(key(r.method, r.path)) ? null : 'not in docs/openapi.yaml');
  }
  for (const o of ops) {
    const k = key(o.method, o.path);
    const html = routes.find((r) => r.html && key(r.method, r.path) === k);
    report(`served: ${k}`, served.has(k) ? null : html ? 'the server has it as an HTML page' : 'no such route in the server');
  }
  for (const r of api) {
    const o = byKey.get(key(r.method, r.path));
    if (!o) continue;
    const k = key(r.method, r.path);
    const roles = o.op['x-safehub-roles'];
    report(
      `roles: ${k}`,
      Array.isArray(roles) ? sameSet(roles, r.roles) : 'x-safehub-roles is missing or not a list',
    );

    const sec = o.op.security !== undefined ? o.op.security : doc.security;
    let why = null;
    if (r.public && !(Array.isArray(sec) && sec.length === 0)) why = 'a public route needs `security: []`';
    if (!r.public && !(Array.isArray(sec) && sec.length > 0)) why = 'a signed-in route needs a security requirement';
    if (!r.public && Array.isArray(sec) && sec.some((req) => Object.keys(req).length === 0))
      why = 'an empty security requirement would make it public';
    report(`security: ${k}`, why);

    const stage = o.op['x-safehub-second-factor-stage'] === true;
    report(
      `second-factor stage: ${k}`,
      stage === r.second_factor_stage
        ? null
        : `x-safehub-second-factor-stage should be ${r.second_factor_stage ? 'true' : 'absent'}`,
    );

    const params = [...(o.item.parameters || []), ...(o.op.parameters || [])].map((p) => deref(doc, p));
    const query = params.filter((p) => p && p.in === 'query').map((p) => p.name);
    report(`query parameters: ${k}`, sameSet(query, r.query || []));
  }
}

/** The code lists of src/core/codes.c: {NAME: [codes]}. */
function readCodeLists() {
  const src = readFileSync(join(repo, 'src/core/codes.c'), 'utf8');
  const lists = {};
  const re = /const struct code (\w+)\[\] = \{([\s\S]*?)\n\};/g;
  let m;
  while ((m = re.exec(src))) {
    lists[m[1]] = [...m[2].matchAll(/\{"([^"]+)",\s*"/g)].map((x) => x[1]);
  }
  return lists;
}

function readRoleNames() {
  const src = readFileSync(join(repo, 'src/access/roles.c'), 'utf8');
  const m = /names\[ROLE_COUNT\] = \{([\s\S]*?)\};/.exec(src);
  if (!m) throw new Error('cannot find the role names in src/access/roles.c');
  return [...m[1].matchAll(/"([a-z_]+)"/g)].map((x) => x[1]);
}

function checkCodeLists(doc) {
  const lists = readCodeLists();
  const schemas = (doc.components && doc.components.schemas) || {};
  const pairs = [
    ['Ethnicity', 'ETHNICITY_CODES'],
    ['Gender', 'GENDERS'],
    ['LegalStatus', 'LEGAL_STATUSES'],
    ['PlacementType', 'PLACEMENT_TYPES'],
    ['AgencyType', 'AGENCY_TYPES'],
  ];
  for (const [schema, list] of pairs) {
    const s = schemas[schema];
    const codes = lists[list];
    let why = null;
    if (!codes || !codes.length) why = `no list ${list} in src/core/codes.c`;
    else if (!s || !Array.isArray(s.enum)) why = `components.schemas.${schema} has no enum`;
    else why = sameSet(s.enum, codes);
    report(`code list: ${schema} equals ${list} of src/core/codes.c`, why);
  }
  const role = schemas.Role;
  report(
    'code list: Role equals the role names of src/access/roles.c',
    role && Array.isArray(role.enum) ? sameSet(role.enum, readRoleNames()) : 'components.schemas.Role has no enum',
  );
}

/** Evaluates the integer expressions of the settings table ("64 * 1024 * 1024"). */
function intExpr(s) {
  const t = s.trim();
  if (!/^[0-9 *+()-]+$/.test(t)) throw new Error(`cannot read the number ${s}`);
  return t.split('+').reduce((sum, term) => sum + term.split('*').reduce((p, f) => p * Number(f.trim()), 1), 0);
}

/** The settings table of src/config/config.c: [{name, kind, def, min, max}]. */
function readSettings() {
  const src = readFileSync(join(repo, 'src/config/config.c'), 'utf8');
  const m = /static const struct setting settings\[\] = \{([\s\S]*?)\n\};/.exec(src);
  if (!m) throw new Error('cannot find the settings table in src/config/config.c');
  const out = [];
  for (const line of m[1].split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('/*') || t.startsWith('//')) continue;
    const s = /^([SILB])\(\s*(\w+)\s*,\s*"((?:[^"\\]|\\.)*)"\s*(?:,\s*([^,]+?)\s*,\s*([^)]+?)\s*)?\)\s*,?$/.exec(t);
    if (!s) throw new Error(`cannot read the setting line: ${t}`);
    const kind = { S: 'string', I: 'integer', L: 'integer', B: 'boolean' }[s[1]];
    const e = { name: s[2], kind, def: s[3] };
    if (kind === 'integer') {
      e.min = intExpr(s[4]);
      e.max = intExpr(s[5]);
    }
    out.push(e);
  }
  if (!out.length) throw new Error('the settings table of src/config/config.c is empty');
  return out;
}

/** The rows of the tables in docs/configuration.md whose first cell is a `setting`: {name: [cells]}. */
function readConfigurationDoc() {
  const text = readFileSync(join(repo, 'docs/configuration.md'), 'utf8');
  const rows = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .replace(/^\|/, '')
      .replace(/\|\s*$/, '')
      .split('|')
      .map((c) => c.trim());
    const m = /^`([a-z0-9_]+)`$/.exec(cells[0]);
    if (m) rows[m[1]] = cells;
  }
  return rows;
}

const fmtInt = (v) => String(v);

function checkSettings() {
  const settings = readSettings();
  const rows = readConfigurationDoc();
  for (const s of settings) {
    const env = `SAFEHUB_${s.name.toUpperCase()}`;
    const cells = rows[s.name];
    let why = null;
    if (!cells) why = 'no table row for it in docs/configuration.md';
    else if (cells.length < 5) why = 'the row needs the columns: setting, environment, default, valid values, meaning';
    else if (cells[1] !== `\`${env}\``) why = `the environment column should be \`${env}\``;
    else {
      const want = s.def === '' ? '(empty)' : `\`${s.def}\``;
      if (cells[2] !== want) why = `the default column should be ${want}, not ${cells[2]}`;
      else if (s.kind === 'integer') {
        const range = `${fmtInt(s.min)} to ${fmtInt(s.max)}`;
        if (!cells[3].includes(range)) why = `the valid values should say ${range}`;
      } else if (s.kind === 'boolean' && !/true/.test(cells[3])) why = 'the valid values should say true or false';
      if (!why && !cells[4]) why = 'the meaning column is empty';
    }
    report(`setting documented: ${s.name}`, why);
  }
  const known = new Set(settings.map((s) => s.name));
  const unknown = Object.keys(rows).filter((k) => !known.has(k));
  report(
    'configuration.md names no setting the code lacks',
    unknown.length ? `not in src/config/config.c: ${unknown.join(', ')}` : null,
  );
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.lintExit !== null) {
    report('redocly lint docs/openapi.yaml (recommended ruleset)', o.lintExit === 0 ? null : `exit ${o.lintExit}`);
  }
  let routes = null;
  let doc = null;
  try {
    routes = readRoutes();
  } catch (e) {
    report('read the route table (safehub routes --json)', e.message.split('\n')[0]);
  }
  try {
    doc = readOpenApi();
  } catch (e) {
    report('read docs/openapi.yaml (redocly bundle)', e.message.split('\n')[0]);
  }
  if (routes && doc) checkRoutes(routes, doc);
  if (doc) {
    try {
      checkCodeLists(doc);
    } catch (e) {
      report('code lists', e.message);
    }
  }
  try {
    checkSettings();
  } catch (e) {
    report('settings table', e.message);
  }
  finish();
}

try {
  main();
} catch (e) {
  report('the checks ran to the end', e.message);
  finish();
}
