-- S* that the safety check flagged: held here with its findings until a person approves it (then it becomes the
-- skill's next version) or rejects it. One candidate per run; the files are the SkillSnapshot JSON of S*.
CREATE TABLE skill_candidates (
    id           TEXT        PRIMARY KEY,
    name         TEXT        NOT NULL,
    run_id       TEXT        UNIQUE,
    base_version INTEGER,
    content_hash TEXT        NOT NULL,
    snapshot     TEXT        NOT NULL,
    findings     JSONB       NOT NULL,
    status       TEXT        NOT NULL,
    version      INTEGER,
    note         TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    decided_at   TIMESTAMPTZ
);
CREATE INDEX skill_candidates_name ON skill_candidates (name, created_at DESC);
