package dev.trace2skill.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/** The repository these tests check: paths, and the services' configuration read from their own files. */
final class Repo {
    /** The four services with their HTTP ports (quarkus.http.port in each application.properties). */
    static final List<String> SERVICES = List.of("trace-ingest", "analyst-worker", "merger", "evaluator");

    static final Path ROOT = findRoot();

    private Repo() {
    }

    private static Path findRoot() {
        String prop = System.getProperty("t2s.repo.root");
        Path p = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("helm/trace2skill"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no helm/trace2skill above " + Path.of("").toAbsolutePath());
        }
        return p.toAbsolutePath().normalize();
    }

    static Path chart() {
        return ROOT.resolve("helm/trace2skill");
    }

    static Path k8s() {
        return ROOT.resolve("k8s");
    }

    /** A service's application.properties (a service without one fails the test that asks). */
    static Properties applicationProperties(String service) {
        Path file = ROOT.resolve(service).resolve("src/main/resources/application.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return p;
    }

    /** Every main Java source file of the repository (not under target/). */
    static List<Path> mainJavaSources() {
        try (Stream<Path> s = Files.walk(ROOT, 20)) {
            return s.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> f.toString().contains("/src/main/java/"))
                    .filter(f -> !f.toString().contains("/target/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
