package dev.trace2skill.core.importers;

import dev.trace2skill.core.trajectory.ErrorRules;
import dev.trace2skill.core.trajectory.TrajectoryLimits;

/**
 * How records become trajectories.
 *
 * @param idPrefix              prefix of generated ids (records without their own id)
 * @param model                 the agent's model when the source does not say
 * @param maxRecordBytes        a record larger than this is rejected as too large (default 10 MB); checked while the
 *                              record streams in, before anything is built from it
 * @param submittedMeansSuccess SWE-agent: count {@code exit_status: submitted} as success when no label exists
 * @param query                 which part of a record is the task ({@link QueryChoice})
 * @param system                what happens to the agent's own prompt (system messages, instructions, template system parts)
 * @param errorRules            how error observations are recognised (the built-in rules plus an upload's extra patterns)
 * @param labels                correctness labels from a separate results file, or null
 * @param limits                steps, characters per step, distinct tools and JSON tokens per record (the tokens checked
 *                              while the record is parsed, the rest on the trajectory before it is accepted)
 */
public record ImportOptions(String idPrefix, String model, long maxRecordBytes, boolean submittedMeansSuccess,
                            QueryChoice query, SystemPrompt system, ErrorRules errorRules, Labels labels, TrajectoryLimits limits) {
    public static final long DEFAULT_MAX_RECORD_BYTES = 10L * 1024 * 1024;

    /** What happens to the agent's own prompt: never the query, never a step. */
    public enum SystemPrompt {
        /** left out; only its length and SHA-256 go to metadata (runs sharing a prompt can be told apart) */
        SKIP,
        /** kept as {@code metadata.systemPrompt} (with its length and SHA-256) */
        METADATA;

        public static SystemPrompt parse(String s) {
            if (s == null || s.isBlank()) {
                return SKIP;
            }
            return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "skip" -> SKIP;
                case "metadata" -> METADATA;
                default -> throw new IllegalArgumentException("must be skip or metadata, not '" + s + "'");
            };
        }
    }

    public ImportOptions {
        query = query == null ? QueryChoice.DEFAULT : query;
        system = system == null ? SystemPrompt.SKIP : system;
        errorRules = errorRules == null ? ErrorRules.DEFAULT : errorRules;
        limits = limits == null ? TrajectoryLimits.DEFAULT : limits;
    }

    public ImportOptions(String idPrefix, String model, long maxRecordBytes, boolean submittedMeansSuccess,
                         QueryChoice query, SystemPrompt system, ErrorRules errorRules, Labels labels) {
        this(idPrefix, model, maxRecordBytes, submittedMeansSuccess, query, system, errorRules, labels, null);
    }

    public ImportOptions(String idPrefix, String model, long maxRecordBytes, boolean submittedMeansSuccess) {
        this(idPrefix, model, maxRecordBytes, submittedMeansSuccess, null, null, null, null, null);
    }

    public static ImportOptions defaults(String idPrefix) {
        return new ImportOptions(idPrefix, null, DEFAULT_MAX_RECORD_BYTES, false);
    }

    public ImportOptions withMaxRecordBytes(long max) {
        return new ImportOptions(idPrefix, model, max, submittedMeansSuccess, query, system, errorRules, labels, limits);
    }

    public ImportOptions withModel(String m) {
        return new ImportOptions(idPrefix, m, maxRecordBytes, submittedMeansSuccess, query, system, errorRules, labels, limits);
    }

    public ImportOptions withQuery(QueryChoice q) {
        return new ImportOptions(idPrefix, model, maxRecordBytes, submittedMeansSuccess, q, system, errorRules, labels, limits);
    }

    public ImportOptions withSystem(SystemPrompt s) {
        return new ImportOptions(idPrefix, model, maxRecordBytes, submittedMeansSuccess, query, s, errorRules, labels, limits);
    }

    public ImportOptions withErrorRules(ErrorRules r) {
        return new ImportOptions(idPrefix, model, maxRecordBytes, submittedMeansSuccess, query, system, r, labels, limits);
    }

    public ImportOptions withLabels(Labels l) {
        return new ImportOptions(idPrefix, model, maxRecordBytes, submittedMeansSuccess, query, system, errorRules, l, limits);
    }

    public ImportOptions withLimits(TrajectoryLimits l) {
        return new ImportOptions(idPrefix, model, maxRecordBytes, submittedMeansSuccess, query, system, errorRules, labels, l);
    }

    public ImportOptions withSubmittedMeansSuccess(boolean b) {
        return new ImportOptions(idPrefix, model, maxRecordBytes, b, query, system, errorRules, labels, limits);
    }
}
