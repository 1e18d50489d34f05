CREATE TABLE evaluations (
    id          TEXT        PRIMARY KEY,
    status      TEXT        NOT NULL,          -- running, completed, budget_exhausted, timed_out, cancelled, failed
    runner      TEXT        NOT NULL,          -- builtin or external
    request     TEXT        NOT NULL,          -- the request as accepted (JSON)
    total       INTEGER     NOT NULL,
    max_tokens  BIGINT,
    message     TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    deadline    TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);

-- The skill versions an evaluation runs, frozen when it was accepted (a later registry change does not move it).
CREATE TABLE evaluation_skills (
    evaluation_id TEXT NOT NULL REFERENCES evaluations (id),
    skill_ref     TEXT NOT NULL,
    snapshot      TEXT NOT NULL,                  -- SkillSnapshot JSON
    PRIMARY KEY (evaluation_id, skill_ref)
);

-- Every agent run, stored with its labelled trajectory: reports are computed from these rows only.
CREATE TABLE episodes (
    episode_id        TEXT        NOT NULL UNIQUE,
    evaluation_id     TEXT        NOT NULL REFERENCES evaluations (id),
    ordinal           INTEGER     NOT NULL,      -- position in the plan (seed, task, condition)
    condition_key     TEXT        NOT NULL,
    skill             TEXT,
    model             TEXT        NOT NULL,
    removed_section   TEXT,
    task_id           TEXT        NOT NULL,
    seed              INTEGER     NOT NULL,
    status            TEXT        NOT NULL,      -- PENDING, CORRECT, WRONG, ERROR
    answer            TEXT,
    expected          TEXT,
    checker           TEXT        NOT NULL,
    prompt_tokens     BIGINT      NOT NULL DEFAULT 0,
    completion_tokens BIGINT      NOT NULL DEFAULT 0,
    error             TEXT,
    trajectory        TEXT,
    source            TEXT,                      -- builtin, rest, kafka
    latency_ms        BIGINT      NOT NULL DEFAULT 0,
    finished_at       TIMESTAMPTZ,
    PRIMARY KEY (evaluation_id, condition_key, task_id, seed)
);

CREATE INDEX episodes_pending ON episodes (evaluation_id, status, ordinal);
