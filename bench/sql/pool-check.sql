-- The merger's "is the pool complete?" check (MergerStore.runsToMerge), before and after pool_sizes, on a pool of :n
-- patches (one collecting run that waits for more). Runs on any PostgreSQL in a scratch schema it drops at the end:
--   psql -v n=25000 -f bench/sql/pool-check.sql
-- Each query runs three times; compare the \timing lines under "before" (the pool counted on every result, O(N) per
-- result) and "after" (the stored size read, the pool counted only once it has reached the run's jobs).
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\set QUIET on
DROP SCHEMA IF EXISTS pool_check CASCADE;
CREATE SCHEMA pool_check;
SET search_path = pool_check;
CREATE TABLE runs (run_id TEXT PRIMARY KEY, total_jobs INT NOT NULL, status TEXT NOT NULL, deadline TIMESTAMPTZ NOT NULL,
                   started_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE patches (patch_id TEXT PRIMARY KEY, run_id TEXT NOT NULL, job_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX patches_run ON patches (run_id);
CREATE TABLE pool_sizes (run_id TEXT PRIMARY KEY, patches INTEGER NOT NULL);
INSERT INTO runs VALUES ('r1', :n + 1, 'collecting', now() + interval '1 day');
INSERT INTO patches SELECT 'r1:t' || i || ':success', 'r1', 'r1:t' || i, repeat('x', 2000) FROM generate_series(1, :n) i;
INSERT INTO pool_sizes SELECT run_id, count(*) FROM patches GROUP BY run_id;
ANALYZE;
\echo pool of :n patches
\timing on
\echo before
SELECT r.run_id FROM runs r WHERE r.status = 'merging' OR (r.status = 'collecting' AND (
    (SELECT count(DISTINCT p.job_id) FROM patches p WHERE p.run_id = r.run_id) >= r.total_jobs OR r.deadline < now()))
    ORDER BY r.started_at;
\g
\g
\echo after
SELECT r.run_id FROM runs r LEFT JOIN pool_sizes s ON s.run_id = r.run_id
WHERE r.status = 'merging' OR (r.status = 'collecting' AND (r.deadline < now() OR CASE
    WHEN coalesce(s.patches, 0) >= r.total_jobs
    THEN (SELECT count(DISTINCT p.job_id) FROM patches p WHERE p.run_id = r.run_id) >= r.total_jobs
    ELSE false END))
ORDER BY r.started_at;
\g
\g
\timing off
DROP SCHEMA pool_check CASCADE;
