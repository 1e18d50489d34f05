package dev.trace2skill.ingest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.importers.ImportOptions;
import dev.trace2skill.core.importers.Labels;
import dev.trace2skill.core.importers.QueryChoice;
import dev.trace2skill.core.importers.TrajectoryImporters;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.ErrorRules;
import dev.trace2skill.core.trajectory.TrajectoryLimits;
import dev.trace2skill.service.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads an import request's options into {@link ImportOptions}, refusing each bad one with a 400 problem naming its
 * parameter: {@code format}, {@code query}, {@code system}, {@code errorPattern}, {@code labels}, {@code async}, and
 * the body's shape from its media type.
 */
@ApplicationScoped
public class ImportRequests {
    @Inject
    LabelStore labels;

    @ConfigProperty(name = "t2s.ingest.max-trajectory-bytes", defaultValue = "10485760")
    long maxTrajectoryBytes;
    @ConfigProperty(name = "t2s.ingest.max-steps", defaultValue = "10000")
    int maxSteps;
    @ConfigProperty(name = "t2s.ingest.max-step-chars", defaultValue = "1000000")
    int maxStepChars;
    @ConfigProperty(name = "t2s.ingest.max-tools", defaultValue = "1000")
    int maxTools;
    @ConfigProperty(name = "t2s.ingest.max-record-tokens", defaultValue = "2000000")
    long maxRecordTokens;

    /** The size limits of one trajectory beyond its bytes (steps, characters per step, distinct tools, JSON tokens). */
    public TrajectoryLimits limits() {
        return new TrajectoryLimits(maxSteps, maxStepChars, maxTools, maxRecordTokens);
    }

    /** This project's own format, with the configured limits. */
    public ImportOptions nativeOptions(String dataset) {
        return new ImportOptions(dataset, null, maxTrajectoryBytes, false).withLimits(limits());
    }

    /** An import's parameters as given (query string, or form fields for multipart). */
    public record Params(String format, String dataset, String idPrefix, String model, boolean submittedMeansSuccess, String query,
                         String system, List<String> errorPatterns, String labels, String async) {
    }

    /** The options, the body's shape, whether to run in the background, and the options as a job shows them. */
    public record Parsed(ImportOptions options, boolean async, ObjectNode view) {
    }

    public Parsed parse(Params p, Labels labelsPart) {
        ImportOptions o = new ImportOptions(p.idPrefix() == null || p.idPrefix().isBlank() ? p.dataset() : p.idPrefix(), p.model(),
                maxTrajectoryBytes, p.submittedMeansSuccess()).withLimits(limits());
        ObjectNode view = Json.mapper().createObjectNode();
        try {
            QueryChoice q = QueryChoice.parse(p.query());
            o = o.withQuery(q);
            if (p.query() != null && !p.query().isBlank()) {
                view.put("query", q.describe());
            }
        } catch (IllegalArgumentException e) {
            throw TrajectoryResource.field(400, "Invalid query option", "query", e.getMessage());
        }
        try {
            ImportOptions.SystemPrompt s = ImportOptions.SystemPrompt.parse(p.system());
            o = o.withSystem(s);
            view.put("system", s.name().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw TrajectoryResource.field(400, "Invalid system option", "system", e.getMessage());
        }
        List<String> patterns = p.errorPatterns() == null ? List.of() : p.errorPatterns().stream().filter(s -> s != null).toList();
        try {
            o = o.withErrorRules(ErrorRules.DEFAULT.withPatterns(patterns));
            if (!patterns.isEmpty()) {
                ArrayNode a = view.putArray("errorPatterns");
                patterns.forEach(a::add);
            }
        } catch (IllegalArgumentException e) {
            throw TrajectoryResource.field(400, "Invalid error pattern", "errorPattern", e.getMessage());
        }
        if (p.labels() != null && !p.labels().isBlank()) {
            if (labelsPart != null) {
                throw TrajectoryResource.field(400, "Labels given twice", "labels", "give ?labels= or a labels part, not both");
            }
            Labels stored = labels.labels(p.labels().strip()).orElseThrow(() -> TrajectoryResource.field(400, "Unknown label set", "labels",
                    "no label set " + p.labels() + ": upload one with POST /v1/labels"));
            o = o.withLabels(stored);
            view.put("labels", p.labels().strip());
        } else if (labelsPart != null) {
            o = o.withLabels(labelsPart);
            view.put("labels", "(part)");
        }
        if (p.submittedMeansSuccess()) {
            view.put("submittedMeansSuccess", true);
        }
        return new Parsed(o, async(p.async()), view);
    }

    static boolean async(String async) {
        if (async == null || async.isBlank()) {
            return false;
        }
        return switch (async.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw TrajectoryResource.field(400, "Invalid async", "async", "must be true or false");
        };
    }

    /** The body's shape from its media type: NDJSON, plain text (format react only) or JSON. */
    static TrajectoryImporters.Shape shape(String contentType, String format) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (ct.startsWith(TrajectoryResource.NDJSON)) {
            return TrajectoryImporters.Shape.NDJSON;
        }
        if (ct.startsWith(MediaType.TEXT_PLAIN)) {
            if (!TrajectoryImporters.readsText(format)) {
                throw Problem.field(415, "Unsupported media type", "text/plain uploads are read by format=react only", "format",
                        "format " + format + " reads JSON or NDJSON; text/plain logs are read by format=react");
            }
            return TrajectoryImporters.Shape.TEXT;
        }
        return TrajectoryImporters.Shape.JSON;
    }

    /** A multipart file part's shape: from its media type, else from its file name. */
    static TrajectoryImporters.Shape shape(String contentType, String fileName, String format) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (ct.startsWith(TrajectoryResource.NDJSON) || ct.startsWith(MediaType.TEXT_PLAIN) || ct.startsWith(MediaType.APPLICATION_JSON)) {
            return shape(ct, format);
        }
        String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) {
            return TrajectoryImporters.Shape.NDJSON;
        }
        if (name.endsWith(".txt") || name.endsWith(".log")) {
            return shape(MediaType.TEXT_PLAIN, format);
        }
        return TrajectoryImporters.Shape.JSON;
    }

    /** A labels part or body: parsed, or a 400 naming the labels. */
    static Labels readLabels(InputStream in, String field) {
        try {
            return Labels.read(in, Labels.DEFAULT_MAX_BYTES);
        } catch (IllegalArgumentException e) {
            throw TrajectoryResource.field(400, "Invalid labels", field, e.getMessage());
        } catch (IOException e) {
            throw TrajectoryResource.field(400, "Invalid labels", field, "cannot read the labels: " + e.getMessage());
        }
    }

    static Labels readLabels(Path file, String field) {
        try (InputStream in = Files.newInputStream(file)) {
            return readLabels(in, field);
        } catch (IOException e) {
            throw TrajectoryResource.field(400, "Invalid labels", field, "cannot read the labels part: " + e.getMessage());
        }
    }
}
