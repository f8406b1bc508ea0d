// A partnership's own risk tool (setting risk_tool_file): `safehub serve`
// refuses to start on a malformed definition, naming the file, the line and
// the reason (exit 1, one line on stderr, nothing served); a valid one is
// served by GET /api/v1/risk/tool and drives the scoring, and every
// assessment records the version it used.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SHIPPED = readFileSync(join(REPO, 'config/risk-tool.json'), 'utf8');

let sh;

before(async () => {
  sh = await Safehub.create();
  await addAgencies(sh);
});

after(async () => {
  await sh?.destroy();
});

/** Writes TEXT as a definition in the installation's folder; returns its path. */
function definition(name, text) {
  const path = join(sh.dir, name);
  writeFileSync(path, text);
  return path;
}

/** The shipped definition with the line holding NEEDLE replaced by what REPLACE makes of it; returns [text, line number]. */
function edited(needle, replace) {
  const lines = SHIPPED.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  lines[i] = replace(lines[i]);
  return [lines.join('\n'), i + 1];
}

/** Runs `safehub serve` with the definition at PATH; it must refuse to start. Returns stderr. */
async function refusedAtStart(path) {
  const r = await sh.cli(['serve', '--listen', '127.0.0.1:0'], { env: { SAFEHUB_RISK_TOOL_FILE: path } });
  assert.equal(r.code, 1, `exit ${r.code}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  return lines[0];
}

test('a malformed definition stops the server at start-up, naming the file, the line and the reason', async () => {
  // Not JSON: jansson's line and column.
  let [text, line] = edited('"code": "M03"', (l) => l.replace('"group":', '"group"'));
  let path = definition('not-json.json', text);
  assert.match(await refusedAtStart(path), new RegExp(`^safehub: serve: risk tool: ${path}: line ${line}, column \\d+: `));
  // A code used twice: the line of the second use, not the first.
  [text, line] = edited('"code": "S11"', (l) => l.replace('"S11"', '"S10"'));
  path = definition('duplicate.json', text);
  assert.equal(await refusedAtStart(path), `safehub: serve: risk tool: ${path}: line ${line}: indicator code 'S10' is used twice`);
  // An indicator without a weight for a recency band.
  [text, line] = edited('"code": "M07"', (l) => l.replace(', "6_12_months": 0', ''));
  path = definition('weight.json', text);
  assert.equal(await refusedAtStart(path),
    `safehub: serve: risk tool: ${path}: line ${line}: indicator 'M07' needs a whole-number weight from 0 to 100 for recency '6_12_months'`);
  // Bands that do not rise.
  [text, line] = edited('"code": "high"', (l) => l.replace('"min_score": 16', '"min_score": 11'));
  path = definition('bands.json', text);
  assert.equal(await refusedAtStart(path),
    `safehub: serve: risk tool: ${path}: line ${line}: levels must rise: 'high' starts at or below the level before it`);
  // A rule naming an indicator the tool does not have.
  [text, line] = edited('{"indicator": "S09"', (l) => l.replace('"S09"', '"S99"'));
  path = definition('rule.json', text);
  assert.equal(await refusedAtStart(path), `safehub: serve: risk tool: ${path}: line ${line}: override 1 must name an indicator of this tool`);
  // A misspelt key is not silently ignored.
  [text, line] = edited('"overrides": [', (l) => l.replace('"overrides"', '"overides"'));
  path = definition('typo.json', text);
  assert.equal(await refusedAtStart(path), `safehub: serve: risk tool: ${path}: line ${line}: unknown key "overides"`);
  // A file that is not there.
  path = join(sh.dir, 'absent.json');
  assert.equal(await refusedAtStart(path), `safehub: serve: risk tool: ${path}: No such file or directory`);
  // Commands that work on the database check it too.
  const sla = await sh.cli(['sla', 'run'], { env: { SAFEHUB_RISK_TOOL_FILE: path } });
  assert.equal(sla.code, 1);
  assert.match(sla.stderr, /^safehub: sla run: risk tool: .*absent\.json: No such file or directory\n$/);
});

test("a partnership's own definition is served and drives the scoring; each assessment records its version", async () => {
  const own = {
    name: 'Holmford partnership CSE tool',
    version: 'HF-3',
    groups: [{ code: 'concern', label: 'Concerns' }],
    recency: [{ code: 'recent', label: 'In the last 3 months', within_months: 3 }, { code: 'earlier', label: 'Earlier' }],
    indicators: [
      { code: 'C1', group: 'concern', label: 'Going missing', guidance: 'More than once.', weight: { recent: 4, earlier: 2 } },
      { code: 'C2', group: 'concern', label: 'Older boyfriend', weight: { recent: 3, earlier: 1 } },
      { code: 'C3', group: 'concern', label: 'Told someone', weight: { recent: 1, earlier: 1 } },
    ],
    levels: [
      { code: 'standard', label: 'Standard', min_score: 0, review_days: 60 },
      { code: 'elevated', label: 'Elevated', min_score: 5, review_days: 14 },
    ],
    overrides: [{ indicator: 'C3', level: 'elevated', reason: 'Any disclosure is elevated.' }],
    exploitation_types: [{ code: 'online', label: 'Online' }],
  };
  const path = definition('own.json', JSON.stringify(own, null, 2));
  const user = await sh.addUser({ username: 't.sw', role: 'social_worker', agency: 'HFCSC' });
  await sh.start({ env: { SAFEHUB_RISK_TOOL_FILE: path } });
  const c = await sh.login(user);
  const tool = await c.get('/api/v1/risk/tool');
  assert.equal(tool.status, 200);
  assert.equal(tool.json.version, 'HF-3');
  assert.deepEqual(tool.json.indicators.map((i) => [i.code, i.weight, i.group]), [['C1', 4, 'concern'], ['C2', 3, 'concern'], ['C3', 1, 'concern']]);
  assert.deepEqual(tool.json.levels.map((l) => l.code), ['standard', 'elevated']);
  const child = (await c.post('/api/v1/children', childBody())).json;
  const url = `/api/v1/children/${child.id}/risk-assessments`;
  let r = await c.post(url, { indicators: [{ code: 'C1', evidence: 'x', recency: 'earlier' }, { code: 'C2', evidence: 'y' }], childs_words: 'ok' });
  assert.equal(r.status, 201, r.describe());
  assert.equal(r.json.score, 5);
  assert.equal(r.json.level, 'elevated');
  assert.equal(r.json.tool_version, 'HF-3');
  assert.equal(Date.parse(r.json.review_due) - Date.parse(r.json.assessed_at), 14 * 86400 * 1000);
  r = await c.post(url, { indicators: [{ code: 'C3', evidence: 'She said' }], childs_words: 'ok' });
  assert.equal(r.json.score, 1);
  assert.equal(r.json.level, 'elevated', "the partnership's rule");
  // The shipped tool's codes and levels mean nothing here.
  r = await c.post(url, { indicators: [{ code: 'S01', evidence: 'x' }], childs_words: 'ok', professional_judgement: { level: 'high', rationale: 'x' } });
  assert.equal(r.status, 422);
  assert.match(r.json.error.fields['indicators[0].code'], /not an indicator of the risk tool in force \(version HF-3\)/);
  assert.match(r.json.error.fields['professional_judgement.level'], /one of: standard, elevated/);
  const versions = await sh.query(`SELECT DISTINCT tool_version FROM risk_assessments WHERE child_id = '${child.id}'`);
  assert.deepEqual(versions.map((v) => v.tool_version), ['HF-3']);
  assert.equal((await sh.stop()).code, 0);
});
