// When an access cannot be put on the audit log, nothing is handed over: a
// read answers 503 without the record, and a sign-in answers 503 without a
// session (no cookie, and the session it began is ended), so nobody is signed
// in without a record of it.  The database is made to refuse those entries
// with a trigger, and the spool is off so that entries go straight to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, Client, addPartnership, childBody } from '../lib/index.mjs';

let sh;
let users;
const ENV = { SAFEHUB_AUDIT_SPOOL: 'off' };

before(async () => {
  sh = await Safehub.create();
  users = await addPartnership(sh, ['social_worker']);
});

after(async () => {
  await sh?.destroy();
});

/** Makes the database refuse audit entries whose action is one of ACTIONS. */
async function refuseEntries(actions) {
  const list = actions.map((a) => `'${a}'`).join(', ');
  if (sh.kind === 'postgres') {
    await sh.exec(`CREATE FUNCTION refuse_entries() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action IN (${list}) THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_entries BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_entries();`);
  } else {
    await sh.exec(`CREATE TRIGGER refuse_entries BEFORE INSERT ON audit_log WHEN NEW.action IN (${list})
      BEGIN SELECT RAISE(ABORT, 'refused'); END;`);
  }
}

test('an access that cannot be audited hands nothing over', async () => {
  await sh.start({ env: ENV });
  const sw = await sh.login(users.social_worker);
  const child = await sw.post('/api/v1/children', childBody());
  assert.equal(child.status, 201, child.describe());
  const token = (await sh.cliOk(['token', 'create', '--username', users.social_worker.username])).trim();
  await sh.stop();
  await refuseEntries(['auth.login', 'child.read']);
  await sh.start({ env: ENV });

  const sessions = await sh.scalar('SELECT count(*) AS n FROM sessions');
  const signIn = await sh.client().signIn(users.social_worker.username, users.social_worker.password);
  assert.equal(signIn.status, 503, signIn.describe());
  assert.equal(signIn.json.error.code, 'audit_unavailable');
  assert.deepEqual(signIn.cookies, [], 'no session cookie');
  assert.equal(await sh.scalar('SELECT count(*) AS n FROM sessions'), sessions, 'the session begun is ended');

  const partner = new Client(sh.url, { bearer: token });
  const read = await partner.get(`/api/v1/children/${child.json.id}`);
  assert.equal(read.status, 503, read.describe());
  assert.equal(read.json.error.code, 'audit_unavailable');
  assert.ok(!read.text.includes(child.json.last_name), 'nothing of the record is shown');
  await sh.stop();
});
