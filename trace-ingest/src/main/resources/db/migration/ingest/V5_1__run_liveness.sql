-- No run stays stuck (issue 17): a run whose jobs could not be published is retried, then failed with the reason.
-- publish_attempts counts attempts; publish_claimed_at is when a replica last took the run to publish it (another
-- replica leaves it alone for a while); abort_announced is false while the merger has not yet been told that
-- trace-ingest failed the run (RUN_ABORTED on run-events), so that both services agree on the run's end.
ALTER TABLE runs ADD COLUMN publish_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN publish_claimed_at TIMESTAMPTZ;
ALTER TABLE runs ADD COLUMN abort_announced BOOLEAN NOT NULL DEFAULT true;
CREATE INDEX runs_unsettled ON runs (status, updated_at) WHERE status IN ('publishing', 'drafting') OR NOT abort_announced;
