package dev.trace2skill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams a file of trajectories to the front door as a background import ({@code ?async=true}), then follows the
 * import ({@code /v1/imports/<id>}) with a progress bar: records, bytes, rejected.
 */
@Command(name = "push", description = "Upload trajectories (streamed), with a progress bar of records, bytes and rejected ones.")
public class PushCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "FILE", description = "JSON, NDJSON (.ndjson/.jsonl) or a text log (.txt/.log)")
    Path file;

    @Option(names = "--format", defaultValue = "trajectory",
            description = "trajectory (this project's JSON, default), openai-messages, anthropic-messages, openai-responses, react, otlp-json, swe-agent")
    String format;

    @Option(names = "--dataset", defaultValue = "default", description = "the dataset the records join (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--id-prefix", description = "prefix of the ids of records that have none")
    String idPrefix;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CliException(Exit.USAGE, "no such file: " + file);
        }
        long size = Files.size(file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String type = name.endsWith(".ndjson") || name.endsWith(".jsonl") ? "application/x-ndjson"
                : name.endsWith(".txt") || name.endsWith(".log") ? "text/plain" : "application/json";
        String path = format.equals("trajectory") ? "/v1/trajectories?async=true&dataset=" + Api.q(dataset)
                : "/v1/trajectories/import?async=true&format=" + Api.q(format) + "&dataset=" + Api.q(dataset);
        if (idPrefix != null) {
            path += "&idPrefix=" + Api.q(idPrefix);
        }
        Progress bar = main.progress();
        AtomicLong sent = new AtomicLong();
        Api api = main.api();
        JsonNode job = api.postStream(path, type, () -> {
            try {
                return new FilterInputStream(Files.newInputStream(file)) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) {
                            long s = sent.addAndGet(n);
                            bar.update(size == 0 ? 1 : s / (double) size, "uploading " + Progress.bytes(s) + " of " + Progress.bytes(size), false);
                        }
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String id = job.path("id").asText();
        while (true) {
            String status = job.path("status").asText();
            long read = job.path("bytesRead").asLong();
            long total = job.path("bytesTotal").asLong(size);
            String text = String.format(Locale.ROOT, "%,d records, %s of %s, %,d rejected, %,d duplicates (%s)", job.path("received").asLong(),
                    Progress.bytes(read), Progress.bytes(total), job.path("rejectedCount").asLong(), job.path("duplicates").asLong(), status);
            boolean over = status.equals("done") || status.equals("failed");
            bar.update(total <= 0 ? -1 : read / (double) total, text, over);
            if (over) {
                break;
            }
            main.sleep();
            job = api.getJson("/v1/imports/" + Api.q(id));
        }
        if (main.json) {
            main.printJson(job);
        } else {
            main.out.printf(Locale.ROOT, "pushed %s to dataset %s: %,d received, %,d accepted, %,d duplicates, %,d rejected (import %s, %s)%n",
                    file.getFileName(), dataset, job.path("received").asLong(), job.path("accepted").asLong(), job.path("duplicates").asLong(),
                    job.path("rejectedCount").asLong(), id, job.path("status").asText());
            JsonNode rejected = job.path("report").path("rejected");
            int shown = 0;
            for (JsonNode r : rejected) {
                if (shown++ == 20) {
                    main.out.println("  ... (" + (rejected.size() - 20) + " more in --json)");
                    break;
                }
                StringBuilder l = new StringBuilder("  record ").append(r.path("index").asText("?"))
                        .append(r.hasNonNull("id") ? " [" + r.path("id").asText() + "]" : "").append(" (").append(r.path("status").asInt()).append(')');
                for (JsonNode e : r.path("errors")) {
                    l.append(' ').append(e.path("field").asText("")).append(": ").append(e.path("message").asText("")).append(';');
                }
                main.out.println(l);
            }
            if (job.hasNonNull("error") && job.path("status").asText().equals("failed")) {
                main.out.println("  " + job.path("error").asText());
            }
        }
        if (job.path("status").asText().equals("failed")) {
            return Exit.FAILED;
        }
        return job.path("rejectedCount").asLong() > 0 ? Exit.PARTIAL : Exit.OK;
    }
}
