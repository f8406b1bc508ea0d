-- bench/risk-data.sql: CSE risk assessments for bench/section-risk.sh, added to a demo borough
-- (safehub demo) in the installed schema.  The section puts a temporary table first:
--
--   CREATE TEMP TABLE bench (now INTEGER, assessments INTEGER);
--
-- and this adds assessments until bench.assessments are recorded in all: the same number (five
-- or six) for every child the demo did not assess, a few months apart over the last years, the
-- latest one current.  Levels as a screening tool finds them (no apparent risk 45%, low 30%,
-- medium 17%, high 8%) with scores in the level's band (a few raised to high by the overriding
-- indicator), about 4% raised by professional judgement, 2% lowered and countersigned, and 0.7%
-- of current ones lowered and awaiting a manager's countersignature; the child's words or why they
-- could not be gathered; review dates from the level's review period (91, 91, 42 and 30 days),
-- so that about one current review in eight is overdue and more fall due within two weeks.

CREATE TEMP TABLE bench_kids (n INTEGER PRIMARY KEY, id TEXT NOT NULL);
INSERT INTO bench_kids
SELECT row_number() OVER (ORDER BY id) - 1, id FROM children c
WHERE NOT EXISTS (SELECT 1 FROM risk_assessments a WHERE a.child_id = c.id);
CREATE TEMP TABLE bench_n AS
SELECT MAX(0, (SELECT assessments FROM bench) - (SELECT COUNT(*) FROM risk_assessments)) AS n,
       (SELECT COUNT(*) FROM bench_kids) AS kids;
CREATE TEMP TABLE bench_who AS
SELECT row_number() OVER (ORDER BY username) - 1 AS n, id, agency_id FROM users
WHERE role IN ('social_worker', 'cse_worker');
CREATE TEMP TABLE bench_level (code TEXT, rank INTEGER, lo INTEGER, span INTEGER, review_days INTEGER);
INSERT INTO bench_level VALUES ('no_apparent_risk', 0, 0, 6, 91), ('low', 1, 6, 5, 91), ('medium', 2, 11, 5, 42),
                               ('high', 3, 16, 10, 30);

-- One row per assessment: its child, its place in the child's series (seq, of cnt), and random draws
-- (drawn once, into a table: a CTE may be evaluated again at each use).
CREATE TEMP TABLE bench_raw AS
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < (SELECT n FROM bench_n))
SELECT i, i % b.kids AS kid, i / b.kids AS seq,
       (b.n / b.kids) + CASE WHEN i % b.kids < b.n % b.kids THEN 1 ELSE 0 END AS cnt,
       abs(random()) % 1000 AS p_level, abs(random()) % 1000 AS p_judge, abs(random()) AS r1, abs(random()) AS r2
FROM k, bench_n b WHERE b.kids > 0;

CREATE TEMP TABLE bench_ra0 AS
SELECT r.*, ('ra_' || lower(hex(randomblob(10)))) AS id,
       -- the level computed from the score (or raised to high by the overriding indicator)
       CASE WHEN p_level < 450 THEN 0 WHEN p_level < 750 THEN 1 WHEN p_level < 920 THEN 2 ELSE 3 END AS band,
       seq = cnt - 1 AS cur
FROM bench_raw r;
CREATE TEMP TABLE bench_ra AS
SELECT a.*,
       -- judgement: 0 none, 1 raised one level, 2 lowered and countersigned, 3 lowered awaiting (current only)
       CASE WHEN p_judge < 40 AND band < 3 THEN 1 WHEN p_judge >= 40 AND p_judge < 60 AND band > 0 THEN 2
            WHEN p_judge >= 60 AND p_judge < 67 AND band > 0 AND cur THEN 3 ELSE 0 END AS judge,
       band = 3 AND r1 % 50 = 0 AS override
FROM bench_ra0 a;
CREATE TEMP TABLE bench_rx AS
SELECT a.*,
       CASE judge WHEN 1 THEN band + 1 WHEN 2 THEN band - 1 ELSE band END AS fr,
       CASE WHEN override THEN 1 + r2 % 2 ELSE band END AS sband
FROM bench_ra a;

INSERT INTO risk_assessments (id, child_id, tool_version, assessed_at, assessed_by, agency_id, score, band_level,
                              computed_level, computed_rank, override_indicator, override_reason, judged_level,
                              judgement_rationale, final_level, final_rank, level_change, countersign_status,
                              countersign_requested_from, countersigned_by, countersigned_at, countersign_comment,
                              childs_words, childs_view_not_gathered_reason, exploitation_types, review_due_at,
                              is_current)
SELECT x.id, k.id, '2026.1', x.at, w.id, w.agency_id, bl.lo + (x.r2 / 5) % bl.span, bl.code, cl.code, cl.rank,
       CASE WHEN x.override THEN 'S09' END,
       CASE WHEN x.override THEN 'Any disclosure of sexual exploitation means high risk at once.' END,
       CASE x.judge WHEN 0 THEN NULL WHEN 3 THEN jl.code ELSE fl.code END,
       CASE x.judge WHEN 0 THEN NULL WHEN 1 THEN 'Escalating pattern over recent weeks that the score does not yet show.'
            ELSE 'Protective factors now in place: disclosed to a trusted adult, no contact with the adults concerned.' END,
       fl.code, fl.rank, fl.rank - cl.rank,
       CASE x.judge WHEN 2 THEN 'agreed' WHEN 3 THEN 'awaiting' ELSE 'not_needed' END,
       CASE WHEN x.judge IN (2, 3) THEN (SELECT id FROM users WHERE username = 'manager') END,
       CASE WHEN x.judge = 2 THEN (SELECT id FROM users WHERE username = 'manager') END,
       CASE WHEN x.judge = 2 THEN x.at + 86400 END,
       CASE WHEN x.judge = 2 THEN 'Agreed: the safety plan is working.' END,
       CASE WHEN x.r2 % 4 <> 0 THEN 'I don''t want to talk about it. It''s not a big deal.' END,
       CASE WHEN x.r2 % 4 = 0 THEN 'The child declined to speak with the worker on two visits; their carer was present.' END,
       CASE WHEN cl.rank <= 1 THEN '[]'
            ELSE json_array(CASE x.r2 % 4 WHEN 0 THEN 'inappropriate_relationship' WHEN 1 THEN 'peer'
                                          WHEN 2 THEN 'organised' ELSE 'online' END) END,
       x.at + fl.review_days * 86400, x.cur
FROM (SELECT a.*,
             -- the current one within its level's review period plus an eighth (so about one in eight is
             -- overdue); earlier ones about three months before each other
             (SELECT now FROM bench) - CASE WHEN a.cur
               THEN (a.r1 / 7) % (((SELECT review_days FROM bench_level WHERE rank = a.fr) * 86400 * 9) / 8)
               ELSE 86400 * 30 + (a.cnt - 1 - a.seq) * 86400 * 91 + (a.r1 / 7) % (86400 * 30) END AS at
      FROM bench_rx a) x
JOIN bench_kids k ON k.n = x.kid
JOIN bench_who w ON w.n = x.r2 % (SELECT COUNT(*) FROM bench_who)
JOIN bench_level bl ON bl.rank = x.sband
JOIN bench_level cl ON cl.rank = x.band
JOIN bench_level fl ON fl.rank = x.fr
-- what the worker judged while a lowering awaits a countersignature
JOIN bench_level jl ON jl.rank = MAX(x.band - 1, 0);
