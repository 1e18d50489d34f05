package dev.trace2skill.model;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.trace2skill.core.pipeline.BaseUrls;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.trajectory.TokenUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every model call goes through here. Per endpoint: at most {@code max-concurrent} calls in flight from this replica
 * (callers wait, a conversation's next turn before a first call: {@link ModelSlots}; a server is not flooded), retries
 * of 429, 5xx and transport failures with exponential backoff and jitter that also wait out the server's
 * {@code Retry-After}, and a circuit breaker. Tokens come from the server's {@code usage}. Latency, slot waits, tokens
 * and retries are exported as metrics.
 */
@ApplicationScoped
public class ModelGateway {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ModelGateway.class);
    @Inject
    ModelConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    io.vertx.core.Vertx vertx;

    /** One HTTP client for every endpoint (pooled connections per server), on the service's Vert.x event loops. */
    private io.vertx.core.http.HttpClient http;

    @jakarta.annotation.PostConstruct
    void init() {
        http = ModelHttpClient.vertxClient(vertx, Duration.ofSeconds(10));
    }

    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    private final Map<String, ModelSlots> slots = new ConcurrentHashMap<>();
    private final Map<String, Timer> slotWaits = new ConcurrentHashMap<>();
    private final Map<Target, ChatModel> models = new ConcurrentHashMap<>();

    /**
     * A resolved model: endpoint, credentials and generation settings.
     *
     * @param endpoint      endpoint name (or {@code url:<base>} for a run-given base URL)
     * @param baseUrl       server base URL ending in /v1
     * @param apiKey        API key, or null for keyless servers
     * @param model         model name
     * @param temperature   sampling temperature
     * @param maxTokens     completion token cap per call
     * @param timeout       per-call timeout
     * @param maxConcurrent calls in flight to this endpoint from this replica
     */
    public record Target(String endpoint, String baseUrl, String apiKey, String model, double temperature, int maxTokens,
                         Duration timeout, int maxConcurrent) {
        @Override
        public String toString() {
            return endpoint + "/" + model;
        }
    }

    /** A model's answer and its cost. */
    public record Reply(ChatResponse response, TokenUsage usage) {
        public String text() {
            return response.aiMessage().text();
        }
    }

    /** Thrown when a model call failed after its retries (or the circuit is open); carries the reason for the DLQ. */
    public static final class ModelUnavailableException extends RuntimeException {
        public ModelUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A base URL that is neither a configured endpoint's nor in {@code t2s.models.allowed-base-urls}. */
    public static final class BaseUrlNotAllowed extends IllegalArgumentException {
        public BaseUrlNotAllowed(String url) {
            super("baseUrl " + url + " " + BaseUrls.refusal(url));
        }
    }

    /**
     * The target of a stage's settings. A given {@code baseUrl} must be a configured endpoint's URL (that endpoint is
     * then used, with its own key) or be listed in {@code t2s.models.allowed-base-urls} (then no key is sent: a
     * configured key only ever goes to its own endpoint); anything else is refused with {@link BaseUrlNotAllowed}.
     */
    public Target resolve(ModelSettings settings) {
        ModelSettings s = settings == null ? ModelSettings.DEFAULTS : settings;
        String model = s.model() != null ? s.model() : config.model();
        double temperature = s.temperature() != null ? s.temperature() : config.temperature();
        int maxTokens = s.maxTokens() != null ? s.maxTokens() : config.maxTokens();
        String name = s.endpoint() != null ? s.endpoint() : config.defaultEndpoint();
        if (s.baseUrl() != null && !s.baseUrl().isBlank()) {
            Optional<String> url = BaseUrls.normalize(s.baseUrl());
            Optional<String> own = url.isEmpty() ? Optional.empty() : config.endpoints().entrySet().stream()
                    .filter(e -> BaseUrls.normalize(e.getValue().baseUrl()).equals(url)).map(Map.Entry::getKey).sorted().findFirst();
            if (own.isPresent()) {
                name = own.get();
            } else if (BaseUrls.allowed(s.baseUrl(), config.allowedBaseUrls().orElse(List.of()))) {
                return new Target("url:" + url.get(), s.baseUrl(), null, model, temperature, maxTokens, Duration.ofSeconds(120), 16);
            } else {
                throw new BaseUrlNotAllowed(s.baseUrl());
            }
        }
        ModelConfig.Endpoint e = config.endpoints().get(name);
        if (e == null) {
            throw new IllegalArgumentException("unknown model endpoint '" + name + "'; configured: " + config.endpoints().keySet());
        }
        return new Target(name, e.baseUrl(), e.apiKey().filter(k -> !k.isBlank()).orElse(null), model, temperature, maxTokens,
                e.timeout(), e.maxConcurrent());
    }

    public Reply chat(Target target, List<ChatMessage> messages, List<ToolSpecification> tools) {
        return chat(target, messages, tools, null);
    }

    /** With a sampling seed (OpenAI's {@code seed}), for repeated evaluation runs. */
    public Reply chat(Target target, List<ChatMessage> messages, List<ToolSpecification> tools, Integer seed) {
        return chat(target, messages, tools, seed, null);
    }

    /**
     * With a sampling seed and a completion cap for this call ({@code max_tokens}, below the target's own), either
     * may be null.
     */
    public Reply chat(Target target, List<ChatMessage> messages, List<ToolSpecification> tools, Integer seed, Integer maxOutputTokens) {
        ChatModel model = models.computeIfAbsent(target, this::build);
        ChatRequest.Builder request = ChatRequest.builder().messages(messages);
        boolean withTools = tools != null && !tools.isEmpty();
        if (seed != null || maxOutputTokens != null) {
            // a request carries either parameters or tool specifications: with parameters, the tools go into them
            var parameters = OpenAiChatRequestParameters.builder().seed(seed);
            if (maxOutputTokens != null) {
                parameters.maxOutputTokens(Math.min(maxOutputTokens, target.maxTokens()));
            }
            if (withTools) {
                parameters.toolSpecifications(tools);
            }
            request.parameters(parameters.build());
        } else if (withTools) {
            request.toolSpecifications(tools);
        }
        ChatRequest built = request.build();
        ModelSlots slot = slots.computeIfAbsent(target.endpoint(), k -> slots(k, target.maxConcurrent()));
        Guard guard = guards.computeIfAbsent(target.endpoint(), this::guard);
        // a conversation the model has answered before is continued by this call (an agent loop's tool round, a repair)
        ModelSlots.Turn turn = messages.stream().anyMatch(AiMessage.class::isInstance) ? ModelSlots.Turn.NEXT : ModelSlots.Turn.FIRST;
        long waitStart = System.nanoTime();
        try {
            slot.acquire(turn);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailableException("interrupted while waiting for " + target, e);
        }
        slotWait(target.endpoint(), turn).record(System.nanoTime() - waitStart, TimeUnit.NANOSECONDS);
        // the latency is the call's own, from its slot on (the wait for the slot is t2s.model.slot.wait)
        Timer.Sample sample = Timer.start(registry);
        try {
            ChatResponse response;
            try {
                response = guard.call(() -> model.chat(built), ChatResponse.class);
            } finally {
                slot.release();
            }
            sample.stop(timer(target, "ok"));
            TokenUsage usage = response.tokenUsage() == null ? TokenUsage.ZERO : new TokenUsage(
                    nz(response.tokenUsage().inputTokenCount()), nz(response.tokenUsage().outputTokenCount()));
            tokens(target, "prompt").increment(usage.promptTokens());
            tokens(target, "completion").increment(usage.completionTokens());
            return new Reply(response, usage);
        } catch (Exception e) {
            sample.stop(timer(target, "error"));
            throw new ModelUnavailableException("model call to " + target + " failed: " + describe(e), e);
        }
    }

    /** An endpoint's slots, with a gauge of the calls waiting for them by turn. */
    private ModelSlots slots(String endpoint, int maxConcurrent) {
        ModelSlots s = new ModelSlots(maxConcurrent);
        for (ModelSlots.Turn turn : ModelSlots.Turn.values()) {
            Gauge.builder("t2s.model.slot.waiting", s, x -> x.waiting(turn))
                    .description("model calls waiting for one of the endpoint's max-concurrent slots, by turn (a conversation's next turn goes first)")
                    .tags("endpoint", endpoint, "turn", turn.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        return s;
    }

    private Timer slotWait(String endpoint, ModelSlots.Turn turn) {
        return slotWaits.computeIfAbsent(endpoint + '\n' + turn, k -> Timer.builder("t2s.model.slot.wait")
                .description("how long a model call waited for one of the endpoint's max-concurrent slots, by turn")
                .tags("endpoint", endpoint, "turn", turn.name().toLowerCase(Locale.ROOT)).publishPercentileHistogram().register(registry));
    }

    private Guard guard(String endpoint) {
        ModelConfig.Retry r = config.retry();
        ModelConfig.CircuitBreaker cb = config.circuitBreaker();
        return Guard.create()
                .withDescription("model endpoint " + endpoint)
                .withRetry()
                .maxRetries(r.maxRetries())
                .delay(r.initialDelay().toMillis(), ChronoUnit.MILLIS)
                .jitter(r.jitter().toMillis(), ChronoUnit.MILLIS)
                .maxDuration(Math.max(60_000, r.maxDelay().toMillis() * (r.maxRetries() + 2)), ChronoUnit.MILLIS)
                .whenException(ModelGateway::transient_)
                .beforeRetry(t -> {
                    retries(endpoint, reason(t)).increment();
                    LOG.warnf("model endpoint %s: retrying a call that failed: %s", endpoint, describe(t));
                    retryAfter(t).map(d -> d.compareTo(r.maxRetryAfter()) > 0 ? r.maxRetryAfter() : d).ifPresent(ModelGateway::sleep);
                })
                .withExponentialBackoff().factor(2).maxDelay(r.maxDelay().toMillis(), ChronoUnit.MILLIS).done()
                .done()
                .withCircuitBreaker()
                .name("model-" + endpoint)
                .requestVolumeThreshold(cb.requestVolumeThreshold())
                .failureRatio(cb.failureRatio())
                .delay(cb.delay().toMillis(), ChronoUnit.MILLIS)
                .when(ModelGateway::transient_)
                .done()
                .build();
    }

    private ChatModel build(Target t) {
        return new OpenAiChatModel.OpenAiChatModelBuilder()
                .httpClientBuilder(new ModelHttpClient.Builder(vertx, http))
                .baseUrl(t.baseUrl())
                .apiKey(t.apiKey() == null ? "none" : t.apiKey())
                .modelName(t.model())
                .temperature(t.temperature())
                .maxTokens(t.maxTokens())
                .timeout(t.timeout())
                .maxRetries(0)
                .build();
    }

    /** 429, 5xx and transport failures are worth retrying; 4xx answers are not. */
    static boolean transient_(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ModelHttpClient.ModelHttpException h) {
                return h.retryable();
            }
            if (c instanceof ModelHttpClient.ModelTransportException) {
                return true;
            }
        }
        return false;
    }

    static Optional<Duration> retryAfter(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ModelHttpClient.ModelHttpException h) {
                return h.retryAfter();
            }
        }
        return Optional.empty();
    }

    static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ModelHttpClient.ModelHttpException h) {
                return "http_" + h.statusCode();
            }
            if (c instanceof ModelHttpClient.ModelTransportException) {
                return "transport";
            }
        }
        return "other";
    }

    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ModelHttpClient.ModelHttpException h) {
                String body = h.getMessage() == null ? "" : h.getMessage();
                return "HTTP " + h.statusCode() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
            }
            if (c instanceof ModelHttpClient.ModelTransportException) {
                return c.getMessage();
            }
            if (c instanceof org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException) {
                return "circuit breaker open: the endpoint failed too often recently";
            }
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long nz(Integer i) {
        return i == null ? 0 : i;
    }

    private Timer timer(Target t, String outcome) {
        return Timer.builder("t2s.model.latency").description("model call latency, retries included")
                .tags("endpoint", t.endpoint(), "model", t.model(), "outcome", outcome)
                .publishPercentileHistogram().register(registry);
    }

    private Counter tokens(Target t, String type) {
        return Counter.builder("t2s.model.tokens").description("tokens reported by the model server's usage")
                .tags("model", t.model(), "type", type).register(registry);
    }

    /** Counts how a {@link RepairLoop} or {@link AgentLoop} ended. */
    void loopEnded(String loop, Enum<?> end) {
        Counter.builder("t2s.model.loops").description("model interaction loops ended, by loop and how they ended")
                .tags("loop", loop, "end", end.name().toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    private Counter retries(String endpoint, String reason) {
        return Counter.builder("t2s.model.retries").description("model calls retried")
                .tags("endpoint", endpoint, "reason", reason).register(registry);
    }
}
