-- How many patches each run's pool holds, kept as they are stored: deciding whether a pool is complete no longer counts
-- the pool's rows on every result (that count grew with the pool: O(N^2) over a run, 1 ms per result at 2,500 patches,
-- 12 ms at 25,000). Keyed by run alone, so results stored before their run is announced are counted too.
CREATE TABLE pool_sizes (
    run_id  TEXT    PRIMARY KEY,
    patches INTEGER NOT NULL
);
INSERT INTO pool_sizes (run_id, patches) SELECT run_id, count(*) FROM patches GROUP BY run_id;
