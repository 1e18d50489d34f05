package dev.trace2skill.e2e;

import dev.trace2skill.infra.Ports;
import dev.trace2skill.infra.Processes;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One service started from its packaged Quarkus jar, as ./t2s does, on a free port. */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final String name;
    final int port;
    private final Path log;
    private final Map<String, String> env;
    private Process process;

    ServiceProcess(String name, Map<String, String> env, Path logDir) {
        this.name = name;
        this.port = Ports.free();
        this.env = env;
        this.log = logDir.resolve(name + ".log");
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("t2s.repo.root", Path.of("").toAbsolutePath().getParent().toString()));
    }

    ServiceProcess start() throws IOException {
        Path jar = repoRoot().resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("missing " + jar + ": build the services first");
        }
        List<String> cmd = new ArrayList<>(List.of(Processes.java(), "-Xmx384m", "-XX:+UseSerialGC", "-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        process = pb.start();
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    void awaitReady(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited: " + Processes.tail(log, 40));
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + ": " + Processes.tail(log, 40));
    }

    /** SIGKILL: no shutdown hooks, no clean consumer close — as when a node dies. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            Processes.stop(process.pid(), "TERM", Duration.ofSeconds(15));
        }
    }
}
