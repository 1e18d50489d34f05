package dev.trace2skill.ingest.console;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.NewCookie;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The console's login: the API token, checked once, becomes a session cookie ({@code HttpOnly}, {@code SameSite=Strict},
 * path {@code /console}) whose value is an expiry and an HMAC of it keyed by the token — never the token itself, never
 * in a URL. Any replica that holds the token checks it; changing the token ends every session. Forms and htmx requests
 * that change something also carry a CSRF token derived from the session.
 */
@ApplicationScoped
public class ConsoleSession {
    public static final String COOKIE = "t2s_console";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final String CSRF_FIELD = "csrf";

    @ConfigProperty(name = "t2s.api.token")
    String token;
    @ConfigProperty(name = "t2s.console.session-hours", defaultValue = "12")
    int hours;
    @ConfigProperty(name = "t2s.console.secure-cookie", defaultValue = "false")
    boolean secureAlways;

    Clock clock = Clock.systemUTC();

    /** True when {@code given} is the API token (compared in constant time). */
    public boolean tokenMatches(String given) {
        return given != null && MessageDigest.isEqual(given.strip().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    /** A new session's cookie value: {@code <expiry epoch seconds>.<hmac>}. */
    public String newSession() {
        long expiry = clock.instant().plus(Duration.ofHours(hours)).getEpochSecond();
        return expiry + "." + mac("session:" + expiry);
    }

    /** The session of a request, if its cookie is well-formed, signed with the current token and not expired. */
    public Optional<String> valid(Cookie cookie) {
        if (cookie == null || cookie.getValue() == null) {
            return Optional.empty();
        }
        String v = cookie.getValue();
        int dot = v.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        long expiry;
        try {
            expiry = Long.parseLong(v.substring(0, dot));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        byte[] expected = mac("session:" + expiry).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, v.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))
                || expiry < clock.instant().getEpochSecond()) {
            return Optional.empty();
        }
        return Optional.of(v);
    }

    /** The CSRF token of a session (pages put it in forms and in htmx's request headers). */
    public String csrf(String session) {
        return mac("csrf:" + session);
    }

    public boolean csrfMatches(String session, String given) {
        return given != null && MessageDigest.isEqual(csrf(session).getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }

    public NewCookie cookie(String value, boolean https) {
        return new NewCookie.Builder(COOKIE).value(value).path("/console").httpOnly(true).secure(https || secureAlways)
                .sameSite(NewCookie.SameSite.STRICT).maxAge(hours * 3600).build();
    }

    public NewCookie cleared(boolean https) {
        return new NewCookie.Builder(COOKIE).value("").path("/console").httpOnly(true).secure(https || secureAlways)
                .sameSite(NewCookie.SameSite.STRICT).maxAge(0).build();
    }

    private String mac(String message) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(("t2s-console:" + token).getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(m.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
