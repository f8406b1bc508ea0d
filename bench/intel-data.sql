-- bench/intel-data.sql: a partnership-wide intelligence picture for bench/section-intel.sh, added to a demo
-- borough (safehub demo, which records a little intelligence of its own) in the installed schema.  The
-- section puts a temporary table first:
--
--   CREATE TEMP TABLE bench (now INTEGER, entities INTEGER, links INTEGER);
--
-- and this adds people, vehicles, phones, places and online accounts until bench.entities are recorded in
-- all, and links in graded items of intelligence until there are about bench.links.  They make many groups
-- of 5 to 36 records (most of them small: sizes drawn from the product of two uniform draws; the last group
-- takes what is left, up to 40), about 45% of each group people and the rest vehicles, phones, places and accounts.  Within a group every record is
-- joined to a person of the group (a random tree over the people, with the group's things hung on them),
-- and further links are drawn between its people and its other records, so some pairs are reported again
-- and again; about 2% of the links join a person of one group to a person of another, and about 6% join a
-- group to the children it is suspected of exploiting (six groups in ten have one to four, those at medium
-- or high risk first; one child in ten is shared with another group).  Links come in items of one to a
-- dozen or so (four on average), each item about one group, recorded by the demo's police officer,
-- analyst, CSE worker or MASH worker since the group became known (within the last three years); most are
-- graded 3x5x2, some with handling conditions, a few older ones 5x5x5.  As recording does, each child
-- linked gets its recorder's agency involved and an "intelligence" entry on its chronology.
--
-- Keys are unique: registrations "XY00 ABC" (never starting with H, so never the demo's HF00), phone
-- numbers in Ofcom's ranges for drama (not the demo's 07700 900), places in postcode districts HF10 to
-- HF99 (the demo's are HF1 to HF6), handles numbered.  SQLite only.

CREATE TEMP TABLE bench_n AS
SELECT MAX(0, (SELECT entities FROM bench) - (SELECT COUNT(*) FROM entities)) AS ents,
       MAX(0, (SELECT links FROM bench) - (SELECT COUNT(*) FROM intel_links)) AS links,
       (SELECT now FROM bench) AS now;

-- The recorders: police officer 45%, analyst 20%, CSE worker 20%, MASH worker 15%.
CREATE TEMP TABLE bench_who (n INTEGER PRIMARY KEY, id TEXT NOT NULL, agency_id TEXT);
INSERT INTO bench_who
SELECT CASE username WHEN 'police' THEN 0 WHEN 'analyst' THEN 1 WHEN 'cse.worker' THEN 2 ELSE 3 END, id, agency_id
FROM users WHERE username IN ('police', 'analyst', 'cse.worker', 'mash');

CREATE TEMP TABLE bench_k (k INTEGER PRIMARY KEY);
WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < 39) INSERT INTO bench_k SELECT k FROM s;

-- ---------------------------------------------------------------- groups and their records

CREATE TEMP TABLE bench_grp0 AS
WITH RECURSIVE g(grp, start, size) AS (
  SELECT 0, 0, 5 + (abs(random()) % 1000) * (abs(random()) % 1000) * 32 / 1000000 WHERE (SELECT ents FROM bench_n) > 0
  UNION ALL
  SELECT grp + 1, start + size, 5 + (abs(random()) % 1000) * (abs(random()) % 1000) * 32 / 1000000
  FROM g WHERE start + size < (SELECT ents FROM bench_n))
SELECT grp, start, MIN(size, (SELECT ents FROM bench_n) - start) AS size FROM g;
-- A last group of fewer than five joins the one before it.
DELETE FROM bench_grp0 WHERE grp > 0 AND size < 5 AND grp = (SELECT MAX(grp) FROM bench_grp0);
UPDATE bench_grp0 SET size = (SELECT ents FROM bench_n) - start WHERE grp = (SELECT MAX(grp) FROM bench_grp0);

-- (Random draws are always stored in a table before they are used twice: a subquery may be evaluated again.)
CREATE TEMP TABLE bench_grp1 AS
SELECT grp, start, size, MAX(1, (45 * size + 99) / 100) AS np,
       -- when the group became known: a month to three years ago
       (SELECT now FROM bench_n) - 86400 * (30 + abs(random()) % 1066) AS t0,
       CASE WHEN abs(random()) % 10 < 6 THEN 1 + abs(random()) % 4 ELSE 0 END AS nkids
FROM bench_grp0;
CREATE TEMP TABLE bench_grp (grp INTEGER PRIMARY KEY, start INTEGER, size INTEGER, np INTEGER, t0 INTEGER,
                             nkids INTEGER, slot0 INTEGER);
INSERT INTO bench_grp SELECT grp, start, size, np, t0, nkids, SUM(nkids) OVER (ORDER BY grp) - nkids FROM bench_grp1;

-- One row per record: its group, its place in the group (the people first) and its type.
CREATE TEMP TABLE bench_ent0 AS
SELECT g.start + k.k AS n, g.grp, k.k,
       CASE WHEN k.k < g.np THEN 'person' WHEN k.k * 100 < 60 * g.size THEN 'vehicle'
            WHEN k.k * 100 < 80 * g.size THEN 'phone' WHEN k.k * 100 < 90 * g.size THEN 'location'
            ELSE 'online_account' END AS type,
       'en_' || lower(hex(randomblob(10))) AS id, abs(random()) AS r1, abs(random()) AS r2, abs(random()) AS r3
FROM bench_grp g JOIN bench_k k ON k.k < g.size;
CREATE TEMP TABLE bench_ent (n INTEGER PRIMARY KEY, grp INTEGER, k INTEGER, type TEXT, id TEXT, s INTEGER,
                             r1 INTEGER, r2 INTEGER, r3 INTEGER);
INSERT INTO bench_ent
SELECT n, grp, k, type, id, row_number() OVER (PARTITION BY type ORDER BY n) - 1, r1, r2, r3 FROM bench_ent0;
DROP TABLE bench_ent0;

-- ---------------------------------------------------------------- what they are called

-- Where people come from: the ONS 2021 and IC codes, three nationalities to draw from, and names.
CREATE TEMP TABLE bench_heritage (h INTEGER PRIMARY KEY, below INTEGER, self TEXT, observed TEXT, nat TEXT);
INSERT INTO bench_heritage VALUES (0, 40, 'W1', 'IC1', 'GB GB GB'), (1, 62, 'A4', 'IC4', 'GB GB PK'),
  (2, 74, 'W5', 'IC2', 'PL RO LT'), (3, 84, 'B2', 'IC3', 'GB JM GB'), (4, 92, 'O2', 'IC6', 'IQ IR GB'),
  (5, 100, 'M3', 'IC3', 'GB GB GB');
CREATE TEMP TABLE bench_name (h INTEGER, part TEXT, i INTEGER, name TEXT, PRIMARY KEY (h, part, i));
INSERT INTO bench_name VALUES
  (0,'f',0,'Jason'),(0,'f',1,'Stuart'),(0,'f',2,'Ryan'),(0,'f',3,'Mark'),(0,'f',4,'Scott'),(0,'f',5,'Neil'),(0,'f',6,'Paul'),(0,'f',7,'Liam'),
  (0,'l',0,'Ainsworth'),(0,'l',1,'Barraclough'),(0,'l',2,'Cawthorne'),(0,'l',3,'Dyson'),(0,'l',4,'Hepworth'),(0,'l',5,'Lockwood'),(0,'l',6,'Senior'),(0,'l',7,'Whiteley'),
  (1,'f',0,'Adeel'),(1,'f',1,'Bilal'),(1,'f',2,'Faisal'),(1,'f',3,'Haroon'),(1,'f',4,'Imtiaz'),(1,'f',5,'Mohsin'),(1,'f',6,'Rizwan'),(1,'f',7,'Usman'),
  (1,'l',0,'Akhtar'),(1,'l',1,'Butt'),(1,'l',2,'Chaudhry'),(1,'l',3,'Farooq'),(1,'l',4,'Hussain'),(1,'l',5,'Iqbal'),(1,'l',6,'Mahmood'),(1,'l',7,'Yousaf'),
  (2,'f',0,'Andrei'),(2,'f',1,'Bogdan'),(2,'f',2,'Darius'),(2,'f',3,'Grzegorz'),(2,'f',4,'Jonas'),(2,'f',5,'Kamil'),(2,'f',6,'Mihai'),(2,'f',7,'Rafal'),
  (2,'l',0,'Kowalski'),(2,'l',1,'Nowicki'),(2,'l',2,'Popescu'),(2,'l',3,'Kazlauskas'),(2,'l',4,'Lewandowski'),(2,'l',5,'Georgescu'),(2,'l',6,'Zielinski'),(2,'l',7,'Balan'),
  (3,'f',0,'Andre'),(3,'f',1,'Dwayne'),(3,'f',2,'Garfield'),(3,'f',3,'Lloyd'),(3,'f',4,'Nathan'),(3,'f',5,'Roy'),(3,'f',6,'Tyrone'),(3,'f',7,'Wesley'),
  (3,'l',0,'Bailey'),(3,'l',1,'Brown'),(3,'l',2,'Francis'),(3,'l',3,'Grant'),(3,'l',4,'McKenzie'),(3,'l',5,'Powell'),(3,'l',6,'Samuels'),(3,'l',7,'Thomas'),
  (4,'f',0,'Aram'),(4,'f',1,'Bakhtiar'),(4,'f',2,'Diyar'),(4,'f',3,'Hemin'),(4,'f',4,'Kawa'),(4,'f',5,'Rawand'),(4,'f',6,'Shwan'),(4,'f',7,'Zana'),
  (4,'l',0,'Abdullah'),(4,'l',1,'Aziz'),(4,'l',2,'Hamad'),(4,'l',3,'Hassan'),(4,'l',4,'Ismail'),(4,'l',5,'Omar'),(4,'l',6,'Rashid'),(4,'l',7,'Sharif'),
  (5,'f',0,'Callum'),(5,'f',1,'Devon'),(5,'f',2,'Jordan'),(5,'f',3,'Kyle'),(5,'f',4,'Marcus'),(5,'f',5,'Nico'),(5,'f',6,'Rhys'),(5,'f',7,'Troy'),
  (5,'l',0,'Ashworth'),(5,'l',1,'Birch'),(5,'l',2,'Clarke'),(5,'l',3,'Drake'),(5,'l',4,'Fletcher'),(5,'l',5,'Greaves'),(5,'l',6,'Holt'),(5,'l',7,'Walsh'),
  (9,'f',0,'Amanda'),(9,'f',1,'Claire'),(9,'f',2,'Dawn'),(9,'f',3,'Gemma'),(9,'f',4,'Nasreen'),(9,'f',5,'Karolina'),(9,'f',6,'Sharon'),(9,'f',7,'Leanne');
CREATE TEMP TABLE bench_word (i INTEGER PRIMARY KEY, w TEXT);
INSERT INTO bench_word VALUES (0,'Golden'),(1,'Royal'),(2,'Star'),(3,'Station'),(4,'Victoria'),(5,'Albion'),(6,'Mill'),
  (7,'Canal'),(8,'Bridge'),(9,'Market'),(10,'Kings'),(11,'Northgate'),(12,'Westfield'),(13,'Hillside'),(14,'Riverside'),
  (15,'Crown');
-- A place's kind (by share in a thousand) and the end of its name.
CREATE TEMP TABLE bench_kind (kind TEXT, below INTEGER, a TEXT, b TEXT);
INSERT INTO bench_kind VALUES ('takeaway', 250, 'Pizza', 'Grill'), ('hotel', 350, 'Hotel', 'Lodge'),
  ('taxi_firm', 430, 'Private Hire', 'Cars'), ('park', 530, 'Park', 'Recreation Ground'),
  ('shop', 630, 'Mini Market', 'Vape Shop'), ('car_park', 730, 'Road car park', 'Retail Park car park'),
  ('home', 880, 'Street', 'Court'), ('school_vicinity', 920, 'Academy (outside the gates)', 'High School bus stop'),
  ('licensed_premises', 980, 'Arms', 'Tavern'), ('other', 1000, 'Snooker Club', 'Amusements');
-- Ofcom's numbers for drama, a thousand in each range.
CREATE TEMP TABLE bench_tel (i INTEGER PRIMARY KEY, prefix TEXT);
INSERT INTO bench_tel VALUES (0,'01134960'),(1,'01144960'),(2,'01154960'),(3,'01164960'),(4,'01174960'),(5,'01184960'),
  (6,'01214960'),(7,'01314960'),(8,'01414960'),(9,'01514960'),(10,'01614960'),(11,'01914980'),(12,'02079460'),
  (13,'02896496'),(14,'02920180'),(15,'01632960'),(16,'03069990');
CREATE TEMP TABLE bench_car (i INTEGER PRIMARY KEY, make TEXT, model TEXT);
INSERT INTO bench_car VALUES (0,'Vauxhall','Corsa'),(1,'Ford','Fiesta'),(2,'BMW','1 Series'),(3,'Volkswagen','Passat'),
  (4,'Toyota','Prius'),(5,'Audi','A4'),(6,'Skoda','Superb'),(7,'Mercedes-Benz','E-Class'),(8,'Nissan','Qashqai'),
  (9,'Seat','Leon');
CREATE TEMP TABLE bench_platform (i INTEGER PRIMARY KEY, p TEXT);
INSERT INTO bench_platform VALUES (0,'snapchat'),(1,'snapchat'),(2,'instagram'),(3,'whatsapp'),(4,'tiktok'),(5,'telegram');

-- The registration letters: a bijection of the vehicle's number onto 25 x 26 x 26^3 plates.
CREATE TEMP TABLE bench_veh AS
SELECT n, (s * 7919 + 104729) % 11424400 AS v FROM bench_ent WHERE type = 'vehicle';

-- The records as they are stored: label, key, attributes and the columns copied out of them.
CREATE TEMP TABLE bench_rec AS
SELECT e.n, e.id, e.type, e.grp,
  CASE e.type
    WHEN 'person' THEN CASE WHEN e.r3 % 20 = 0 THEN pp.description
                            ELSE fn.name || ' ' || ln.name END
    WHEN 'vehicle' THEN car.make || ' ' || car.model || ' ' || substr(v.reg, 1, 4) || ' ' || substr(v.reg, 5)
    WHEN 'phone' THEN t.number
    WHEN 'location' THEN p.name || ', ' || p.postcode
    ELSE a.handle || ' (' || a.platform || ')' END AS label,
  CASE e.type WHEN 'vehicle' THEN 'VRM:' || v.reg WHEN 'phone' THEN 'TEL:' || t.number
    WHEN 'location' THEN 'LOC:' || replace(p.postcode, ' ', '') || ':' || p.fold
    WHEN 'online_account' THEN 'ACC:' || a.platform || ':' || a.handle END AS key,
  CASE e.type
    WHEN 'person' THEN json_patch('{}', json_object(
      'first_name', CASE WHEN e.r3 % 20 <> 0 THEN fn.name END, 'last_name', CASE WHEN e.r3 % 20 <> 0 THEN ln.name END,
      'description', CASE WHEN e.r3 % 20 = 0 THEN pp.description END,
      'aliases', CASE WHEN e.r2 % 4 = 0 THEN json_array(CASE e.r2 % 12 WHEN 0 THEN 'Taz' WHEN 4 THEN 'Big Man' ELSE 'Boss' END) END,
      'gender', pp.gender, 'approximate_age', 18 + (e.r2 / 640) % 40,
      'ethnicity_self', pp.self, 'ethnicity_observed', pp.observed, 'nationality', pp.nat,
      'postcode', CASE WHEN e.r1 % 2 = 0 THEN 'HF' || (10 + e.r1 % 90) || ' ' || ((e.r1 / 90) % 10) || char(65 + (e.r1 / 900) % 26, 65 + (e.r1 / 23400) % 26) END))
    WHEN 'vehicle' THEN json_object('registration', v.reg, 'make', car.make, 'model', car.model,
      'colour', CASE e.r2 % 6 WHEN 0 THEN 'Silver' WHEN 1 THEN 'Black' WHEN 2 THEN 'White' WHEN 3 THEN 'Grey' WHEN 4 THEN 'Blue' ELSE 'Red' END)
    WHEN 'phone' THEN json_object('number', t.number)
    WHEN 'location' THEN json_object('name', p.name, 'kind', p.kind, 'address', p.address, 'postcode', p.postcode)
    ELSE json_object('platform', a.platform, 'handle', a.handle) END AS attrs,
  pp.self, pp.observed, pp.nat, p.kind AS location_kind
FROM bench_ent e
LEFT JOIN (SELECT e2.n,
             CASE WHEN (e2.r2 / 64) % 10 = 0 THEN 'female' ELSE 'male' END AS gender,
             CASE WHEN (e2.r2 / 64) % 10 = 0 THEN 'Woman' ELSE 'Man' END || ', about ' || (18 + (e2.r2 / 640) % 40)
               || CASE e2.r1 % 3 WHEN 0 THEN ', slim build, short dark hair' WHEN 1 THEN ', heavy build, shaved head'
                                 ELSE ', tall, beard, local accent' END AS description,
             CASE WHEN (e2.r3 / 20) % 100 < 45 THEN 'not_known' ELSE h.self END AS self,
             CASE WHEN (e2.r3 / 2000) % 100 < 15 THEN 'not_known' ELSE h.observed END AS observed,
             CASE WHEN (e2.r3 / 200000) % 100 < 30 THEN 'not_known' ELSE substr(h.nat, 1 + 3 * ((e2.r1 / 100) % 3), 2) END AS nat,
             h.h
           FROM bench_ent e2 JOIN bench_heritage h
             ON h.h = (SELECT MIN(h2.h) FROM bench_heritage h2 WHERE e2.r1 % 100 < h2.below)
           WHERE e2.type = 'person') pp ON pp.n = e.n
LEFT JOIN bench_name fn ON e.type = 'person' AND fn.part = 'f' AND fn.h = CASE WHEN pp.gender = 'female' THEN 9 ELSE pp.h END
                       AND fn.i = e.r2 % 8
LEFT JOIN bench_name ln ON e.type = 'person' AND ln.part = 'l' AND ln.h = pp.h AND ln.i = (e.r2 / 8) % 8
LEFT JOIN (SELECT b.n, substr('ABCDEFGIJKLMNOPQRSTUVWXYZ', 1 + b.v / 456976, 1) || char(65 + (b.v / 17576) % 26)
                       || '00' || char(65 + (b.v / 676) % 26, 65 + (b.v / 26) % 26, 65 + b.v % 26) AS reg
           FROM bench_veh b) v ON v.n = e.n
LEFT JOIN bench_car car ON e.type = 'vehicle' AND car.i = e.r1 % 10
LEFT JOIN (SELECT e3.n, CASE WHEN e3.s < 17000 THEN tp.prefix || printf('%03d', e3.s % 1000)
                             ELSE '+999' || printf('%08d', e3.s) END AS number
           FROM bench_ent e3 JOIN bench_tel tp ON tp.i = (e3.s / 1000) % 17 WHERE e3.type = 'phone') t ON t.n = e.n
LEFT JOIN (SELECT q.n, q.kind, q.name, q.postcode, q.address,
                  lower(replace(replace(replace(replace(q.name, ' ', ''), '(', ''), ')', ''), ',', '')) AS fold
           FROM (SELECT e4.n, k.kind,
                        CASE k.kind WHEN 'home' THEN (1 + e4.r2 % 90) || ' ' || w.w || ' ' || CASE WHEN e4.r2 % 2 = 0 THEN k.a ELSE k.b END
                                    WHEN 'licensed_premises' THEN 'The ' || w.w || ' ' || CASE WHEN e4.r2 % 2 = 0 THEN k.a ELSE k.b END
                                    ELSE w.w || ' ' || CASE WHEN e4.r2 % 2 = 0 THEN k.a ELSE k.b END END AS name,
                        'HF' || (10 + e4.s % 90) || ' ' || ((e4.s / 90) % 10) || char(65 + (e4.s / 900) % 26, 65 + (e4.s / 23400) % 26) AS postcode,
                        (1 + e4.r3 % 200) || ' ' || w.w || ' Road, Holmford' AS address
                 FROM bench_ent e4
                 JOIN bench_kind k ON k.kind = (SELECT k2.kind FROM bench_kind k2 WHERE e4.r1 % 1000 < k2.below ORDER BY k2.below LIMIT 1)
                 JOIN bench_word w ON w.i = (e4.r1 / 1000) % 16
                 WHERE e4.type = 'location') q) p ON p.n = e.n
LEFT JOIN (SELECT e5.n, pl.p AS platform, lower(w.w) || '.' || e5.s AS handle
           FROM bench_ent e5 JOIN bench_platform pl ON pl.i = e5.r1 % 6 JOIN bench_word w ON w.i = (e5.r1 / 6) % 16
           WHERE e5.type = 'online_account') a ON a.n = e.n;

CREATE INDEX bench_rec_n ON bench_rec(n);

-- ---------------------------------------------------------------- the children linked

-- Children who may be linked: those at medium or high risk first, then the rest, in a random order.
CREATE TEMP TABLE bench_kids (n INTEGER PRIMARY KEY, id TEXT NOT NULL);
INSERT INTO bench_kids
SELECT row_number() OVER (ORDER BY at_risk DESC, r) - 1, id
FROM (SELECT c.id, EXISTS (SELECT 1 FROM risk_assessments a WHERE a.child_id = c.id AND a.is_current = 1
                                  AND a.final_level IN ('medium', 'high')) AS at_risk, random() AS r
      FROM children c WHERE c.merged_into IS NULL);
-- The groups' places for children; one in ten takes a child another group also has.
CREATE TEMP TABLE bench_slot (slot INTEGER PRIMARY KEY, grp INTEGER, kid TEXT);
CREATE TEMP TABLE bench_slot0 AS
SELECT g.slot0 + k.k AS slot, g.grp, abs(random()) AS r FROM bench_grp g JOIN bench_k k ON k.k < g.nkids;
INSERT INTO bench_slot
SELECT slot, grp,
       (SELECT id FROM bench_kids WHERE n = (CASE WHEN r % 10 = 0 THEN (r / 10) % MAX(1, slot) ELSE slot END)
                                            % MAX(1, (SELECT COUNT(*) FROM bench_kids)))
FROM bench_slot0;
DELETE FROM bench_slot WHERE kid IS NULL;

-- ---------------------------------------------------------------- the links

-- How many of each: about 6% to children, 2% between groups, the rest within groups (first the tree
-- that joins every record of a group, then random pairs).
CREATE TEMP TABLE bench_plan AS
SELECT links * 6 / 100 AS to_kids, links * 2 / 100 AS between_groups,
       MAX(0, links - links * 6 / 100 - links * 2 / 100 - (ents - (SELECT COUNT(*) FROM bench_grp))) AS extra,
       (SELECT COUNT(*) FROM bench_grp) AS groups, (SELECT COUNT(*) FROM bench_slot) AS slots
FROM bench_n;
CREATE TEMP TABLE bench_seq (i INTEGER PRIMARY KEY);
WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s
                        WHERE i + 1 < (SELECT MAX(extra, to_kids, between_groups) FROM bench_plan))
INSERT INTO bench_seq SELECT i FROM s;

-- (grp, from record number, to record number or child id, r) for each link.
CREATE TEMP TABLE bench_l0 (grp INTEGER, f INTEGER, t INTEGER, kid TEXT, r INTEGER);
-- the tree: each person to an earlier person, each thing to a person
INSERT INTO bench_l0
SELECT e.grp, g.start + CASE WHEN e.k < g.np THEN e.r3 % e.k ELSE e.r3 % g.np END, e.n, NULL, abs(random())
FROM bench_ent e JOIN bench_grp g ON g.grp = e.grp WHERE e.k > 0;
-- random pairs within a group: a person and any other record of it (groups drawn by size)
CREATE TEMP TABLE bench_x AS
SELECT i, abs(random()) % (SELECT MAX(1, ents) FROM bench_n) AS pick, abs(random()) AS a, abs(random()) AS b,
       abs(random()) AS c
FROM bench_seq;
INSERT INTO bench_l0
SELECT g.grp, g.start + x.a % g.np,
       g.start + CASE WHEN x.b % g.size = x.a % g.np THEN (x.a % g.np + 1) % g.size ELSE x.b % g.size END, NULL, x.c
FROM bench_x x JOIN bench_ent e ON e.n = x.pick JOIN bench_grp g ON g.grp = e.grp
WHERE x.i < (SELECT extra FROM bench_plan) AND g.size > 1;
-- between groups: a person of one to a person of another
DELETE FROM bench_x;
INSERT INTO bench_x SELECT i, abs(random()) % (SELECT MAX(1, ents) FROM bench_n), abs(random()), abs(random()), abs(random())
FROM bench_seq;
INSERT INTO bench_l0
SELECT g.grp, g.start + x.a % g.np, h.start + x.b % h.np, NULL, x.c / 2
FROM bench_x x JOIN bench_ent e ON e.n = x.pick JOIN bench_grp g ON g.grp = e.grp
JOIN bench_grp h ON h.grp = (g.grp + 1 + x.c % MAX(1, (SELECT groups FROM bench_plan) - 1)) % (SELECT groups FROM bench_plan)
WHERE x.i < (SELECT between_groups FROM bench_plan) AND (SELECT groups FROM bench_plan) > 1;
-- to children: every place for a child taken in turn, from a person of the group (or, one time in five, any
-- of its records: the car that took the child, the phone that called them, the place they were seen at)
DELETE FROM bench_x;
INSERT INTO bench_x SELECT i, 0, abs(random()), abs(random()), 0 FROM bench_seq;
INSERT INTO bench_l0
SELECT s.grp, g.start + CASE WHEN x.a % 5 = 0 THEN x.b % g.size ELSE x.b % g.np END, NULL, s.kid, x.a
FROM bench_x x
JOIN bench_slot s ON s.slot = x.i % (SELECT MAX(1, slots) FROM bench_plan)
JOIN bench_grp g ON g.grp = s.grp
WHERE x.i < (SELECT to_kids FROM bench_plan);

-- Each link with its ends, relation and item: links cut into items within a group, about four to an item.
CREATE TEMP TABLE bench_l1 AS
SELECT l.grp, l.r, f.id AS from_id, f.type AS ftype, COALESCE(t.id, l.kid) AS to_id, COALESCE(t.type, 'child') AS ttype,
       row_number() OVER (PARTITION BY l.grp ORDER BY l.r) = 1 OR l.r % 4 = 0 AS brk
FROM bench_l0 l JOIN bench_rec f ON f.n = l.f LEFT JOIN bench_rec t ON t.n = l.t;
CREATE TEMP TABLE bench_link AS
SELECT grp, r, ftype, ttype, from_id, to_id, SUM(brk) OVER (ORDER BY grp, r ROWS UNBOUNDED PRECEDING) AS item FROM bench_l1;
DROP TABLE bench_l1;

-- ---------------------------------------------------------------- the items

CREATE TEMP TABLE bench_item (item INTEGER PRIMARY KEY, id TEXT, grp INTEGER, who INTEGER, recorded_at INTEGER,
                              occurred_at INTEGER, r1 INTEGER, r2 INTEGER, r3 INTEGER);
CREATE TEMP TABLE bench_item0 AS
SELECT b.item, b.grp, g.t0 + abs(random()) % MAX(1, (SELECT now FROM bench_n) - g.t0) AS at,
       abs(random()) AS r1, abs(random()) AS r2, abs(random()) AS r3
FROM (SELECT item, MIN(grp) AS grp FROM bench_link GROUP BY item) b JOIN bench_grp g ON g.grp = b.grp;
INSERT INTO bench_item
SELECT x.item, 'in_' || lower(hex(randomblob(10))), x.grp,
       CASE WHEN x.r1 % 20 < 9 THEN 0 WHEN x.r1 % 20 < 13 THEN 1 WHEN x.r1 % 20 < 17 THEN 2 ELSE 3 END,
       x.at, CASE WHEN x.r2 % 10 = 0 THEN NULL ELSE ((x.at - 86400 * (x.r2 / 10 % 60)) / 86400) * 86400 END,
       x.r1, x.r2, x.r3
FROM bench_item0 x;

-- Grading: 3x5x2 mostly (source 1 35%, 2 55%, 3 10%; A 15%, B 35%, C 35%, D 12%, E 3%; P 85%, C 15%),
-- 5x5x5 for 4% (older records; handling 4 and 5 carry conditions).
CREATE TEMP TABLE bench_grade AS
SELECT item, scheme, src, intel, hand,
       CASE WHEN scheme = '3x5x2' AND hand = 'C' OR scheme = '5x5x5' AND hand IN ('4', '5') THEN
         CASE r3 % 3 WHEN 0 THEN 'Not to be disclosed outside the MASH and children''s social care without the agreement of the police intelligence unit.'
                     WHEN 1 THEN 'The source must not be identifiable: do not share the time or place of the sighting with the family.'
                     ELSE 'For safeguarding use only; not to be used in evidence without the originating officer''s agreement.' END END AS conditions
FROM (SELECT item, r3, CASE WHEN r1 / 20 % 100 < 4 THEN '5x5x5' ELSE '3x5x2' END AS scheme,
             CASE WHEN r1 / 20 % 100 < 4 THEN substr('ABCDE', 1 + r2 % 5, 1)
                  WHEN r2 % 100 < 35 THEN '1' WHEN r2 % 100 < 90 THEN '2' ELSE '3' END AS src,
             CASE WHEN r1 / 20 % 100 < 4 THEN substr('12345', 1 + r2 / 100 % 5, 1)
                  WHEN r2 / 100 % 100 < 15 THEN 'A' WHEN r2 / 100 % 100 < 50 THEN 'B' WHEN r2 / 100 % 100 < 85 THEN 'C'
                  WHEN r2 / 100 % 100 < 97 THEN 'D' ELSE 'E' END AS intel,
             CASE WHEN r1 / 20 % 100 < 4 THEN substr('12345', 1 + r3 / 3 % 5, 1)
                  WHEN r3 / 3 % 100 < 85 THEN 'P' ELSE 'C' END AS hand
      FROM bench_item);

INSERT INTO intelligence (id, summary, grading, source_evaluation, intelligence_assessment, handling_code,
                          handling_conditions, occurred_at, recorded_at, recorded_by, agency_id)
SELECT i.id,
       CASE i.r3 / 7 % 8
         WHEN 0 THEN 'Officers on patrol saw these adults together on several evenings, sitting in parked cars and moving between addresses.'
         WHEN 1 THEN 'A youth worker was told that older men collect girls from outside the takeaway after it closes and drive them to a flat.'
         WHEN 2 THEN 'A school reported that a pupil has a new phone and expensive clothes and is picked up by a car after school.'
         WHEN 3 THEN 'Call data shows repeated late-night contact between these numbers over the last month.'
         WHEN 4 THEN 'Hotel staff reported adults booking rooms for one night, paying cash, with teenagers seen in the corridor.'
         WHEN 5 THEN 'A parent reported messages to their child from this account offering lifts, cigarettes and alcohol.'
         WHEN 6 THEN 'The vehicle was stopped late at night with two children in the back; the driver gave no good reason.'
         ELSE 'A taxi driver reported regularly taking teenagers to this address late at night, paid for by an adult.' END,
       g.scheme, g.src, g.intel, g.hand, g.conditions, i.occurred_at, i.recorded_at, w.id, w.agency_id
FROM bench_item i JOIN bench_grade g ON g.item = i.item JOIN bench_who w ON w.n = i.who;

INSERT INTO intel_links (id, intelligence_id, position, from_id, to_id, relation, recorded_at)
SELECT 'lk_' || lower(hex(randomblob(10))), i.id, row_number() OVER (PARTITION BY l.item ORDER BY l.r) - 1,
       -- a child is seen at a place; everything else reads from the person (or thing) to what it relates to
       CASE WHEN l.ftype = 'location' AND l.ttype = 'child' THEN l.to_id ELSE l.from_id END,
       CASE WHEN l.ftype = 'location' AND l.ttype = 'child' THEN l.from_id ELSE l.to_id END,
       CASE l.ttype
         WHEN 'person' THEN CASE WHEN l.r % 100 < 70 THEN 'associates_with' WHEN l.r % 100 < 85 THEN 'family_of' ELSE 'contacted' END
         WHEN 'vehicle' THEN CASE WHEN l.r % 10 < 7 THEN 'drives' ELSE 'owns' END
         WHEN 'phone' THEN 'uses'
         WHEN 'online_account' THEN 'uses'
         WHEN 'location' THEN CASE WHEN l.r % 100 < 40 THEN 'frequents' WHEN l.r % 100 < 70 THEN 'seen_at'
                                   WHEN l.r % 100 < 85 THEN 'lives_at' ELSE 'works_at' END
         ELSE CASE l.ftype
           WHEN 'vehicle' THEN 'transported' WHEN 'phone' THEN 'contacted' WHEN 'online_account' THEN 'contacted'
           WHEN 'location' THEN 'seen_at'
           ELSE CASE WHEN l.r % 100 < 30 THEN 'suspected_of_exploiting' WHEN l.r % 100 < 50 THEN 'gave_gifts_to'
                     WHEN l.r % 100 < 65 THEN 'transported' WHEN l.r % 100 < 80 THEN 'supplied_drugs_or_alcohol_to'
                     WHEN l.r % 100 < 90 THEN 'contacted' ELSE 'associates_with' END END END,
       i.recorded_at
FROM bench_link l JOIN bench_item i ON i.item = l.item
WHERE l.from_id <> l.to_id;

-- Each record is recorded when its group became known, by one of the recorders.
INSERT INTO entities (id, type, label, label_key, key, attrs, ethnicity_self, ethnicity_observed, nationality,
                      location_kind, created_at, created_by, agency_id)
SELECT r.id, r.type, r.label,
       lower(replace(replace(replace(replace(replace(replace(replace(r.label, ' ', ''), ',', ''), '(', ''), ')', ''),
                                     '.', ''), '_', ''), '-', '')),
       r.key, r.attrs, r.self, r.observed, r.nat, r.location_kind, g.t0 - 86400 * (r.n % 7), w.id, w.agency_id
FROM bench_rec r JOIN bench_grp g ON g.grp = r.grp JOIN bench_who w ON w.n = r.n % 4;

-- What recording does for each child linked: the recorder's agency involved, and the chronology entry.
CREATE TEMP TABLE bench_kid_item AS
SELECT DISTINCT l.to_id AS child_id, i.id AS item_id, i.recorded_at, w.id AS who, w.agency_id,
       'Intelligence recorded, graded '
         || g.src || g.intel || ' ' || g.hand
         || CASE WHEN g.conditions IS NOT NULL THEN ' (handling conditions apply)' ELSE '' END AS line
FROM bench_link l JOIN bench_item i ON i.item = l.item JOIN bench_grade g ON g.item = l.item JOIN bench_who w ON w.n = i.who
WHERE l.ttype = 'child';
INSERT OR IGNORE INTO child_involvement (child_id, agency_id, reason, since)
SELECT child_id, agency_id, 'recorded intelligence about the child', MIN(recorded_at) FROM bench_kid_item
GROUP BY child_id, agency_id;
INSERT INTO chronology (id, child_id, at, type, agency_id, summary, ref_type, ref_id, recorded_by, recorded_at, seq)
SELECT 'cv_' || lower(hex(randomblob(10))), k.child_id, k.recorded_at, 'intelligence', k.agency_id, k.line,
       'intelligence', k.item_id, k.who, k.recorded_at,
       (SELECT COALESCE(MAX(c.seq), 0) FROM chronology c WHERE c.child_id = k.child_id)
         + row_number() OVER (PARTITION BY k.child_id ORDER BY k.recorded_at, k.item_id)
FROM bench_kid_item k;
