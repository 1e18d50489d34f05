package dev.trace2skill.core.importers;

/**
 * How records become trajectories.
 *
 * @param idPrefix              prefix of generated ids (records without their own id)
 * @param model                 the agent's model when the source does not say
 * @param maxRecordBytes        a record larger than this is rejected as too large (default 10 MB)
 * @param submittedMeansSuccess SWE-agent: count {@code exit_status: submitted} as success when no label exists
 */
public record ImportOptions(String idPrefix, String model, long maxRecordBytes, boolean submittedMeansSuccess) {
    public static final long DEFAULT_MAX_RECORD_BYTES = 10L * 1024 * 1024;

    public static ImportOptions defaults(String idPrefix) {
        return new ImportOptions(idPrefix, null, DEFAULT_MAX_RECORD_BYTES, false);
    }

    public ImportOptions withMaxRecordBytes(long max) {
        return new ImportOptions(idPrefix, model, max, submittedMeansSuccess);
    }

    public ImportOptions withModel(String m) {
        return new ImportOptions(idPrefix, m, maxRecordBytes, submittedMeansSuccess);
    }
}
