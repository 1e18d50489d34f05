package dev.trace2skill.service;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * Bearer-token protection of the API: writes under {@code /v1/} need {@code Authorization: Bearer <t2s.api.token>}
 * (401 without it, 403 with a wrong one); reads too when {@code t2s.api.protect-reads=true}. Health, metrics and
 * OpenAPI under {@code /q/} stay open for probes and scrapers.
 */
@Provider
public class ApiToken implements ContainerRequestFilter {
    private static final Set<String> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    @ConfigProperty(name = "t2s.api.token")
    String token;

    @ConfigProperty(name = "t2s.api.protect-reads", defaultValue = "false")
    boolean protectReads;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/") || (READS.contains(request.getMethod()) && !protectReads)) {
            return;
        }
        String header = request.getHeaderString("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            request.abortWith(Problem.of(401, "Unauthorized", "send Authorization: Bearer <token>").toResponse());
            return;
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
            request.abortWith(Problem.of(403, "Forbidden", "the bearer token is not valid").toResponse());
        }
    }
}
