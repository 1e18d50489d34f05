package dev.trace2skill.core.trajectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The published JSON Schema (draft 2020-12) of {@link Trajectory}. */
public final class TrajectorySchema {
    public static final String RESOURCE = "/dev/trace2skill/core/trajectory.schema.json";

    private TrajectorySchema() {
    }

    public static String text() {
        try (InputStream in = TrajectorySchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
