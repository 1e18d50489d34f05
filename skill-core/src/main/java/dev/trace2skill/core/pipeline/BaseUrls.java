package dev.trace2skill.core.pipeline;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * Model server base URLs as runs and evaluations may give them ({@code models.*.baseUrl}). Anyone who may start a run
 * decides where its trajectories and skills are sent, so a base URL is accepted only when it is one the operator
 * configured: a named endpoint's URL or an entry of {@code t2s.models.allowed-base-urls} (none by default — runs name
 * endpoints instead). URLs are compared in a normal form: http or https, host in lower case, no default port, no
 * trailing slash; user info, a query or a fragment make a URL unacceptable.
 */
public final class BaseUrls {
    private BaseUrls() {
    }

    /** The normal form of {@code url}, or empty when it is not an acceptable http(s) base URL. */
    public static Optional<String> normalize(String url) {
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        try {
            URI u = new URI(url.strip());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getRawUserInfo() != null
                    || u.getRawQuery() != null || u.getRawFragment() != null) {
                return Optional.empty();
            }
            int port = u.getPort();
            boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
            String path = u.getRawPath() == null ? "" : u.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            return Optional.of(scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + path);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code url} is one of {@code allowed} (each compared in normal form). */
    public static boolean allowed(String url, Collection<String> allowed) {
        Optional<String> n = normalize(url);
        return n.isPresent() && allowed.stream().map(BaseUrls::normalize).flatMap(Optional::stream).anyMatch(n.get()::equals);
    }

    /** Why {@code url} is refused, for a field problem. */
    public static String refusal(String url) {
        return normalize(url).isEmpty()
                ? "must be an http(s) URL without user info, query or fragment"
                : "is not an allowed model endpoint: name a configured endpoint (\"endpoint\") or ask the operator to add this URL to"
                + " t2s.models.allowed-base-urls (T2S_MODELS_ALLOWED_BASE_URLS)";
    }
}
