package dev.trace2skill.core.importers;

import java.util.List;
import java.util.Set;

/** Turns records of one agent format into trajectories. */
public interface TrajectoryImporter {
    /** The format's name, as in {@code ?format=}. */
    String format();

    /** Field names that mark a top-level object as one record (otherwise it is read as a map keyed by record id). */
    Set<String> recordFields();

    /** One source record → trajectories (OTLP: one per trace) or rejections, each naming the field at fault. */
    List<ImportRecord> map(RawRecord record, ImportOptions options);
}
