package dev.trace2skill.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * An RFC 7807 problem body ({@code application/problem+json}): type, title, status, detail, and the offending
 * fields ({@code errors}) — each naming the record index and the field, so a client can fix its input.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldProblem> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType PROBLEM_JSON = MediaType.valueOf(MEDIA_TYPE);

    /**
     * @param record  index of the record in the request (0-based), or null when the request has one
     * @param id      the record's id when known
     * @param field   the field (JSON-pointer-like), e.g. {@code steps[2].action.tool}
     * @param message what is wrong
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldProblem(Integer record, String id, String field, String message) {
        /** A problem with a field of the request as a whole (no record index, no id). */
        public static FieldProblem of(String field, String message) {
            return new FieldProblem(null, null, field, message);
        }
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem(typeFor(status), title, status, detail, null, List.of());
    }

    public static Problem of(int status, String title, String detail, List<FieldProblem> errors) {
        return new Problem(typeFor(status), title, status, detail, null, errors);
    }

    /** A failure naming one offending field of the request. */
    public static Failure field(int status, String title, String detail, String field, String message) {
        return of(status, title, detail, List.of(FieldProblem.of(field, message))).failure();
    }

    /** 400 for a query or path parameter that is out of range or malformed. */
    public static Failure invalidParameter(String field, String message) {
        return field(400, "Invalid parameter", field + " " + message, field, message);
    }

    public Response toResponse() {
        return Response.status(status).type(PROBLEM_JSON).entity(this).build();
    }

    /** A failure carrying its problem, for resources to throw. */
    public static final class Failure extends RuntimeException {
        private final Problem problem;

        public Failure(Problem problem) {
            super(problem.title() + ": " + problem.detail());
            this.problem = problem;
        }

        public Problem problem() {
            return problem;
        }
    }

    public Failure failure() {
        return new Failure(this);
    }

    private static String typeFor(int status) {
        return "https://trace2skill.dev/problems/" + switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 409 -> "conflict";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            case 422 -> "unprocessable";
            default -> "error-" + status;
        };
    }
}
