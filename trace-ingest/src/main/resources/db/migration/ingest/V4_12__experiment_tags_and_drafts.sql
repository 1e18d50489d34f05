-- Issue 12 (experiments). Numbered 4.12 so that it sorts after V4 and before any V5 added on another branch.
--
-- What a run can select trajectories by besides dataset and outcome: the skill the agent ran with (Trajectory.skillRef)
-- and the experiment that produced it (metadata.experimentId), copied out of the body when the trajectory is stored.
ALTER TABLE trajectories ADD COLUMN skill_ref TEXT;
ALTER TABLE trajectories ADD COLUMN experiment_id TEXT;
UPDATE trajectories
SET skill_ref     = body::jsonb ->> 'skillRef',
    experiment_id = body::jsonb -> 'metadata' ->> 'experimentId'
WHERE body LIKE '%"skillRef"%' OR body LIKE '%"experimentId"%';
CREATE INDEX trajectories_experiment ON trajectories (experiment_id, skill_ref, seq) WHERE experiment_id IS NOT NULL;
CREATE INDEX trajectories_skill_ref ON trajectories (skill_ref, seq) WHERE skill_ref IS NOT NULL;

-- A client's key for a run (POST /v1/runs {"requestId": ...}): the same key again returns the run it started, so a
-- caller that restarts after sending the request (the evaluator's experiments) never starts a second run.
ALTER TABLE runs ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX runs_request_id ON runs (request_id) WHERE request_id IS NOT NULL;

-- Creation-mode drafts asked for on their own (POST /v1/skills/{name}/drafts): the analyst workers draft S0, and the
-- draft is registered as the skill's first version before any trajectory exists.
CREATE TABLE skill_drafts (
    id                TEXT        PRIMARY KEY,
    skill_name        TEXT        NOT NULL,
    request_id        TEXT        UNIQUE,
    status            TEXT        NOT NULL,      -- drafting, done, failed
    domain            TEXT        NOT NULL,
    engine            TEXT        NOT NULL,
    model             TEXT,
    version           INTEGER,
    failure           TEXT,
    prompt_tokens     BIGINT      NOT NULL DEFAULT 0,
    completion_tokens BIGINT      NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX skill_drafts_name ON skill_drafts (skill_name, created_at DESC);
