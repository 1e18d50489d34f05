-- Trajectories as pushed or imported; the same id with the same content hash is a no-op.
CREATE TABLE trajectories (
    seq          BIGSERIAL   UNIQUE,
    id           TEXT        PRIMARY KEY,
    dataset      TEXT        NOT NULL,
    content_hash TEXT        NOT NULL,
    success      BOOLEAN     NOT NULL,
    reward       DOUBLE PRECISION,
    task_id      TEXT,
    model        TEXT,
    format       TEXT        NOT NULL,
    bytes        INTEGER     NOT NULL,
    body         TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX trajectories_dataset ON trajectories (dataset, seq);
CREATE INDEX trajectories_dataset_outcome ON trajectories (dataset, success, seq);

-- The skill registry: immutable versions, numbered per name, content-addressed.
CREATE TABLE skills (
    name       TEXT        PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE skill_versions (
    name         TEXT        NOT NULL REFERENCES skills (name),
    version      INTEGER     NOT NULL,
    content_hash TEXT        NOT NULL,
    source       TEXT        NOT NULL,
    files        INTEGER     NOT NULL,
    bytes        INTEGER     NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version),
    UNIQUE (name, content_hash)
);
CREATE TABLE skill_files (
    name    TEXT    NOT NULL,
    version INTEGER NOT NULL,
    path    TEXT    NOT NULL,
    content BYTEA   NOT NULL,
    PRIMARY KEY (name, version, path),
    FOREIGN KEY (name, version) REFERENCES skill_versions (name, version)
);

-- Evolution runs and their progress.
CREATE TABLE runs (
    id                TEXT        PRIMARY KEY,
    status            TEXT        NOT NULL,
    mode              TEXT        NOT NULL,
    analysts          TEXT        NOT NULL,
    engine            TEXT        NOT NULL,
    skill_name        TEXT        NOT NULL,
    skill_version     INTEGER,
    request           JSONB       NOT NULL,
    config            JSONB       NOT NULL,
    jobs_published    INTEGER     NOT NULL DEFAULT 0,
    analyses_done     INTEGER     NOT NULL DEFAULT 0,
    analyses_failed   INTEGER     NOT NULL DEFAULT 0,
    patches           INTEGER     NOT NULL DEFAULT 0,
    merge_level       INTEGER,
    merge_levels      INTEGER,
    merge_nodes_done  INTEGER,
    merge_nodes_total INTEGER,
    prompt_tokens     BIGINT      NOT NULL DEFAULT 0,
    completion_tokens BIGINT      NOT NULL DEFAULT 0,
    evolved_version   INTEGER,
    message           TEXT,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX runs_created ON runs (created_at DESC);

-- One row per published job; a job's result is counted once however often it is redelivered.
CREATE TABLE run_jobs (
    run_id        TEXT NOT NULL REFERENCES runs (id),
    trajectory_id TEXT NOT NULL,
    analyst       TEXT NOT NULL,
    result        TEXT,
    PRIMARY KEY (run_id, trajectory_id)
);
