-- What the merger counted about a run's patch pool, from run-events: late results (arrived after the merge started)
-- and what the unverified policy did to error patches. A JSON object of absolute counts; each event's keys overwrite.
ALTER TABLE runs ADD COLUMN pool_counts JSONB NOT NULL DEFAULT '{}'::jsonb;
