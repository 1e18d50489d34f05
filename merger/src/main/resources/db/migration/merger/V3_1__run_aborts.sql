-- trace-ingest and the merger agree on how every run ends (issue 17).
-- A run trace-ingest failed (RUN_ABORTED on run-events) is failed here with the same reason; when the abort arrives
-- before the run's announcement, it is kept here and the run is recorded as failed when the announcement comes.
CREATE TABLE run_aborts (
    run_id     TEXT        PRIMARY KEY,
    reason     TEXT        NOT NULL,
    aborted_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- false while trace-ingest has not been told (RUN_FAILED acknowledged by the broker) that the merger failed the run
ALTER TABLE runs ADD COLUMN failure_announced BOOLEAN NOT NULL DEFAULT true;
