-- bench/risk-overview.sql: what GET /api/v1/risk/overview reads (src/store/store_risk.c: Q_LEVELS,
-- Q_LIST_OVERDUE, Q_LIST_SOON, Q_LIST_JUDGED, Q_STALE_ALL with the rows of the 20 oldest out of date),
-- as plain SQL, one statement each, for bench/section-risk.sh, which replaces @NOW@ and @SOON@ (now, and now plus the 14
-- days of "due soon") and times each statement with the sqlite3 shell's .timer.
SELECT final_level, COUNT(*),
       SUM(CASE WHEN review_due_at <= @NOW@ THEN 1 ELSE 0 END),
       SUM(CASE WHEN review_due_at > @NOW@ AND review_due_at <= @SOON@ THEN 1 ELSE 0 END),
       SUM(CASE WHEN level_change > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN level_change < 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN countersign_status = 'awaiting' THEN 1 ELSE 0 END)
FROM risk_assessments WHERE is_current = 1 GROUP BY final_level;
SELECT a.child_id, c.first_name, c.last_name, a.id, a.final_level, a.computed_level, a.level_change,
       a.countersign_status, a.assessed_at, a.review_due_at
FROM risk_assessments a JOIN children c ON c.id = a.child_id
WHERE a.is_current = 1 AND a.review_due_at <= @NOW@ ORDER BY a.review_due_at, a.child_id LIMIT 20;
SELECT a.child_id, c.first_name, c.last_name, a.id, a.final_level, a.computed_level, a.level_change,
       a.countersign_status, a.assessed_at, a.review_due_at
FROM risk_assessments a JOIN children c ON c.id = a.child_id
WHERE a.is_current = 1 AND a.review_due_at > @NOW@ AND a.review_due_at <= @SOON@
ORDER BY a.review_due_at, a.child_id LIMIT 20;
SELECT a.child_id, c.first_name, c.last_name, a.id, a.final_level, a.computed_level, a.level_change,
       a.countersign_status, a.assessed_at, a.review_due_at
FROM risk_assessments a JOIN children c ON c.id = a.child_id
WHERE a.is_current = 1 AND (a.level_change <> 0 OR a.countersign_status = 'awaiting')
ORDER BY a.assessed_at DESC, a.child_id LIMIT 20;
WITH cur AS (SELECT child_id, assessed_at FROM risk_assessments WHERE is_current = 1),
stale AS (SELECT cur.child_id FROM cur JOIN referrals r ON r.child_id = cur.child_id
          WHERE r.received_at > cur.assessed_at AND r.indicators <> '[]'
          UNION SELECT cur.child_id FROM cur JOIN missing_episodes m ON m.child_id = cur.child_id
          WHERE m.went_missing_at > cur.assessed_at
          UNION SELECT cur.child_id FROM cur JOIN case_notes n ON n.child_id = cur.child_id
          WHERE n.at > cur.assessed_at AND n.indicators <> '[]'
          UNION SELECT cur.child_id FROM cur JOIN deadlines d ON d.item_type = 'child' AND d.item_id = cur.child_id
          WHERE d.met_at IS NULL AND (d.kind = 'risk_review_request' OR substr(d.kind, 1, 20) = 'risk_review_request:')),
s AS MATERIALIZED (SELECT stale.child_id, cur.assessed_at FROM stale JOIN cur ON cur.child_id = stale.child_id)
SELECT (SELECT COUNT(*) FROM s), a.child_id, c.first_name, c.last_name, a.id, a.final_level, a.computed_level,
       a.level_change, a.countersign_status, a.assessed_at, a.review_due_at
FROM (SELECT child_id FROM s ORDER BY assessed_at, child_id LIMIT 20) t
JOIN risk_assessments a ON a.child_id = t.child_id AND a.is_current = 1 JOIN children c ON c.id = a.child_id;
