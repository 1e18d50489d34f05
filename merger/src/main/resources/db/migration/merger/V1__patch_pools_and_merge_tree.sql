-- Runs as announced on the runs topic: S0, configuration, and the jobs whose results make the pool complete.
CREATE TABLE runs (
    run_id     TEXT        PRIMARY KEY,
    skill_name TEXT        NOT NULL,
    s0         TEXT        NOT NULL,
    config     TEXT        NOT NULL,
    job_ids    TEXT        NOT NULL,
    total_jobs INTEGER     NOT NULL,
    status     TEXT        NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    deadline   TIMESTAMPTZ NOT NULL,
    message    TEXT,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX runs_status ON runs (status, deadline);

-- The patch pool: one row per patch id (run + trajectory + analyst); redeliveries are no-ops.
CREATE TABLE patches (
    patch_id           TEXT        PRIMARY KEY,
    run_id             TEXT        NOT NULL,
    job_id             TEXT        NOT NULL,
    trajectory_id      TEXT        NOT NULL,
    trajectory_success BOOLEAN     NOT NULL,
    analyst            TEXT        NOT NULL,
    status             TEXT        NOT NULL,
    body               TEXT        NOT NULL,
    received_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX patches_run ON patches (run_id);

-- Every merge node, persisted before the next level starts: an interrupted merge resumes from here.
CREATE TABLE merge_nodes (
    run_id            TEXT        NOT NULL,
    node_id           TEXT        NOT NULL,
    level             INTEGER     NOT NULL,
    idx               INTEGER     NOT NULL,
    inputs            TEXT        NOT NULL,
    result            TEXT        NOT NULL,
    engine            TEXT        NOT NULL,
    repairs           INTEGER     NOT NULL,
    fallback          BOOLEAN     NOT NULL,
    prompt_tokens     BIGINT      NOT NULL,
    completion_tokens BIGINT      NOT NULL,
    latency_ms        BIGINT      NOT NULL,
    done_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, node_id)
);

-- What a finished run produced.
CREATE TABLE run_outputs (
    run_id     TEXT        PRIMARY KEY,
    s_star     TEXT        NOT NULL,
    applied    TEXT        NOT NULL,
    decisions  TEXT        NOT NULL,
    fit_moves  TEXT        NOT NULL,
    diff       TEXT        NOT NULL,
    changelog  TEXT        NOT NULL,
    provenance TEXT        NOT NULL,
    tree       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
