package dev.trace2skill.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * One service from its packaged Quarkus jar ({@code <module>/target/quarkus-app/quarkus-run.jar}) as a real process on
 * a free loopback port, with the JVM options of {@code ./t2s up} unless told otherwise, for the end-to-end tests and
 * the benchmarks. Stopped with SIGTERM on {@link #close()} (also from a shutdown hook), or killed with {@link #kill()}.
 */
public final class ServiceProcess implements AutoCloseable {
    public static final String DEFAULT_JVM_OPTS = "-Xmx512m -XX:+UseSerialGC";
    /** The analyst workers' options as deployed (the chart's analystWorker.jvmOpts, the launcher): C1 only. */
    public static final String WORKER_JVM_OPTS = DEFAULT_JVM_OPTS + " -XX:TieredStopAtLevel=1";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public final String name;
    public final int port;
    public final Path log;
    private final Process process;

    private ServiceProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    public static Path repoRoot() {
        String explicit = System.getProperty("t2s.repo.root");
        Path p = Path.of(explicit != null ? explicit : System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("t2s")) && Files.exists(d.resolve("trace-ingest"))) {
                return d;
            }
        }
        throw new IllegalStateException("run from the repository or a module in it (or set -Dt2s.repo.root=...)");
    }

    public static Path jar(String module) {
        Path jar = repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("missing " + jar + ": build the services first (./mvnw -B -q -DskipTests package)");
        }
        return jar;
    }

    /**
     * @param instance a name for the log file (and e.g. the worker's HOSTNAME)
     */
    public static ServiceProcess start(String module, String instance, Map<String, String> env, String jvmOpts, Path logDir) {
        return start(module, instance, env, jvmOpts, logDir, Ports.free());
    }

    /** Starts on a port chosen beforehand (when another service must know its URL first, e.g. the front door's). */
    public static ServiceProcess start(String module, String instance, Map<String, String> env, String jvmOpts, Path logDir, int port) {
        Path log = logDir.resolve(instance + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Processes.java());
        for (String o : jvmOpts.trim().split("\\s+")) {
            if (!o.isEmpty()) {
                cmd.add(o);
            }
        }
        cmd.addAll(List.of("-jar", jar(module).toString()));
        try {
            Files.createDirectories(logDir);
            Files.deleteIfExists(log);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
            Process p = pb.start();
            ServiceProcess s = new ServiceProcess(instance, port, log, p);
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-" + instance));
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + module, e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public void awaitReady(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited: " + Processes.tail(log, 40));
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(200);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + ": " + Processes.tail(log, 40));
    }

    /** Saves the service's Prometheus metrics ({@code /q/metrics}) beside its log, as {@code <instance>.metrics.txt}. */
    public void saveMetrics() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Files.writeString(log.resolveSibling(name + ".metrics.txt"), r.body());
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Resident set size now and its peak (VmRSS, VmHWM from /proc/&lt;pid&gt;/status), in KiB. */
    public Memory memory() {
        return Memory.of(pid());
    }

    /** User + system CPU time of the process so far, in milliseconds (from /proc/&lt;pid&gt;/stat). */
    public long cpuMillis() {
        return cpuMillis(pid());
    }

    public record Memory(long rssKiB, long hwmKiB) {
        public static Memory of(long pid) {
            try {
                long rss = -1;
                long hwm = -1;
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("\\D", ""));
                    } else if (line.startsWith("VmHWM:")) {
                        hwm = Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
                return new Memory(rss, hwm);
            } catch (IOException e) {
                return new Memory(-1, -1);
            }
        }

        public String rssMiB() {
            return rssKiB < 0 ? "?" : Long.toString(Math.round(rssKiB / 1024.0));
        }

        public String hwmMiB() {
            return hwmKiB < 0 ? "?" : Long.toString(Math.round(hwmKiB / 1024.0));
        }
    }

    public static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // fields after the command name in parentheses (which may contain spaces)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            return ticks * 1000 / 100; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** SIGKILL: no shutdown hooks, no clean consumer close — as when a node dies. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            Processes.stop(process.pid(), "TERM", Duration.ofSeconds(15));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
