-- bench/frontdoor-data.sql: the front door's workload for bench/section-frontdoor.sh, added to a demo
-- borough (safehub demo) in the installed schema.  The section puts a temporary table first:
--
--   CREATE TEMP TABLE bench (now INTEGER, referrals INTEGER, open_items INTEGER);
--
-- and this adds:
--   * a service's staff below the demo's users: three team managers under the head of service
--     ("manager", who reports to the director), eight workers in each team (social workers and
--     CSE workers) and six more MASH workers (password hashes copied: nobody signs in as them);
--   * bench.referrals open referrals made in the last days, at every open stage (received,
--     triaged, awaiting a manager's sign-off, challenged), on real children, from the demo's
--     referrers, with the deadlines each stage has open (rating, MASH checks, decision, sign-off,
--     answer to a challenge) in the MASH queue or owned by MASH workers and managers;
--   * reviews of CSE risk assessments on real children, owned by the workers (a few still
--     unallocated), until bench.open_items deadlines are open in all.
-- A realistic share is overdue: referrals received more than a working day ago, sign-offs and
-- answers past their time, and about one risk review in eight (up to three weeks late).

-- ---------------------------------------------------------------- staff
CREATE TEMP TABLE bench_staff AS
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 3)
SELECT 'us_' || lower(hex(randomblob(10))) AS id, 'team.manager' || n AS username, 'Team Manager ' || n AS name,
       'HFCSC' AS agency, 'manager' AS role, 'manager' AS manager, 'Team ' || n AS team, n AS k
FROM k;
INSERT INTO bench_staff
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 24)
SELECT 'us_' || lower(hex(randomblob(10))), 'worker' || n, 'Worker ' || n,
       CASE WHEN n % 4 = 0 THEN 'HFYPP' ELSE 'HFCSC' END,
       CASE WHEN n % 4 = 0 THEN 'cse_worker' ELSE 'social_worker' END,
       'team.manager' || ((n - 1) % 3 + 1), 'Team ' || ((n - 1) % 3 + 1), 100 + n
FROM k;
INSERT INTO bench_staff
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 6)
SELECT 'us_' || lower(hex(randomblob(10))), 'mash' || n, 'MASH Worker ' || n, 'HFCSC', 'mash', 'manager', 'MASH', 200 + n
FROM k;

INSERT INTO users (id, username, name, email, agency_id, role, manager_id, password_hash, created_at, updated_at, team)
SELECT s.id, s.username, s.name, NULL, (SELECT id FROM agencies WHERE code = s.agency), s.role,
       COALESCE((SELECT id FROM bench_staff m WHERE m.username = s.manager),
                (SELECT id FROM users u WHERE u.username = s.manager)),
       (SELECT password_hash FROM users WHERE username = 'social.worker'), b.now - 86400 * 400, b.now - 86400 * 400,
       s.team
FROM bench_staff s, bench b ORDER BY s.k;

-- Numbered lists to pick from.
CREATE TEMP TABLE bench_kids (n INTEGER PRIMARY KEY, id TEXT NOT NULL);
INSERT INTO bench_kids SELECT row_number() OVER (ORDER BY id), id FROM children;
CREATE TEMP TABLE bench_mash AS
SELECT row_number() OVER (ORDER BY username) - 1 AS n, id FROM users WHERE role = 'mash';
CREATE TEMP TABLE bench_workers AS
SELECT row_number() OVER (ORDER BY username) - 1 AS n, id FROM users WHERE role IN ('social_worker', 'cse_worker');
CREATE TEMP TABLE bench_referrers AS
SELECT row_number() OVER (ORDER BY username) - 1 AS n, id, agency_id FROM users
WHERE username IN ('teacher', 'nurse', 'police', 'social.worker', 'cse.worker');
CREATE TEMP TABLE bench_concerns (n INTEGER, concern TEXT, words TEXT, indicators TEXT);
INSERT INTO bench_concerns VALUES
 (0, 'Seen several times getting into a car with an older man outside the school gates after lessons.',
  'He''s my boyfriend. He looks after me and buys me stuff.', '["S02","M01"]'),
 (1, 'Has a new expensive phone and designer clothes the family cannot explain, and is secretive about messages.',
  NULL, '["M02","M05"]'),
 (2, 'Missing overnight twice this month; came back tired and would not say where she had been.',
  'I only go round to my mate''s. Nobody makes me do anything.', '["S01"]'),
 (3, 'Attendance has dropped sharply; friends say he is running errands for older lads for money.', NULL, '[]'),
 (4, 'Disclosed to a youth worker that an older boyfriend asks her to meet his friends.',
  'They said I owe them now, for the phone.', '["S04","V05"]'),
 (5, 'Self-harming, withdrawn, and has been seen being dropped off by taxis late at night.', NULL, '["V08","M09"]');

-- ---------------------------------------------------------------- open referrals
-- st: the stage (0-34 received, 35-74 triaged, 75-86 awaiting sign-off, 87-99 challenged).
-- (random() is drawn once per row into a table: a CTE may be evaluated again at each use.)
CREATE TEMP TABLE bench_raw AS
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < (SELECT referrals FROM bench))
SELECT n, abs(random()) % 100 AS st, abs(random()) AS r1, abs(random()) AS r2 FROM k;
CREATE TEMP TABLE bench_ref AS
SELECT n, st, r1, r2,
       'rf_' || lower(hex(randomblob(10))) AS id,
       'R-2026-' || printf('%06d', 500000 + n) AS reference,
       CASE WHEN st < 35 THEN 'received' WHEN st < 75 THEN 'triaged' WHEN st < 87 THEN 'awaiting_signoff'
            ELSE 'challenged' END AS status,
       -- received within the last 36 hours while still being rated or decided; decided ones are older
       (SELECT now FROM bench) - 600 - CASE WHEN st < 75 THEN r1 % 129600 ELSE 86400 + r1 % 345600 END AS received_at,
       CASE r2 % 5 WHEN 0 THEN 'red' WHEN 1 THEN 'amber' WHEN 2 THEN 'amber' ELSE 'green' END AS rag
FROM bench_raw;

INSERT INTO referrals (id, reference, child_id, child_details, agency_id, referrer_id, concern, childs_words, indicators,
                       immediate_danger, status, rag, rag_reason, triaged_at, triaged_by, assigned_to, received_at,
                       due_at, decided_at, decided_by, outcome, rationale, decision_round, signoff_needed,
                       challenge_round, challenge_reason, challenged_at, challenged_by, is_open, next_due_at,
                       updated_at, version)
SELECT f.id, f.reference,
       (SELECT id FROM bench_kids WHERE n = 1 + (f.r1 / 7) % (SELECT COUNT(*) FROM bench_kids)),
       NULL, rr.agency_id, rr.id, c.concern, c.words, c.indicators,
       CASE WHEN f.r2 % 97 = 0 THEN 1 ELSE 0 END, f.status,
       CASE WHEN f.status = 'received' THEN NULL ELSE f.rag END,
       CASE WHEN f.status = 'received' THEN NULL ELSE 'Rated on the information in the referral and agency checks.' END,
       CASE WHEN f.status = 'received' THEN NULL ELSE f.received_at + 3600 END,
       CASE WHEN f.status = 'received' THEN NULL ELSE m.id END,
       CASE WHEN f.status = 'received' OR (f.status = 'triaged' AND f.r2 % 10 < 4) THEN NULL ELSE m.id END,
       f.received_at, f.received_at + 86400,
       CASE WHEN f.st >= 75 THEN f.received_at + 20000 END,
       CASE WHEN f.st >= 75 THEN m.id END,
       CASE WHEN f.status = 'awaiting_signoff' THEN 'no_further_action' WHEN f.status = 'challenged' THEN 'advice' END,
       CASE WHEN f.st >= 75 THEN 'Checks show no previous involvement and a protective family.' END,
       1, CASE WHEN f.status = 'awaiting_signoff' THEN 1 ELSE 0 END,
       CASE WHEN f.status = 'challenged' THEN 1 ELSE 0 END,
       CASE WHEN f.status = 'challenged' THEN 'We have seen more since we referred: the same car was outside school again today.' END,
       CASE WHEN f.status = 'challenged' THEN f.received_at + 60000 END,
       CASE WHEN f.status = 'challenged' THEN rr.id END,
       1, 0, f.received_at + 3600, 1
FROM bench_ref f
JOIN bench_referrers rr ON rr.n = f.r2 % (SELECT COUNT(*) FROM bench_referrers)
JOIN bench_concerns c ON c.n = f.r1 % 6
JOIN bench_mash m ON m.n = (f.r1 / 3) % (SELECT COUNT(*) FROM bench_mash);

-- Their open deadlines: what each stage is waiting for.
INSERT INTO deadlines (id, item_type, item_id, kind, child_id, title, link, owner_id, due_at, created_at, level)
SELECT 'dl_' || lower(hex(randomblob(10))), 'referral', r.id, k.kind, r.child_id,
       'Referral ' || r.reference || ': ' || CASE WHEN k.kind = 'mash_checks' THEN k.what || ' (' || r.rag || ')' ELSE k.what END,
       '/referrals/' || r.id,
       CASE WHEN k.slot IN (3, 4) THEN (SELECT id FROM users WHERE username = 'manager') ELSE r.assigned_to END,
       CASE k.slot WHEN 0 THEN r.received_at + 14400
                   WHEN 1 THEN r.received_at + 86400
                   WHEN 2 THEN r.triaged_at + CASE r.rag WHEN 'red' THEN 14400 WHEN 'amber' THEN 86400 ELSE 259200 END
                   WHEN 3 THEN r.decided_at + 14400 + f.r2 % 172800
                   ELSE r.challenged_at + 432000 END,
       r.received_at, 0
FROM referrals r
JOIN bench_ref f ON f.id = r.id
JOIN (SELECT 'received' AS status, 'triage' AS kind, 'rating (triage)' AS what, 0 AS slot
      UNION ALL SELECT 'received', 'decision', 'decision', 1
      UNION ALL SELECT 'triaged', 'mash_checks', 'MASH checks', 2
      UNION ALL SELECT 'triaged', 'decision', 'decision', 1
      UNION ALL SELECT 'awaiting_signoff', 'signoff', 'manager''s sign-off of no further action', 3
      UNION ALL SELECT 'challenged', 'challenge', 'answer to the referrer''s challenge', 4) k ON k.status = r.status;

-- The MASH queue is ordered by each referral's soonest open deadline.
UPDATE referrals SET next_due_at = (SELECT MIN(d.due_at) FROM deadlines d WHERE d.item_type = 'referral'
                                    AND d.item_id = referrals.id AND d.met_at IS NULL)
WHERE id IN (SELECT id FROM bench_ref);

-- ---------------------------------------------------------------- risk reviews, up to the total
CREATE TEMP TABLE bench_need AS
SELECT MAX(0, (SELECT open_items FROM bench) - (SELECT COUNT(*) FROM deadlines WHERE met_at IS NULL)) AS n;
CREATE TEMP TABLE bench_rev AS
WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < (SELECT n FROM bench_need))
SELECT n, abs(random()) AS r1, abs(random()) AS r2 FROM k WHERE (SELECT n FROM bench_need) > 0;
INSERT INTO deadlines (id, item_type, item_id, kind, child_id, title, link, owner_id, due_at, created_at, level)
WITH pick AS (SELECT v.*, (SELECT id FROM bench_kids WHERE bench_kids.n = 1 + v.r1 % (SELECT COUNT(*) FROM bench_kids)) AS child
              FROM bench_rev v)
SELECT 'dl_' || lower(hex(randomblob(10))), 'child', p.child, 'risk_review:ra_' || lower(hex(randomblob(10))), p.child,
       'Risk review due', '/children/' || p.child || '/risk',
       CASE WHEN p.r2 % 10 = 0 THEN NULL ELSE w.id END,
       CASE WHEN p.r2 % 8 = 0 THEN b.now - 60 - (p.r1 / 13) % 1814400 ELSE b.now + 60 + (p.r1 / 13) % 7862400 END,
       b.now - 86400 * 30 - (p.r1 / 17) % 5184000, 0
FROM pick p, bench b
JOIN bench_workers w ON w.n = (p.r2 / 10) % (SELECT COUNT(*) FROM bench_workers);
