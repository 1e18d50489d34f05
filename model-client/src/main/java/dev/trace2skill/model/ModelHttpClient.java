package dev.trace2skill.model;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP transport under langchain4j's OpenAI chat model, on the service's Vert.x HTTP client (the event loops the
 * service already runs; keep-alive connections pooled per server). A model call from a virtual thread parks until the
 * answer is read, with no other thread in between (the JDK's client handed each call through several threads, and was
 * a tenth of a worker's CPU in the issue-18 profile). It also keeps what the server said about retrying: a non-2xx
 * answer becomes a {@link ModelHttpException} carrying the status and the {@code Retry-After} header, which the retry
 * policy honours.
 */
public final class ModelHttpClient implements HttpClient {
    private final Vertx vertx;
    private final io.vertx.core.http.HttpClient client;
    private final Duration readTimeout;

    ModelHttpClient(Vertx vertx, io.vertx.core.http.HttpClient client, Duration readTimeout) {
        this.vertx = vertx;
        this.client = client;
        this.readTimeout = readTimeout;
    }

    /**
     * The shared client of a Vert.x instance: connections are kept alive and pooled per server, as many as the calls in
     * flight (each endpoint's own limit, {@code max-concurrent}, is applied before a call gets here).
     */
    static io.vertx.core.http.HttpClient vertxClient(Vertx vertx, Duration connectTimeout) {
        return vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setKeepAlive(true)
                // an idle connection is closed before a server would close it (vLLM's uvicorn: 5 s), so a call is never
                // sent on a connection the server has just dropped
                .setKeepAliveTimeout(4)
                .setMaxPoolSize(1024)
                .setMaxWaitQueueSize(-1)
                .setDecompressionSupported(true)
                .setName("model-client"));
    }

    /** A non-2xx answer from a model server, with its {@code Retry-After} when it sent one. */
    public static final class ModelHttpException extends HttpException {
        private final Duration retryAfter;

        ModelHttpException(int status, String body, Duration retryAfter) {
            super(status, body == null || body.isBlank() ? "HTTP " + status : body);
            this.retryAfter = retryAfter;
        }

        Optional<Duration> retryAfter() {
            return Optional.ofNullable(retryAfter);
        }

        boolean retryable() {
            return statusCode() == 429 || statusCode() >= 500;
        }
    }

    /** The server could not be reached or did not answer in time. */
    public static final class ModelTransportException extends RuntimeException {
        ModelTransportException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** What was read of an answer. */
    private record Answer(int status, Map<String, List<String>> headers, String body) {
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        RequestOptions options = new RequestOptions().setAbsoluteURI(request.url())
                .setMethod(HttpMethod.valueOf(request.method().name())).setIdleTimeout(readTimeout.toMillis());
        request.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("host")) {
                values.forEach(v -> options.addHeader(name, v));
            }
        });
        String body = request.body();
        Answer answer;
        // the whole exchange runs on one event loop, so the body handler is set in the same turn as the response
        // arrives (set from another thread, the first bytes of a short answer could be read before it)
        CompletableFuture<Answer> done = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(ignored -> client.request(options)
                .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), headers(resp.headers()), b.toString(StandardCharsets.UTF_8))))
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        done.complete(ar.result());
                    } else {
                        done.completeExceptionally(ar.cause());
                    }
                }));
        try {
            // the request's idle timeout ends the exchange first; this wait is only the backstop
            answer = done.get(readTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof TimeoutException) {
                throw notAnswered(request, cause);
            }
            throw new ModelTransportException("cannot reach the model server at " + request.url() + ": " + cause, cause);
        } catch (TimeoutException e) {
            throw notAnswered(request, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelTransportException("interrupted while calling the model server", e);
        }
        if (answer.status() / 100 != 2) {
            List<String> retry = answer.headers().get("retry-after");
            throw new ModelHttpException(answer.status(), answer.body(), retryAfter(retry == null || retry.isEmpty() ? null : retry.get(0)));
        }
        return SuccessfulHttpResponse.builder().statusCode(answer.status()).headers(answer.headers()).body(answer.body()).build();
    }

    /** The request's idle timeout, or the backstop wait behind it, ran out. */
    private ModelTransportException notAnswered(HttpRequest request, Throwable cause) {
        return new ModelTransportException("the model server at " + request.url() + " did not answer within " + readTimeout, cause);
    }

    /** Response headers by lower-case name. */
    private static Map<String, List<String>> headers(MultiMap headers) {
        Map<String, List<String>> out = new HashMap<>();
        headers.forEach(h -> out.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(h.getValue()));
        return out;
    }

    /** Retry-After as delta-seconds or an HTTP date. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip())));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (RuntimeException ignored) {
                return null;
            }
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("the analysts do not stream");
    }

    static final class Builder implements HttpClientBuilder {
        private final Vertx vertx;
        private final io.vertx.core.http.HttpClient client;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(120);

        /** @param client the shared client ({@link #vertxClient}); its own connect timeout applies */
        Builder(Vertx vertx, io.vertx.core.http.HttpClient client) {
            this.vertx = vertx;
            this.client = client;
        }

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration d) {
            if (d != null) {
                connectTimeout = d;
            }
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration d) {
            if (d != null) {
                readTimeout = d;
            }
            return this;
        }

        @Override
        public HttpClient build() {
            return new ModelHttpClient(vertx, client, readTimeout);
        }
    }
}
