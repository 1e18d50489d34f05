package dev.trace2skill.ingest.console;

import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Every console page but the login needs a valid session: a page request without one is sent to the login (303), an
 * htmx request gets 401 with {@code HX-Redirect}. A request that changes something (every console write is an htmx
 * POST) also needs the session's CSRF token in {@code X-CSRF-Token}, which the pages give htmx (on top of the cookie's
 * SameSite=Strict).
 */
public class ConsoleAuth {
    public static final String SESSION = "t2s.console.session";

    @Inject
    ConsoleSession sessions;

    @ServerRequestFilter
    public Optional<Response> filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/console") || path.equals("/console/login")) {
            return Optional.empty();
        }
        Optional<String> session = sessions.valid(request.getCookies().get(ConsoleSession.COOKIE));
        if (session.isEmpty()) {
            if (request.getHeaderString("HX-Request") != null) {
                return Optional.of(Response.status(401).header("HX-Redirect", "/console/login").type(MediaType.TEXT_PLAIN)
                        .entity("log in again").build());
            }
            String next = request.getMethod().equals(HttpMethod.GET) ? request.getUriInfo().getRequestUri().getRawPath()
                    + (request.getUriInfo().getRequestUri().getRawQuery() == null ? "" : "?" + request.getUriInfo().getRequestUri().getRawQuery())
                    : "/console/runs";
            return Optional.of(Response.seeOther(URI.create("/console/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8))).build());
        }
        request.setProperty(SESSION, session.get());
        String header = request.getHeaderString(ConsoleSession.CSRF_HEADER);
        if (!request.getMethod().equals(HttpMethod.GET) && !request.getMethod().equals(HttpMethod.HEAD)
                && !sessions.csrfMatches(session.get(), header)) {
            return Optional.of(Response.status(403).type(MediaType.TEXT_PLAIN).entity("the page is out of date: reload it").build());
        }
        return Optional.empty();
    }
}
