-- The worker keeps no state (jobs are on Kafka, patches go to the merger); this records the schema's owner.
CREATE TABLE service_info (
    key        TEXT        PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO service_info (key, value) VALUES ('service', 'analyst-worker');
