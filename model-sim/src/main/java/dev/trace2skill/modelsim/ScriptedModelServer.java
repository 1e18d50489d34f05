package dev.trace2skill.modelsim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A model server for tests that answers from scripts. A script is a predicate on the request and a queue of replies;
 * the first script whose predicate matches and still has replies answers (so concurrent conversations can be told
 * apart by what they contain); when none does, the fallback answers, and without a fallback the request fails with
 * HTTP 500 naming what was asked. Every request is recorded.
 */
public final class ScriptedModelServer extends ChatCompletionsServer {
    private final List<Script> scripts;
    private final List<ChatRequest> requests;

    private record Script(String name, Predicate<ChatRequest> when, Deque<Reply> replies) {
    }

    private static final class State {
        final List<Script> scripts = Collections.synchronizedList(new ArrayList<>());
        final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());
        volatile Function<ChatRequest, Reply> fallback;
    }

    private final State state;

    private ScriptedModelServer(State state, int port) {
        super(port, request -> answer(state, request));
        this.state = state;
        this.scripts = state.scripts;
        this.requests = state.requests;
    }

    public static ScriptedModelServer start() {
        return start(0);
    }

    /** On a given port (0 for a free one), e.g. one the services were configured with before the server existed. */
    public static ScriptedModelServer start(int port) {
        return new ScriptedModelServer(new State(), port);
    }

    private static Reply answer(State state, ChatRequest request) {
        state.requests.add(request);
        synchronized (state.scripts) {
            for (Script s : state.scripts) {
                if (!s.replies().isEmpty() && s.when().test(request)) {
                    return s.replies().poll();
                }
            }
        }
        Function<ChatRequest, Reply> fallback = state.fallback;
        if (fallback != null) {
            return fallback.apply(request);
        }
        throw new IllegalStateException("no script matches a request whose last message is: "
                + abbreviate(request.lastMessage()));
    }

    /** Adds a script: requests matching {@code when} get {@code replies} in order. */
    public ScriptedModelServer when(String name, Predicate<ChatRequest> when, Reply... replies) {
        scripts.add(new Script(name, when, new ArrayDeque<>(List.of(replies))));
        return this;
    }

    /** Requests whose messages contain {@code text} get {@code replies} in order. */
    public ScriptedModelServer whenContains(String text, Reply... replies) {
        return when("contains " + text, r -> r.text().contains(text), replies);
    }

    /** Any request gets {@code replies} in order. */
    public ScriptedModelServer enqueue(Reply... replies) {
        return when("any", r -> true, replies);
    }

    public ScriptedModelServer fallback(Function<ChatRequest, Reply> f) {
        state.fallback = f;
        return this;
    }

    public List<ChatRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Replies not yet consumed, per script name (a test can assert its script was played to the end). */
    public List<String> unplayed() {
        synchronized (scripts) {
            return scripts.stream().filter(s -> !s.replies().isEmpty()).map(s -> s.name() + " (" + s.replies().size() + " left)").toList();
        }
    }

    public void reset() {
        scripts.clear();
        requests.clear();
        state.fallback = null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
