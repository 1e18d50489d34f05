package dev.trace2skill.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from the system's binaries (Debian's {@code postgresql} package), with trust
 * authentication for the superuser {@code t2s}, listening on 127.0.0.1 only, tuned for throwaway data (no fsync).
 * PostgreSQL refuses to run as root; as root this runs it as the {@code postgres} OS user. That user may not be able to
 * reach the caller's directory (a checkout under {@code /root}, or in any 0700 folder), so then the server's own
 * directory (data, socket, working directory) is a fresh per-server folder under the system temp directory, owned by
 * {@code postgres} and removed when the server is stopped; only the log stays in the caller's directory.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "t2s";
    private static final Pattern DB_NAME = Pattern.compile("^[a-z_][a-z0-9_]{0,62}$");

    /** Prefix of the per-server folders made under the system temp directory when the server runs as another user. */
    static final String SERVER_DIR_PREFIX = "t2s-pg-";

    private final Path dataDir;
    private final Path bin;
    private final int port;
    private final Process process;

    private PostgresServer(Path dataDir, Path bin, int port, Process process) {
        this.dataDir = dataDir;
        this.bin = bin;
        this.port = port;
        this.process = process;
    }

    public static PostgresServer start(Path dir, int port, boolean detached, Duration timeout) {
        Path bin = binaries();
        Path log = dir.resolve("postgres.log");
        try {
            Files.createDirectories(dir);
            Path serverDir = isRoot() ? ownServerDir() : dir;
            Path data = serverDir.resolve("pgdata");
            try {
                Processes.run(asPostgres(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                        "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")), Duration.ofSeconds(120), serverDir);
                List<String> postgres = List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p", Integer.toString(port),
                        "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + data,
                        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                        "-c", "max_connections=300", "-c", "shared_buffers=64MB");
                List<String> cmd;
                if (detached) {
                    cmd = asPostgres(postgres);
                } else {
                    // stop the server when this JVM's end of the stdin pipe closes, however the JVM ended
                    // (a background job's stdin is /dev/null in a non-interactive shell, so the pipe is passed on fd 3)
                    List<String> sh = new ArrayList<>(List.of("sh", "-c",
                            "exec 3<&0; \"$@\" </dev/null & pid=$!; (cat <&3 >/dev/null; kill -INT $pid 2>/dev/null) & wait $pid", "sh"));
                    sh.addAll(postgres);
                    cmd = asPostgres(sh);
                }
                Process process = Processes.start(cmd, log, detached, serverDir);
                awaitReady(bin, port, log, process, timeout);
                return new PostgresServer(data, bin, port, detached ? null : process);
            } catch (RuntimeException e) {
                if (!serverDir.equals(dir)) {
                    LocalInfra.deleteTree(serverDir);
                }
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fresh folder for a server that runs as the {@code postgres} user: under the system temp directory (which every
     * user can traverse), mode 0700, owned by {@code postgres}.
     */
    private static Path ownServerDir() throws IOException {
        Path d = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), SERVER_DIR_PREFIX,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        chown(d);
        return d;
    }

    /**
     * Deletes the server's folder when it is one of the per-server temp folders made by {@link #start} (the caller's own
     * directory is left to the caller).
     */
    public static void deleteServerDir(Path dataDir) {
        Path serverDir = dataDir.getParent();
        if (serverDir != null && serverDir.getFileName().toString().startsWith(SERVER_DIR_PREFIX)
                && serverDir.getParent().equals(Path.of(System.getProperty("java.io.tmpdir")))) {
            LocalInfra.deleteTree(serverDir);
        }
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The postmaster's pid, from {@code postmaster.pid}. */
    public long pid() {
        return postmasterPid(dataDir);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates the database unless it exists. */
    public void createDatabase(String name) {
        createDatabase(bin, port, name);
    }

    public static void createDatabase(Path bin, int port, String name) {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database names are lowercase letters, digits and underscores: " + name);
        }
        String exists = psql(bin, port, "SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
        if (!exists.strip().equals("1")) {
            psql(bin, port, "CREATE DATABASE " + name);
        }
    }

    static String psql(Path bin, int port, String sql) {
        return Processes.run(List.of(bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER,
                "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-tAc", sql), Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        stop(dataDir, port);
        if (process != null) {
            process.destroyForcibly();
        }
        deleteServerDir(dataDir);
    }

    /** Fast shutdown (SIGINT to the postmaster), then waits for the port to close. */
    public static void stop(Path dataDir, int port) {
        long pid = postmasterPid(dataDir);
        if (pid > 0) {
            Processes.stop(pid, "INT", Duration.ofSeconds(20));
        }
        Ports.awaitClosed(port, Duration.ofSeconds(10));
    }

    static long postmasterPid(Path dataDir) {
        try {
            Path pidFile = dataDir.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return -1;
            }
            return Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void awaitReady(Path bin, int port, Path log, Process process, Duration timeout) {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("PostgreSQL exited with " + process.exitValue() + "; log tail:\n" + Processes.tail(log, 30));
            }
            try {
                Processes.run(List.of(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER),
                        Duration.ofSeconds(5));
                return;
            } catch (IllegalStateException notYet) {
                Ports.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("PostgreSQL did not start within " + timeout + "; log tail:\n" + Processes.tail(log, 30));
    }

    /** {@code T2S_PG_BIN}, else the newest {@code /usr/lib/postgresql/<version>/bin}, else the directory of {@code initdb} on PATH. */
    public static Path binaries() {
        String env = System.getenv("T2S_PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path newest = versions.filter(p -> Files.isExecutable(p.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(p -> parseVersion(p.getFileName().toString()))).orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path initdb = Path.of(dir, "initdb");
            if (Files.isExecutable(initdb)) {
                try {
                    return initdb.toRealPath().getParent();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries not found: install Debian's postgresql package or set T2S_PG_BIN");
    }

    private static int parseVersion(String s) {
        try {
            return Integer.parseInt(s.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean isRoot() {
        try {
            return Processes.run(List.of("id", "-u"), Duration.ofSeconds(5)).strip().equals("0");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static List<String> asPostgres(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> out = new ArrayList<>(Arrays.asList("runuser", "-u", "postgres", "--"));
        out.addAll(command);
        return out;
    }

    private static void chown(Path path) throws IOException {
        UserPrincipal postgres = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(path, postgres);
    }
}
