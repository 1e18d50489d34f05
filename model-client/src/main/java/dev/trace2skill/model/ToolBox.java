package dev.trace2skill.model;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.service.tool.DefaultToolExecutor;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The tools of one agent loop, from objects with langchain4j {@code @Tool} methods: their specifications for the model,
 * and execution of the model's tool calls by the name the model sees ({@code @Tool(name = ...)}). A failing tool
 * answers with the error instead of breaking the loop. An observer, when set, sees every call's tool name and answer
 * as soon as the tool has answered (e.g. to record what an analyst's own tool calls produced).
 */
public final class ToolBox {
    private record Bound(Object target, Method method) {
    }

    private final Map<String, Bound> byName = new LinkedHashMap<>();
    private final List<ToolSpecification> specifications = new ArrayList<>();
    private BiConsumer<String, String> observer = (tool, answer) -> {
    };

    public static ToolBox of(Object... toolObjects) {
        ToolBox box = new ToolBox();
        for (Object o : toolObjects) {
            if (o == null) {
                continue;
            }
            box.specifications.addAll(ToolSpecifications.toolSpecificationsFrom(o));
            for (Method m : o.getClass().getMethods()) {
                Tool tool = m.getAnnotation(Tool.class);
                if (tool != null) {
                    box.byName.put(tool.name().isEmpty() ? m.getName() : tool.name(), new Bound(o, m));
                }
            }
        }
        return box;
    }

    /** Tells {@code listener} every executed call's tool name and answer, in order; returns this box. */
    public ToolBox observed(BiConsumer<String, String> listener) {
        this.observer = listener;
        return this;
    }

    public List<ToolSpecification> specifications() {
        return specifications;
    }

    public String execute(ToolExecutionRequest request) {
        String answer = run(request);
        observer.accept(request.name(), answer);
        return answer;
    }

    private String run(ToolExecutionRequest request) {
        Bound b = byName.get(request.name());
        if (b == null) {
            return "Unknown tool '" + request.name() + "'. Tools: " + byName.keySet();
        }
        try {
            return new DefaultToolExecutor(b.target(), b.method()).execute(request, "agent");
        } catch (RuntimeException e) {
            return "Tool error: " + e.getMessage();
        }
    }
}
