package dev.trace2skill.service;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer-token protection of the API under {@code /v1/}:
 * <ul>
 *   <li>writes need the API token ({@code t2s.api.token}, {@code T2S_API_TOKEN}) or the admin token;</li>
 *   <li>reads need the read token ({@code t2s.api.read-token}, {@code T2S_READ_TOKEN}), the API token or the admin
 *       token — unless {@code t2s.api.public-reads=true} ({@code T2S_PUBLIC_READS}, for local demos), when a read
 *       without a token is let through;</li>
 *   <li>the admin token ({@code t2s.api.admin-token}, {@code T2S_ADMIN_TOKEN}; none by default) is the only one that
 *       sees expected answers (see {@link Access}).</li>
 * </ul>
 * No token is 401, a token that is not valid (or a read token on a write) 403, each with a problem body. Health,
 * metrics and OpenAPI under {@code /q/} stay open for probes and scrapers: they hold no trajectory or skill.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiToken implements ContainerRequestFilter {
    private static final Set<String> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    @ConfigProperty(name = "t2s.api.token")
    String token;

    @ConfigProperty(name = "t2s.api.read-token")
    Optional<String> readToken;

    @ConfigProperty(name = "t2s.api.admin-token")
    Optional<String> adminToken;

    @ConfigProperty(name = "t2s.api.public-reads", defaultValue = "false")
    boolean publicReads;

    @Inject
    Access access;

    @Override
    public void filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/")) {
            return;
        }
        boolean read = READS.contains(request.getMethod());
        String header = request.getHeaderString("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            if (read && publicReads) {
                access.role(Access.Role.PUBLIC);
                return;
            }
            request.abortWith(Problem.of(401, "Unauthorized", read
                    ? "reads need Authorization: Bearer <token> (the read token or the API token)"
                    : "send Authorization: Bearer <token>").toResponse());
            return;
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        Access.Role role = matches(given, adminToken) ? Access.Role.ADMIN : matches(given, Optional.of(token)) ? Access.Role.WRITE
                : matches(given, readToken) ? Access.Role.READ : null;
        if (role == null) {
            request.abortWith(Problem.of(403, "Forbidden", "the bearer token is not valid").toResponse());
            return;
        }
        if (!read && role == Access.Role.READ) {
            request.abortWith(Problem.of(403, "Forbidden", "the read token cannot change anything: writes need the API token").toResponse());
            return;
        }
        access.role(role);
    }

    private static boolean matches(byte[] given, Optional<String> expected) {
        return expected.isPresent() && !expected.get().isBlank()
                && MessageDigest.isEqual(given, expected.get().strip().getBytes(StandardCharsets.UTF_8));
    }
}
