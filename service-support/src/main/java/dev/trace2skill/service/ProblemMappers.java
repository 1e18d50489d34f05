package dev.trace2skill.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/** Every error leaves the services as an RFC 7807 problem body; unexpected ones are logged, not leaked. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response failure(Problem.Failure f) {
        return f.problem().toResponse();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String field = e instanceof JsonMappingException m && !m.getPath().isEmpty() ? dev.trace2skill.core.json.Json.path(m) : null;
        if (e instanceof RequestJson.InvalidText) {
            String f = field == null ? "(body)" : field;
            return Problem.of(422, "Invalid text", f + " " + e.getOriginalMessage(),
                    List.of(new Problem.FieldProblem(null, null, f, e.getOriginalMessage()))).toResponse();
        }
        return Problem.of(400, "Malformed JSON", e.getOriginalMessage(),
                field == null ? List.of() : List.of(new Problem.FieldProblem(null, null, field, e.getOriginalMessage()))).toResponse();
    }

    /** Text a store could not keep as sent (NUL, a lone surrogate): 422 naming the field. */
    @ServerExceptionMapper
    public Response invalidText(RequestJson.InvalidText e) {
        return json(e);
    }

    /** More specific than the framework's own mapper for wrong types, which would answer plain JSON. */
    @ServerExceptionMapper
    public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return json(e);
    }

    /** A {@code @Valid} request that breaks its constraints: 400 naming each field (see {@link Violations}). */
    @ServerExceptionMapper
    public Response constraintViolations(ConstraintViolationException e) {
        return Violations.problem(400, "Invalid request", "the request has " + e.getConstraintViolations().size() + " problem(s)",
                e.getConstraintViolations()).toResponse();
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Problem.of(404, "Not found", e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return Problem.of(405, "Method not allowed", e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return Problem.of(415, "Unsupported media type", e.getMessage()).toResponse();
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response web(WebApplicationException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof JsonProcessingException json) {
                return json(json);
            }
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        return Problem.of(status, Response.Status.fromStatusCode(status) == null ? "Error" : Response.Status.fromStatusCode(status).getReasonPhrase(),
                e.getMessage()).toResponse();
    }

    @ServerExceptionMapper(priority = 20_000)
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return Problem.of(500, "Internal error", "the request could not be processed; the error was logged").toResponse();
    }
}
