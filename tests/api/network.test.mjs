// Networks through the API, on the real server: the network around a
// person, vehicle or child at depth 1 and 2 with the nodes, edges (weights,
// relations, items, handling conditions) and measures expected of a path
// (the middle is the most between); a child the reader may not open shown
// as a restricted node with no name, and refused as a centre (404 as for an
// id of nothing); a child merged into another read as the record kept;
// depth and centre validated (422 naming the parameter); the groups of the
// whole network (on a database of their own): sizes, counts by type, key
// people, places used, members, and min_size; audit entries; and the roles
// that may read networks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Safehub, addAgencies, childBody } from '../lib/index.mjs';

const RESTRICTED = 'A child (record not open to you)';
const ROLE_OF = {
  police: ['n.police', 'police', 'HFP'],
  analyst: ['n.analyst', 'analyst', 'HFP'],
  mash: ['n.mash', 'mash', 'HFCSC'],
  cse: ['n.cse', 'cse_worker', 'HFYPP'],
  manager: ['n.manager', 'manager', 'HFCSC'],
  director: ['n.director', 'director', 'HFCSC'],
  sw: ['n.sw', 'social_worker', 'HFCSC'],
  referrer: ['n.referrer', 'referrer', 'HFEDU'],
  strategic: ['n.strategic', 'strategic', 'HFCSC'],
  auditor: ['n.auditor', 'auditor', 'HFCSC'],
  admin: ['n.admin', 'admin', 'HFCSC'],
};

/** A fresh installation with one signed-in client per role of ROLE_OF: {sh, as}. */
async function installation() {
  const sh = await Safehub.create({ env: { SAFEHUB_TOTP_ROLES: '' } });
  await addAgencies(sh);
  const users = {};
  for (const [k, [username, role, agency]] of Object.entries(ROLE_OF)) users[k] = await sh.addUser({ username, role, agency });
  await sh.start();
  const as = {};
  for (const k of Object.keys(users)) as[k] = await sh.login(users[k]);
  return { sh, as };
}

let sh;
let as;

before(async () => {
  ({ sh, as } = await installation());
});

after(async () => {
  await sh?.destroy();
});

/** Records a person named NAME as CLIENT (default the police); resolves with the entity. */
async function personAs(client, name) {
  const [first_name, last_name] = name.split(' ');
  const r = await client.post('/api/v1/entities', { type: 'person', first_name, last_name, ethnicity_self: 'not_known', ethnicity_observed: 'not_known', nationality: 'not_known' });
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** Records entity BODY as CLIENT; resolves with it. */
async function entityAs(client, body) {
  const r = await client.post('/api/v1/entities', body);
  assert.ok(r.status === 201 || r.status === 200, r.describe());
  return r.json;
}

/** Records an item graded 1B P (or as EXTRA says) linking LINKS ([from, relation, to] triples) as CLIENT. */
async function intelAs(client, links, extra = {}) {
  const r = await client.post('/api/v1/intelligence', {
    summary: 'Reported by a member of the public.',
    source_evaluation: '1',
    intelligence_assessment: 'B',
    handling_code: 'P',
    links: links.map(([a, relation, b]) => ({ from: a.id, to: b.id, relation })),
    ...extra,
  });
  assert.equal(r.status, 201, r.describe());
  return r.json;
}

/** The node with id ID of network NET. */
const node = (net, id) => net.nodes.find((n) => n.id === id);
/** The edge joining A and B (either way round) of network NET. */
const edge = (net, a, b) => net.edges.find((e) => (e.from === a.id && e.to === b.id) || (e.from === b.id && e.to === a.id));

test('around a record at depth 1 and 2: nodes, edges and measures of a path', async () => {
  const people = [];
  for (const name of ['Ava Path', 'Ben Path', 'Cal Path', 'Dee Path', 'Eve Path']) people.push(await personAs(as.police, name));
  const [a, b, c, d, e] = people;
  const car = await entityAs(as.police, { type: 'vehicle', registration: 'PA17 HHH', make: 'Ford', model: 'Ka' });
  const first = await intelAs(as.police, [[a, 'associates_with', b], [b, 'associates_with', c]]);
  const conditions = 'Not for disclosure to the family.';
  const second = await intelAs(as.analyst, [[c, 'associates_with', d], [b, 'associates_with', c]], {
    source_evaluation: '2', intelligence_assessment: 'C', handling_code: 'C', handling_conditions: conditions,
  });
  const third = await intelAs(as.police, [[d, 'associates_with', e], [c, 'drives', car]]);
  // The path a-b-c-d-e, with c also driving the car.
  const r = await as.analyst.get(`/api/v1/network?around=${c.id}&depth=1`);
  assert.equal(r.status, 200, r.describe());
  const one = r.json;
  assert.equal(one.around, c.id);
  assert.equal(one.depth, 1);
  assert.equal(one.truncated, false);
  assert.deepEqual(one.nodes.map((n) => n.id).sort(), [b.id, c.id, d.id, car.id].sort());
  assert.equal(one.nodes[0].id, c.id, 'the centre first');
  assert.equal(one.edges.length, 3, 'only edges among the nodes answered');
  const bc = edge(one, b, c);
  assert.equal(bc.weight, 2, 'two links of two items join b and c');
  assert.deepEqual(bc.relations, ['associates_with']);
  assert.deepEqual(bc.intelligence.sort(), [first.id, second.id].sort());
  assert.deepEqual(bc.handling_conditions, [conditions], 'the conditions of the items on the edge');
  assert.deepEqual(edge(one, c, car).relations, ['drives']);
  assert.deepEqual(edge(one, c, car).handling_conditions, []);
  assert.deepEqual(edge(one, c, car).intelligence, [third.id]);
  const cn = node(one, c.id);
  assert.deepEqual(
    { type: cn.type, label: cn.label, restricted: cn.restricted, degree: cn.degree, strength: cn.strength, betweenness: cn.betweenness, eigenvector: cn.eigenvector },
    { type: 'person', label: 'Cal Path', restricted: false, degree: 3, strength: 4, betweenness: 1, eigenvector: 1 },
  );
  assert.equal(node(one, car.id).type, 'vehicle');
  assert.equal(node(one, car.id).label, 'Ford Ka PA17 HHH');
  for (const id of [b.id, d.id, car.id]) {
    assert.equal(node(one, id).degree, 1);
    assert.equal(node(one, id).betweenness, 0);
    assert.ok(node(one, id).eigenvector < 1);
  }
  assert.equal(node(one, b.id).strength, 2);
  assert.ok(one.nodes.every((n) => Number.isInteger(n.community) && n.community >= 1));
  // Depth 2 from the end of the path: a, b, c and then c's neighbours are three steps away.
  const two = (await as.manager.get(`/api/v1/network?around=${a.id}&depth=2`)).json;
  assert.deepEqual(two.nodes.map((n) => n.id), [a.id, b.id, c.id], 'nearest first');
  assert.equal(two.edges.length, 2);
  assert.equal(node(two, b.id).betweenness, 1, 'the middle of a three-node path');
  assert.equal(node(two, a.id).betweenness, 0);
  // Depth 2 from the middle: the whole path and the car; the middle is the most between.
  const whole = (await as.police.get(`/api/v1/network?around=${c.id}`)).json;
  assert.equal(whole.depth, 2, 'depth 2 when not said');
  assert.deepEqual(whole.nodes.map((n) => n.id).sort(), [a.id, b.id, c.id, d.id, e.id, car.id].sort());
  assert.equal(whole.edges.length, 5);
  const bt = Object.fromEntries(whole.nodes.map((n) => [n.id, n.betweenness]));
  assert.ok(bt[c.id] > bt[b.id] && bt[c.id] > bt[d.id], JSON.stringify(bt));
  assert.ok(bt[b.id] > bt[a.id] && bt[d.id] > bt[e.id], JSON.stringify(bt));
  assert.equal(bt[a.id], 0);
  assert.equal(bt[car.id], 0);
  // Normalised over the six nodes: c lies on the paths of 8 of the 10 pairs of the others, b and d on 4 each.
  assert.equal(bt[c.id], 0.8);
  assert.equal(bt[b.id], 0.4);
  // Depth 3 reaches what depth 2 from a does not.
  const three = (await as.police.get(`/api/v1/network?around=${a.id}&depth=3`)).json;
  assert.deepEqual(three.nodes.map((n) => n.id).sort(), [a.id, b.id, c.id, d.id, car.id].sort());
  // A record no link names is a network of one.
  const alone = await personAs(as.police, 'Lone Wolf');
  const solo = (await as.police.get(`/api/v1/network?around=${alone.id}`)).json;
  assert.deepEqual(solo.nodes.map((n) => [n.id, n.degree, n.betweenness]), [[alone.id, 0, 0]]);
  assert.deepEqual(solo.edges, []);
});

test('a child the reader may not open is a restricted node with no name; as a centre it is 404', async () => {
  const created = await as.sw.post('/api/v1/children', childBody());
  assert.equal(created.status, 201);
  const child = created.json;
  const man = await personAs(as.mash, 'Hal Hidden');
  const flat = await entityAs(as.mash, { type: 'location', name: 'Flat 4 Mill Court', kind: 'home', postcode: 'HF2 7QT' });
  await intelAs(as.mash, [[man, 'contacted', child], [man, 'lives_at', flat], [child, 'seen_at', flat]]);
  // The police are not involved with the child.
  const r = await as.police.get(`/api/v1/network?around=${man.id}&depth=1`);
  assert.equal(r.status, 200, r.describe());
  const cn = node(r.json, child.id);
  assert.deepEqual({ type: cn.type, label: cn.label, restricted: cn.restricted }, { type: 'child', label: RESTRICTED, restricted: true });
  assert.equal(cn.degree, 2, 'still measured');
  for (const secret of [child.first_name, child.last_name, child.nhs_number]) assert.ok(!r.text.includes(secret), `${secret} shown`);
  assert.ok(edge(r.json, man, child), 'its edges are shown');
  assert.equal(node(r.json, flat.id).label, 'Flat 4 Mill Court, HF2 7QT');
  // Those who may open the child see the name.
  const m = await as.manager.get(`/api/v1/network?around=${man.id}&depth=1`);
  assert.equal(node(m.json, child.id).label, `${child.first_name} ${child.last_name}`);
  assert.equal(node(m.json, child.id).restricted, false);
  // Around the child: 404 for the police (as for an id of nothing), 200 for the MASH.
  const seq = await sh.scalar('SELECT coalesce(max(seq), 0) AS s FROM audit_log');
  const hidden = await as.police.get(`/api/v1/network?around=${child.id}`);
  const nothing = await as.police.get('/api/v1/network?around=ch_doesnotexist00000000');
  assert.equal(hidden.status, 404);
  assert.equal(nothing.status, 404);
  assert.equal(hidden.text, nothing.text);
  const mash = await as.mash.get(`/api/v1/network?around=${child.id}&depth=1`);
  assert.equal(mash.status, 200, mash.describe());
  assert.deepEqual(mash.json.nodes.map((n) => n.id).sort(), [child.id, man.id, flat.id].sort());
  const audit = await sh.query(`SELECT actor, object_type, object_id, outcome, details FROM audit_log WHERE seq > ${seq} AND action = 'network.read' ORDER BY seq`);
  assert.deepEqual(audit.map((a) => [a.actor, a.object_type, a.object_id, a.outcome]), [
    ['n.police', 'child', child.id, 'denied'],
    ['n.police', 'entity', 'ch_doesnotexist00000000', 'not_found'],
    ['n.mash', 'child', child.id, 'ok'],
  ]);
  assert.match(audit[2].details, new RegExp(`"children_named":\\["${child.id}"\\]`));
  assert.doesNotMatch(audit[2].details, new RegExp(child.first_name));
});

test('a child merged into another is read as the record kept', async () => {
  const kept = (await as.sw.post('/api/v1/children', childBody())).json;
  const merged = (await as.sw.post('/api/v1/children', childBody())).json;
  const man = await personAs(as.mash, 'Max Merge');
  const woman = await personAs(as.mash, 'Mia Merge');
  await intelAs(as.mash, [[man, 'contacted', merged], [woman, 'contacted', kept]]);
  const onlyMerged = await intelAs(as.mash, [[man, 'suspected_of_exploiting', merged]]);
  await sh.exec(`UPDATE children SET merged_into = '${kept.id}' WHERE id = '${merged.id}'`);
  const r = await as.mash.get(`/api/v1/network?around=${man.id}&depth=2`);
  assert.equal(r.status, 200, r.describe());
  assert.deepEqual(r.json.nodes.map((n) => n.id).sort(), [man.id, kept.id, woman.id].sort());
  assert.equal(node(r.json, kept.id).label, `${kept.first_name} ${kept.last_name}`);
  const around = await as.mash.get(`/api/v1/network?around=${merged.id}&depth=1`);
  assert.equal(around.json.around, kept.id);
  assert.equal(node(around.json, kept.id).degree, 2);
  // New intelligence names the record kept, not the one merged into it.
  const r2 = await as.mash.post('/api/v1/intelligence', {
    summary: 'Seen again.', source_evaluation: '1', intelligence_assessment: 'B', handling_code: 'P',
    links: [{ from: woman.id, to: merged.id, relation: 'contacted' }],
  });
  assert.equal(r2.status, 422, r2.describe());
  assert.match(r2.json.error.fields['links[0].to'], new RegExp(`merged into ${kept.id}`));
  // Merged again: what linked the first record is still found about the last one kept, as the network reads it.
  const last = (await as.sw.post('/api/v1/children', childBody())).json;
  await sh.exec(`UPDATE children SET merged_into = '${last.id}' WHERE id = '${kept.id}'`);
  const about = await as.mash.get(`/api/v1/intelligence?about=${last.id}`);
  assert.equal(about.status, 200, about.describe());
  assert.equal(about.json.items.length, 2, JSON.stringify(about.json.items.map((i) => i.links)));
  assert.ok(about.json.items.some((i) => i.id === onlyMerged.id), 'the item linking only the record merged two steps back');
  const net = await as.mash.get(`/api/v1/network?around=${last.id}&depth=1`);
  assert.equal(net.status, 200, net.describe());
  assert.equal(node(net.json, last.id).degree, 2);
});

test('a record with more links than an answer holds: the nearest 300, marked truncated; links among the last step kept', async () => {
  const hub = await personAs(as.police, 'Hub Many');
  const accounts = [];
  for (let i = 0; i < 305; i++) accounts.push(await entityAs(as.police, { type: 'online_account', platform: 'trunc', handle: `t${i}` }));
  for (let i = 0; i < accounts.length; i += 100) {
    await intelAs(as.police, accounts.slice(i, i + 100).map((acc) => [hub, 'uses', acc]));
  }
  const [x, y] = accounts;
  await intelAs(as.police, [[x, 'contacted', y]]);
  const wide = (await as.police.get(`/api/v1/network?around=${hub.id}&depth=1`)).json;
  assert.equal(wide.truncated, true);
  assert.equal(wide.nodes.length, 300);
  assert.equal(wide.nodes[0].id, hub.id, 'the centre first');
  // Around one account at one step: the hub and the other account, and the link between those two as well.
  const near = await as.police.get(`/api/v1/network?around=${x.id}&depth=1`);
  assert.equal(near.status, 200, near.describe());
  assert.equal(near.json.truncated, false);
  assert.deepEqual(near.json.nodes.map((n) => n.id).sort(), [x.id, hub.id, y.id].sort());
  assert.ok(edge(near.json, hub, y), 'the link between two records one step out is in the answer');
  assert.equal(near.json.edges.length, 3);
  // Two steps out from it: every account, so cut at 300 again.
  const far = (await as.police.get(`/api/v1/network?around=${x.id}&depth=2`)).json;
  assert.equal(far.truncated, true);
  assert.equal(far.nodes.length, 300);
});

test('around and depth are checked: 422 naming the parameter', async () => {
  const p = await personAs(as.police, 'Val Idate');
  const cases = [
    ['/api/v1/network', 'around'],
    ['/api/v1/network?depth=2', 'around'],
    ['/api/v1/network?around=not%20an%20id', 'around'],
    [`/api/v1/network?around=${p.id}&depth=0`, 'depth'],
    [`/api/v1/network?around=${p.id}&depth=4`, 'depth'],
    [`/api/v1/network?around=${p.id}&depth=two`, 'depth'],
    [`/api/v1/network?around=${p.id}&depth=1.5`, 'depth'],
    [`/api/v1/network?around=${p.id}&depth=`, 'depth'],
    [`/api/v1/network?around=${p.id}&width=3`, 'width'],
    ['/api/v1/network/clusters?min_size=1', 'min_size'],
    ['/api/v1/network/clusters?min_size=x', 'min_size'],
    ['/api/v1/network/clusters?min_size=-3', 'min_size'],
  ];
  for (const [path, field] of cases) {
    const r = await as.analyst.get(path);
    assert.equal(r.status, 422, `${path}: ${r.describe()}`);
    assert.ok(r.json.error.fields[field], `${path} names ${field}: ${r.describe()}`);
  }
  assert.equal((await as.analyst.get('/api/v1/network?around=en_doesnotexist00000000')).status, 404);
  for (const depth of [1, 2, 3]) assert.equal((await as.analyst.get(`/api/v1/network?around=${p.id}&depth=${depth}`)).status, 200);
});

test('networks are read by the MASH, CSE workers, police, analysts, managers and the director only', async () => {
  const p = await personAs(as.police, 'Rolf Roles');
  for (const role of ['mash', 'cse', 'police', 'analyst', 'manager', 'director']) {
    assert.equal((await as[role].get(`/api/v1/network?around=${p.id}`)).status, 200, role);
    assert.equal((await as[role].get('/api/v1/network/clusters')).status, 200, role);
  }
  for (const role of ['referrer', 'sw', 'strategic', 'auditor', 'admin']) {
    for (const path of [`/api/v1/network?around=${p.id}`, '/api/v1/network/clusters']) {
      const r = await as[role].get(path);
      assert.equal(r.status, 403, `${role} ${path}: ${r.describe()}`);
      assert.equal(r.errorCode, 'forbidden');
    }
  }
});

test('the groups of the whole network: sizes, key people, places used, members and min_size', async () => {
  const own = await installation();
  try {
    const { as: a2, sh: s2 } = own;
    const child = (await a2.sw.post('/api/v1/children', childBody())).json;
    // A group of seven: four men sharing a car and a takeaway, and a fifth in touch with one of them who also goes there.
    const men = [];
    for (const name of ['Ali Group', 'Bob Group', 'Cid Group', 'Dan Group', 'Eli Recruit']) men.push(await personAs(a2.police, name));
    const car = await entityAs(a2.police, { type: 'vehicle', registration: 'GR15 CAR', make: 'BMW', model: 'X5' });
    const shop = await entityAs(a2.police, { type: 'location', name: 'Chicken Spot', kind: 'takeaway', postcode: 'HF3 1AB' });
    const links = [];
    for (const m of men.slice(0, 4)) links.push([m, 'drives', car], [m, 'frequents', shop]);
    links.push([men[0], 'associates_with', men[4]], [men[4], 'frequents', shop]);
    await intelAs(a2.police, links);
    // A group of four: three people who use one phone, and (linked by the MASH) a child they contacted.
    const phone = await entityAs(a2.police, { type: 'phone', number: '07700 900999' });
    const users = [];
    for (const name of ['Fay Phone', 'Gus Phone', 'Hal Phone']) users.push(await personAs(a2.police, name));
    await intelAs(a2.police, users.map((p) => [p, 'uses', phone]));
    // A pair, smaller than the default min_size.
    const pair = [await personAs(a2.police, 'Ivy Pair'), await personAs(a2.police, 'Jon Pair')];
    await intelAs(a2.police, [[pair[0], 'family_of', pair[1]]]);
    await intelAs(a2.mash, [[users[0], 'contacted', child]]);
    const seq = await s2.scalar('SELECT coalesce(max(seq), 0) AS s FROM audit_log');
    const r = await a2.analyst.get('/api/v1/network/clusters');
    assert.equal(r.status, 200, r.describe());
    const all = r.json;
    assert.equal(all.nodes, 7 + 5 + 2);
    assert.equal(all.edges, 10 + 4 + 1);
    assert.equal(all.min_size, 3);
    assert.equal(all.clusters.length, 2, JSON.stringify(all.clusters.map((c) => c.size)));
    const [c1, c2] = all.clusters;
    assert.deepEqual(
      { id: c1.id, size: c1.size, edges: c1.edges, people: c1.people, children: c1.children, vehicles: c1.vehicles, phones: c1.phones, places: c1.places, accounts: c1.accounts },
      { id: 'C1', size: 7, edges: 10, people: 5, children: 0, vehicles: 1, phones: 0, places: 1, accounts: 0 },
    );
    assert.equal(c1.density, Number((10 / 21).toFixed(4)));
    assert.equal(c1.key_people.length, 5);
    assert.equal(c1.key_people[0].id, men[0].id, 'the man who links the recruit is the most between');
    assert.equal(c1.key_people[0].label, 'Ali Group');
    assert.equal(c1.key_people[0].degree, 3);
    assert.ok(c1.key_people[0].betweenness > c1.key_people[1].betweenness);
    assert.equal(c1.key_people[4].id, men[4].id, 'the recruit, on no path between others, last');
    assert.deepEqual(c1.places_used, [{ id: shop.id, label: 'Chicken Spot, HF3 1AB', kind: 'takeaway' }]);
    assert.deepEqual(c1.members.map((m) => m.id).sort(), [...men.map((m) => m.id), car.id, shop.id].sort());
    assert.ok(c1.members.every((m) => m.restricted === false && typeof m.degree === 'number' && typeof m.betweenness === 'number'));
    assert.deepEqual(
      { id: c2.id, size: c2.size, edges: c2.edges, people: c2.people, children: c2.children, phones: c2.phones, places: c2.places },
      { id: 'C2', size: 5, edges: 4, people: 3, children: 1, phones: 1, places: 0 },
    );
    assert.equal(c2.density, 0.4);
    assert.deepEqual(c2.key_people.map((k) => k.id), [users[0].id, users[1].id, users[2].id], 'the one in touch with the child first');
    assert.deepEqual(c2.places_used, []);
    assert.equal(c2.members[0].id, phone.id, 'the phone every one of them uses is the most between');
    // The analyst's agency is not involved with the child: counted, not named.
    const cm = c2.members.find((m) => m.id === child.id);
    assert.deepEqual({ type: cm.type, label: cm.label, restricted: cm.restricted }, { type: 'child', label: RESTRICTED, restricted: true });
    assert.ok(!r.text.includes(child.first_name) && !r.text.includes(child.last_name));
    const mgr = (await a2.manager.get('/api/v1/network/clusters')).json;
    assert.equal(mgr.clusters[1].members.find((m) => m.id === child.id).label, `${child.first_name} ${child.last_name}`);
    // min_size: the pair only from 2; the phone's group goes from 6; nothing from 8.
    const sizes = async (k) => (await a2.analyst.get(`/api/v1/network/clusters?min_size=${k}`)).json.clusters.map((c) => c.size);
    assert.deepEqual(await sizes(2), [7, 5, 2]);
    assert.deepEqual(await sizes(5), [7, 5]);
    assert.deepEqual(await sizes(6), [7]);
    assert.deepEqual(await sizes(8), []);
    const named = await a2.analyst.get('/api/v1/network/clusters?min_size=2');
    assert.deepEqual(named.json.clusters.map((c) => c.id), ['C1', 'C2', 'C3']);
    // Audited with counts and ids, never names.
    const audit = await s2.query(`SELECT actor, object_type, outcome, details FROM audit_log WHERE seq > ${seq} AND action = 'network.clusters' ORDER BY seq`);
    assert.equal(audit.length, 7);
    assert.deepEqual([audit[0].actor, audit[0].object_type, audit[0].outcome], ['n.analyst', 'network', 'ok']);
    assert.match(audit[0].details, /"clusters":2/);
    assert.match(audit[0].details, /"children_named":\[\]/);
    assert.match(audit[1].details, new RegExp(`"children_named":\\["${child.id}"\\]`), "the manager's answer named the child");
    for (const x of audit) assert.doesNotMatch(x.details, /Group|Phone|Chicken/);
  } finally {
    await own.sh.destroy();
  }
});

test('an empty network has no groups', async () => {
  const own = await installation();
  try {
    const r = await own.as.police.get('/api/v1/network/clusters');
    assert.equal(r.status, 200, r.describe());
    assert.deepEqual(r.json, { nodes: 0, edges: 0, min_size: 3, clusters: [] });
  } finally {
    await own.sh.destroy();
  }
});
