package dev.trace2skill.service;

import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;

import java.util.Set;

/**
 * A request that sends a body must say what it is: a body without {@code Content-Type} is a 415 problem, not taken as
 * JSON (or as whatever the resource happens to read). Requests without a body ({@code POST …/cancel},
 * {@code …/approve}) need none.
 */
@Provider
@PreMatching
@Priority(Priorities.HEADER_DECORATOR)
public class ContentTypeRequired implements ContainerRequestFilter {
    private static final Set<String> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);

    @Override
    public void filter(ContainerRequestContext request) {
        if (!WITH_BODY.contains(request.getMethod()) || !request.getUriInfo().getPath().startsWith("/v1/")) {
            return;
        }
        String type = request.getHeaderString("Content-Type");
        if (type != null && !type.isBlank()) {
            return;
        }
        String length = request.getHeaderString("Content-Length");
        boolean body = request.getHeaderString("Transfer-Encoding") != null || (length != null && !length.strip().equals("0"));
        if (body) {
            request.abortWith(Problem.of(415, "Unsupported media type",
                    "the request has a body but no Content-Type: send Content-Type: application/json (or the type the endpoint takes)")
                    .toResponse());
        }
    }
}
