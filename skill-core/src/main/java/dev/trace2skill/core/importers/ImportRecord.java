package dev.trace2skill.core.importers;

import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.List;

/**
 * One record of an upload: a trajectory, or the reasons it was rejected.
 *
 * @param index      0-based position of the source record in the upload
 * @param sourceKey  the record's key in the source (e.g. a FireAct question id, an OTLP trace id), or null
 * @param trajectory the trajectory, or null when rejected
 * @param errors     why it was rejected (each naming the field), empty when accepted
 * @param bytes      size of the source record
 * @param tooLarge   rejected for its size (HTTP 413 when alone)
 */
public record ImportRecord(int index, String sourceKey, Trajectory trajectory, List<FieldError> errors, long bytes,
                           boolean tooLarge) {
    public ImportRecord {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static ImportRecord accepted(int index, String key, Trajectory t, long bytes) {
        return new ImportRecord(index, key, t, List.of(), bytes, false);
    }

    public static ImportRecord rejected(int index, String key, List<FieldError> errors, long bytes) {
        return new ImportRecord(index, key, null, errors, bytes, false);
    }

    public boolean ok() {
        return trajectory != null;
    }
}
