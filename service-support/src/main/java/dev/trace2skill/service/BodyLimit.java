package dev.trace2skill.service;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.Optional;

/**
 * A body declared larger than {@code quarkus.http.limits.max-body-size} is refused with 413 and a problem body. Quarkus'
 * own limit (a route at {@link RouteConstants#ROUTE_ORDER_UPLOAD_LIMIT}) ends such a request with an empty 413 before
 * any exception mapper could answer; this route runs just ahead of it and says why, then closes the connection (the
 * body is not read). A chunked body without a declared length is still cut off by Quarkus' limit while it is read.
 * <p>
 * A service whose Quarkus limit is raised for a few endpoints (the evaluator takes workbooks up to 64 MB at
 * {@code /v1/tasksets/...}) keeps the smaller {@code t2s.http.max-body-size} for every other path: only paths under
 * {@code t2s.http.large-body-paths} may use the whole Quarkus limit.
 */
@ApplicationScoped
public class BodyLimit {
    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBodySize;
    @ConfigProperty(name = "t2s.http.max-body-size")
    Optional<MemorySize> ownLimit;
    @ConfigProperty(name = "t2s.http.large-body-paths")
    Optional<List<String>> largeBodyPaths;

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::check);
    }

    void check(RoutingContext rc) {
        String declared = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long length;
        try {
            length = declared == null ? -1 : Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            length = -1;
        }
        long max = limit(rc.normalizedPath());
        if (length <= max) {
            rc.next();
            return;
        }
        String body = "{\"type\":\"https://trace2skill.dev/problems/too-large\",\"title\":\"Request too large\",\"status\":413,"
                + "\"detail\":\"the body is " + length + " bytes; this service takes at most " + max + " bytes per request\"}";
        rc.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .endHandler(v -> rc.request().connection().close())
                .end(body);
    }

    /** The largest body {@code path} takes. */
    long limit(String path) {
        long quarkus = maxBodySize.asLongValue();
        if (ownLimit.isEmpty() || largeBodyPaths.orElse(List.of()).stream().anyMatch(path::startsWith)) {
            return quarkus;
        }
        return Math.min(quarkus, ownLimit.get().asLongValue());
    }
}
