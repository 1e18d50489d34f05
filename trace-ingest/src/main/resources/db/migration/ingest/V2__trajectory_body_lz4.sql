-- Trajectory bodies are JSON of a few to hundreds of KB and are TOASTed: lz4 compresses them at a fraction of the CPU
-- of the default pglz (PostgreSQL 14+ built with lz4, as Debian's and the official images are). Where the server has
-- no lz4, the column keeps pglz and the migration still succeeds.
DO $$
BEGIN
    ALTER TABLE trajectories ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error OR undefined_object THEN
    RAISE NOTICE 'lz4 compression is not available here; trajectory bodies stay pglz-compressed (%)', SQLERRM;
END
$$;
