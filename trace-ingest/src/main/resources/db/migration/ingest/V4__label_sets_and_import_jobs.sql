-- Correctness labels uploaded on their own (a results file), referenced by imports as ?labels=<id>; content-addressed.
CREATE TABLE label_sets (
    id         TEXT        PRIMARY KEY,
    entries    INTEGER     NOT NULL,
    successes  INTEGER     NOT NULL,
    body       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Imports run in the background (?async=true): their progress while they run, their report when done.
CREATE TABLE import_jobs (
    id             TEXT        PRIMARY KEY,
    status         TEXT        NOT NULL,
    dataset        TEXT        NOT NULL,
    format         TEXT        NOT NULL,
    options        JSONB       NOT NULL,
    bytes_total    BIGINT      NOT NULL,
    bytes_read     BIGINT      NOT NULL DEFAULT 0,
    received       INTEGER     NOT NULL DEFAULT 0,
    accepted       INTEGER     NOT NULL DEFAULT 0,
    duplicates     INTEGER     NOT NULL DEFAULT 0,
    rejected_count INTEGER     NOT NULL DEFAULT 0,
    report         TEXT,
    error          TEXT,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at     TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at    TIMESTAMPTZ
);
CREATE INDEX import_jobs_created ON import_jobs (created_at DESC);
