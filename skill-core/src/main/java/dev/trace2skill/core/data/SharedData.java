package dev.trace2skill.core.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the public data set folder ({@code shared/data}, beside the repository): system property
 * {@code t2s.data.dir}, env {@code T2S_DATA_DIR}, else walking up from {@code t2s.repo.root} or the working
 * directory until {@code shared/data} is found as a child or a sibling.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Optional<Path> locate() {
        String explicit = System.getProperty("t2s.data.dir", System.getenv("T2S_DATA_DIR"));
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            return Files.isDirectory(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        Path start = Path.of(System.getProperty("t2s.repo.root", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            for (Path candidate : new Path[]{p.resolve("shared/data"), p.resolveSibling("shared").resolve("data")}) {
                if (Files.isDirectory(candidate)) {
                    return Optional.of(candidate.normalize());
                }
            }
        }
        return Optional.empty();
    }

    /** A file or folder under the data folder, or empty when the data or the entry is absent. */
    public static Optional<Path> find(String relative) {
        return locate().map(d -> d.resolve(relative)).filter(Files::exists);
    }
}
