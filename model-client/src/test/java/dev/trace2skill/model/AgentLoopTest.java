package dev.trace2skill.model;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.modelsim.ChatRequest;
import dev.trace2skill.modelsim.Reply;
import dev.trace2skill.modelsim.ScriptedModelServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The agent loop against a real chat-completions server with tool calls: stop condition, policies, budgets, records. */
@QuarkusTest
@QuarkusTestResource(ModelServers.class)
class AgentLoopTest {
    @Inject
    AgentLoop loop;
    @Inject
    ModelGateway gateway;
    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    final ScriptedModelServer model = ModelServers.scripted();

    /** A task's tools: a lookup that can fail, and a tool that records the final answer. */
    public static final class Desk {
        String answer;
        int lookups;

        @Tool(name = "lookup", value = "Look a key up in the desk's records")
        public String lookup(@P("the key") String key) {
            lookups++;
            if (key.equals("boom")) {
                throw new IllegalStateException("the records are locked");
            }
            return "the value of " + key + " is 42";
        }

        @Tool(name = "submit_answer", value = "Submit the final answer and finish")
        public String submit(@P("the final answer") String answer) {
            this.answer = answer;
            return "Answer recorded.";
        }
    }

    /** Tools of a second object, to show a loop takes tools from any objects. */
    public static final class Clock {
        @Tool(name = "now", value = "The current time")
        public String now() {
            return "12:00";
        }
    }

    static final List<ChatMessage> OPENING = List.of(SystemMessage.from("You answer with tools."), UserMessage.from("What is x?"));

    Desk desk;

    @BeforeEach
    void reset() {
        model.reset();
        desk = new Desk();
    }

    AgentLoop.Outcome run(AgentLoop.Rules rules) {
        return loop.run(gateway.resolve(ModelSettings.DEFAULTS), OPENING, ToolBox.of(desk, new Clock()), rules);
    }

    long slotWaits(String turn) {
        var timer = registry.find("t2s.model.slot.wait").tag("turn", turn).timer();
        return timer == null ? 0 : timer.count();
    }

    AgentLoop.Rules untilSubmitted(int turns) {
        return AgentLoop.Rules.turns(turns).doneWhen(() -> desk.answer != null);
    }

    @Test
    void toolCallsRunUntilTheStopConditionHoldsAndEveryTurnIsRecorded() {
        model.enqueue(
                new Reply("Let me look.", List.of(new Reply.ToolCall("lookup", "{\"key\": \"x\"}"), new Reply.ToolCall("now", "{}")),
                        200, null, java.time.Duration.ZERO, new Reply.Usage(100, 20)),
                Reply.toolCall("submit_answer", "{\"answer\": \"42\"}").withUsage(150, 10),
                Reply.text("never asked"));
        long firstCalls = slotWaits("first");
        long nextTurns = slotWaits("next");
        AgentLoop.Outcome out = run(untilSubmitted(8));
        assertThat(out.end()).isEqualTo(AgentLoop.End.DONE);
        assertThat(desk.answer).isEqualTo("42");
        // the opening call took its slot as a first call, the tool round as the conversation's next turn
        assertThat(slotWaits("first") - firstCalls).isEqualTo(1);
        assertThat(slotWaits("next") - nextTurns).isEqualTo(1);
        assertThat(out.calls()).isEqualTo(2);
        assertThat(out.usage().total()).isEqualTo(280);
        // the stop condition ends the loop: no call after the answer was recorded
        assertThat(model.requests()).hasSize(2);
        assertThat(model.unplayed()).hasSize(1);

        AgentLoop.Turn first = out.turns().get(0);
        assertThat(first.number()).isEqualTo(1);
        assertThat(first.text()).isEqualTo("Let me look.");
        assertThat(first.usage().total()).isEqualTo(120);
        assertThat(first.tools()).extracting(AgentLoop.ToolStep::name).containsExactly("lookup", "now");
        assertThat(first.tools().get(0).arguments()).contains("\"key\"");
        assertThat(first.tools().get(0).observation()).isEqualTo("the value of x is 42");
        assertThat(first.tools().get(1).observation()).isEqualTo("12:00");
        assertThat(out.turns().get(1).tools()).singleElement().satisfies(s -> assertThat(s.observation()).isEqualTo("Answer recorded."));

        ChatRequest second = model.requests().get(1);
        assertThat(model.requests().get(0).toolNames()).containsExactlyInAnyOrder("lookup", "submit_answer", "now");
        assertThat(second.toolResults()).isEqualTo(2);
        assertThat(second.messages()).extracting(m -> m.path("role").asText())
                .containsExactly("system", "user", "assistant", "tool", "tool");
    }

    @Test
    void anObserverSeesEveryToolAnswerAsSoonAsTheToolHasAnswered() {
        model.enqueue(new Reply(null, List.of(new Reply.ToolCall("lookup", "{\"key\": \"x\"}"), new Reply.ToolCall("lookup", "{\"key\": \"boom\"}"),
                        new Reply.ToolCall("submit_answer", "{\"answer\": \"42\"}")), 200, null, java.time.Duration.ZERO, null));
        List<String> seen = new java.util.ArrayList<>();
        ToolBox tools = ToolBox.of(desk).observed((tool, answer) -> seen.add(tool + " -> " + answer + " (answer recorded: " + (desk.answer != null) + ")"));
        AgentLoop.Outcome out = loop.run(gateway.resolve(ModelSettings.DEFAULTS), OPENING, tools, untilSubmitted(3));
        assertThat(out.end()).isEqualTo(AgentLoop.End.DONE);
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0)).isEqualTo("lookup -> the value of x is 42 (answer recorded: false)");
        assertThat(seen.get(1)).startsWith("lookup -> ").contains("the records are locked").endsWith("(answer recorded: false)");
        assertThat(seen.get(2)).isEqualTo("submit_answer -> Answer recorded. (answer recorded: true)");
    }

    @Test
    void aTextReplyIsTheFinalAnswerUnlessThePolicySaysOtherwise() {
        model.enqueue(Reply.text("  It is 42.  "));
        AgentLoop.Outcome answered = run(untilSubmitted(8));
        assertThat(answered.end()).isEqualTo(AgentLoop.End.ANSWERED);
        assertThat(answered.answer()).isEqualTo("  It is 42.  ");
        assertThat(answered.turns()).singleElement().satisfies(t -> assertThat(t.tools()).isEmpty());

        model.reset();
        model.enqueue(Reply.text("It is 42."), Reply.toolCall("submit_answer", "{\"answer\": \"42\"}"));
        AgentLoop.Outcome nudged = run(untilSubmitted(8).onText(text -> AgentLoop.TextReply.continueWith("Use submit_answer for: " + text)));
        assertThat(nudged.end()).isEqualTo(AgentLoop.End.DONE);
        assertThat(nudged.calls()).isEqualTo(2);
        assertThat(model.requests().get(1).lastMessage()).isEqualTo("Use submit_answer for: It is 42.");
    }

    @Test
    void theTaskBudgetStopsTheLoopOnceSpent() {
        model.fallback(r -> Reply.toolCall("lookup", "{\"key\": \"k" + r.toolResults() + "\"}").withUsage(350, 50));
        AgentLoop.Outcome out = run(untilSubmitted(10).budget(1000));
        assertThat(out.end()).isEqualTo(AgentLoop.End.BUDGET);
        // 400, 800, 1200 tokens: the third turn spends the budget, no fourth call starts
        assertThat(out.calls()).isEqualTo(3);
        assertThat(out.usage().total()).isEqualTo(1200);
        assertThat(model.requests()).hasSize(3);
        assertThat(desk.lookups).isEqualTo(3);
    }

    @Test
    void maxTurnsAndThePerTurnHookBoundTheLoop() {
        model.fallback(r -> Reply.toolCall("lookup", "{\"key\": \"y\"}"));
        AgentLoop.Outcome limited = run(untilSubmitted(3));
        assertThat(limited.end()).as(String.valueOf(limited.failure())).isEqualTo(AgentLoop.End.MAX_TURNS);
        assertThat(limited.calls()).isEqualTo(3);

        model.reset();
        desk = new Desk();
        model.fallback(r -> Reply.toolCall("lookup", "{\"key\": \"y\"}"));
        AgentLoop.Outcome stopped = run(untilSubmitted(10).afterTurn(turn -> desk.lookups >= 2 ? "looked up twice after " + turn.number() + " turns" : null));
        assertThat(stopped.end()).isEqualTo(AgentLoop.End.STOPPED);
        assertThat(stopped.reason()).isEqualTo("looked up twice after 2 turns");
        assertThat(model.requests()).hasSize(2);
    }

    @Test
    void perTurnCompletionCapAndSeedAreSentWithEveryCall() {
        model.enqueue(Reply.toolCall("lookup", "{\"key\": \"x\"}"), Reply.toolCall("submit_answer", "{\"answer\": \"42\"}"));
        AgentLoop.Outcome out = run(untilSubmitted(8).perTurn(64).seed(7));
        assertThat(out.end()).isEqualTo(AgentLoop.End.DONE);
        assertThat(model.requests()).hasSize(2).allSatisfy(r -> {
            assertThat(r.body().path("max_tokens").asInt()).isEqualTo(64);
            assertThat(r.body().path("seed").asInt()).isEqualTo(7);
            assertThat(r.toolNames()).contains("lookup", "submit_answer");
        });

        model.reset();
        model.enqueue(Reply.text("done"));
        run(untilSubmitted(8));
        assertThat(model.requests().get(0).body().has("seed")).isFalse();
        // the target's own completion cap (t2s.models.max-tokens, 2048 by default)
        assertThat(model.requests().get(0).body().path("max_tokens").asInt()).isEqualTo(2048);
    }

    @Test
    void failingAndUnknownToolsAnswerWithTheErrorAndTheLoopGoesOn() {
        model.enqueue(Reply.toolCall("lookup", "{\"key\": \"boom\"}"), Reply.toolCall("shred", "{}"),
                Reply.toolCall("submit_answer", "{\"answer\": \"none\"}"));
        AgentLoop.Outcome out = run(untilSubmitted(8));
        assertThat(out.end()).isEqualTo(AgentLoop.End.DONE);
        // langchain4j's executor answers with the exception's message
        assertThat(out.turns().get(0).tools().get(0).observation()).contains("the records are locked");
        assertThat(out.turns().get(1).tools().get(0).observation()).startsWith("Unknown tool 'shred'").contains("lookup", "now");
    }

    @Test
    void aModelThatStaysDownEndsTheLoopWithWhatWasRecorded() {
        model.enqueue(Reply.toolCall("lookup", "{\"key\": \"x\"}").withUsage(10, 2), Reply.error(500), Reply.error(500), Reply.error(500));
        AgentLoop.Outcome out = run(untilSubmitted(8));
        assertThat(out.end()).isEqualTo(AgentLoop.End.UNAVAILABLE);
        assertThat(out.calls()).isEqualTo(1);
        assertThat(out.usage().total()).isEqualTo(12);
        assertThat(out.failure()).hasMessageContaining("HTTP 500");
        assertThatThrownBy(out::orThrow).isSameAs(out.failure());
        // the first turn and three attempts at the second (max-retries=2)
        assertThat(model.requests()).hasSize(4);
    }
}
