-- What the safety check found in a run's S* (JSON array; empty when nothing): a flagged S* is held for approval.
ALTER TABLE run_outputs ADD COLUMN safety TEXT NOT NULL DEFAULT '[]';
