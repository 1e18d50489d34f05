package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.trajectory.FieldError;

import java.util.List;

/**
 * What happened to an upload.
 *
 * @param dataset    the batch's dataset
 * @param format     the format it was read as
 * @param received   records read
 * @param accepted   new trajectories stored
 * @param duplicates trajectories already stored with the same content (no-ops)
 * @param rejected   records refused, each with its index, id or key, HTTP-like status and reasons (first 1,000)
 * @param rejectedCount all refused records
 * @param bytes      bytes of records read
 * @param policy     how this endpoint treats a batch with bad records
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IngestReport(String dataset, String format, int received, int accepted, int duplicates,
                           List<Rejection> rejected, int rejectedCount, long bytes, String policy) {
    public static final String POLICY = "partial: every valid record is stored; each rejected record is listed with its "
            + "index, field and reason, and never blocks the others";

    /**
     * @param index  0-based position in the upload
     * @param id     the trajectory id when known
     * @param key    the source key (e.g. a trace id) when known
     * @param status 409 (same id, different content), 413 (too large) or 422 (invalid)
     * @param errors the fields at fault
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rejection(int index, String id, String key, int status, List<FieldError> errors) {
    }
}
