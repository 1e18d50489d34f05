-- Issue 12 (experiments). Numbered 1.12 so that it sorts after V1 and before any V2 added on another branch.
--
-- An experiment is the method's protocol as data: the split of its tasks into D_evolve and D_test, S0, and per round
-- Stage 1 (an evaluation of S0 on D_evolve), the trajectories sent to trace-ingest, the evolution run and its S*, the
-- leakage check, and the test (an evaluation on D_test). Every number of its report comes from the episodes of its
-- evaluations; every stage resumes from what is stored here.
CREATE TABLE experiments (
    id           TEXT        PRIMARY KEY,
    status       TEXT        NOT NULL,          -- running, completed, budget_exhausted, cancelled, failed, refused
    stage        TEXT        NOT NULL,          -- drafting, stage1, sending, evolving, checking, testing, done
    round        INTEGER     NOT NULL,
    rounds       INTEGER     NOT NULL,
    request      TEXT        NOT NULL,          -- the request as accepted (JSON)
    split        TEXT        NOT NULL,          -- TaskSplit JSON: seed, evolve ids, test ids
    mode         TEXT        NOT NULL,          -- deepening or creation
    skill_name   TEXT        NOT NULL,
    draft_id     TEXT,                          -- Creation mode: the draft of S0 in trace-ingest
    draft        TEXT,                          -- its last known state (JSON)
    draft_tokens BIGINT      NOT NULL DEFAULT 0,
    max_tokens   BIGINT,
    message      TEXT,
    problem      TEXT,                          -- JSON: what a refused experiment's skill leaked
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ
);
CREATE INDEX experiments_created ON experiments (created_at DESC);

CREATE TABLE experiment_rounds (
    experiment_id         TEXT    NOT NULL REFERENCES experiments (id),
    round                 INTEGER NOT NULL,
    s0                    TEXT,                 -- name@version (null while S0 is drafted)
    stage1_evaluation     TEXT,
    trajectories_sent     INTEGER,
    trajectories_rejected INTEGER,
    run_id                TEXT,
    run                   TEXT,                 -- the run's last known status (JSON, from trace-ingest)
    run_tokens            BIGINT  NOT NULL DEFAULT 0,
    s_star                TEXT,                 -- name@version once registered
    leaks                 TEXT,                 -- JSON: the leakage check of S* (empty array: passed)
    test_evaluation       TEXT,
    PRIMARY KEY (experiment_id, round)
);

-- The evaluations that are stages of an experiment.
ALTER TABLE evaluations ADD COLUMN experiment_id TEXT;
CREATE INDEX evaluations_experiment ON evaluations (experiment_id) WHERE experiment_id IS NOT NULL;
