-- What this service did: one row per analysis (patch id = run id + trajectory id + analyst), written after its
-- result is on skill-patches. Kafka stays the source of truth; this is the operators' view (what failed and why,
-- tokens, time, redeliveries).
CREATE TABLE analyses (
    patch_id          TEXT        PRIMARY KEY,
    run_id            TEXT        NOT NULL,
    trajectory_id     TEXT        NOT NULL,
    analyst           TEXT        NOT NULL,
    status            TEXT        NOT NULL,
    verified          BOOLEAN,
    failure_reason    TEXT,
    edits             INTEGER     NOT NULL,
    prompt_tokens     BIGINT      NOT NULL,
    completion_tokens BIGINT      NOT NULL,
    model_calls       INTEGER     NOT NULL,
    repairs           INTEGER     NOT NULL,
    latency_ms        BIGINT      NOT NULL,
    worker            TEXT,
    attempts          INTEGER     NOT NULL DEFAULT 1,
    finished_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX analyses_by_run ON analyses (run_id, status);
