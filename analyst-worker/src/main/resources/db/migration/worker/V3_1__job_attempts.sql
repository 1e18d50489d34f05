-- Jobs started and not yet finished (issue 17): a job whose analysis stops its worker (out of memory, killed) is
-- redelivered to the next worker; after t2s.worker.max-attempts starts without a result it is recorded as failed
-- instead of being analysed again, so one poison job cannot take down worker after worker. A row is removed once the
-- job's result is on skill-patches.
CREATE TABLE job_attempts (
    patch_id        TEXT        PRIMARY KEY,
    run_id          TEXT        NOT NULL,
    attempts        INTEGER     NOT NULL,
    last_worker     TEXT,
    last_started_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
