-- The merge window follows the work: runs.deadline is now "merge by", moved to now() + idle_ms whenever a result
-- arrives, never past max_deadline (the run's absolute cap, if any).
ALTER TABLE runs ADD COLUMN idle_ms BIGINT;
ALTER TABLE runs ADD COLUMN max_deadline TIMESTAMPTZ;
ALTER TABLE runs ADD COLUMN last_result_at TIMESTAMPTZ;
-- What the merge counted about its pool (unverified error patches dropped / kept / downweighted), as JSON.
ALTER TABLE runs ADD COLUMN pool_counts TEXT;

-- A result that arrived after its run's merge started: stored, counted and shown, never merged.
ALTER TABLE patches ADD COLUMN late BOOLEAN NOT NULL DEFAULT false;

-- The order the pool was grouped in, fixed when the merge first starts: a resumed merge must cut the same groups as
-- the saved nodes (grouping by embeddings is not guaranteed bit-for-bit repeatable across processes).
ALTER TABLE runs ADD COLUMN merge_order TEXT;
