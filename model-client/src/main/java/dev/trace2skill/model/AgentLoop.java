package dev.trace2skill.model;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.trajectory.TokenUsage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A tool-using agent: each turn is one model call whose tool calls are executed through a {@link ToolBox} and answered
 * with their observations. After every turn, in this order: the loop is {@link End#DONE} when the caller's stop
 * condition holds (e.g. a tool recorded a final answer or accepted a patch); a reply without tool calls is handled by
 * the caller's text policy (by default it is the final answer: {@link End#ANSWERED}); the caller's per-turn hook may
 * stop it with a reason; it stops when the task's token budget is spent or after {@code maxTurns} turns.
 *
 * <p>Every turn is recorded with its text, tool calls and observations, so a caller can build a trajectory or count
 * turns. A model that stays unreachable ends the loop as {@link End#UNAVAILABLE} with what was recorded until then.
 */
@ApplicationScoped
public class AgentLoop {
    @Inject
    ModelGateway models;

    /** One tool call of a turn and what the tool answered. */
    public record ToolStep(String name, String arguments, String observation) {
    }

    /**
     * One model call of the loop.
     *
     * @param number 1-based
     * @param text   the model's text (reasoning beside tool calls, or its whole reply), or null
     * @param tools  the tool calls it made, in order, with their observations
     * @param usage  the call's tokens
     */
    public record Turn(int number, String text, List<ToolStep> tools, TokenUsage usage) {
    }

    /** What to do with a reply that calls no tool. */
    public sealed interface TextReply {
        /** The text is the final answer: the loop ends. */
        static TextReply answer() {
            return Answer.INSTANCE;
        }

        /** Tell the model {@code message} and go on. */
        static TextReply continueWith(String message) {
            return new Continue(Objects.requireNonNull(message));
        }
    }

    private enum Answer implements TextReply {
        INSTANCE
    }

    private record Continue(String message) implements TextReply {
    }

    /**
     * The rules of one run; build with {@link #turns(int)} and the withers.
     *
     * @param maxTurns         model calls at most
     * @param maxTokens        the task's token budget (all calls); no call starts once it is spent
     * @param maxTokensPerTurn completion tokens one call may produce ({@code max_tokens}), or null for the target's
     * @param seed             sampling seed sent with every call, or null
     * @param done             the stop condition, checked after every turn
     * @param onText           the policy for replies without tool calls
     * @param afterTurn        a hook after every turn: a reason to stop, or null to go on
     */
    public record Rules(int maxTurns, long maxTokens, Integer maxTokensPerTurn, Integer seed, BooleanSupplier done,
                        Function<String, TextReply> onText, Function<Turn, String> afterTurn) {
        public static Rules turns(int maxTurns) {
            return new Rules(maxTurns, Long.MAX_VALUE, null, null, () -> false, text -> TextReply.answer(), turn -> null);
        }

        public Rules budget(long tokens) {
            return new Rules(maxTurns, tokens, maxTokensPerTurn, seed, done, onText, afterTurn);
        }

        public Rules perTurn(Integer completionTokens) {
            return new Rules(maxTurns, maxTokens, completionTokens, seed, done, onText, afterTurn);
        }

        public Rules seed(Integer s) {
            return new Rules(maxTurns, maxTokens, maxTokensPerTurn, s, done, onText, afterTurn);
        }

        public Rules doneWhen(BooleanSupplier condition) {
            return new Rules(maxTurns, maxTokens, maxTokensPerTurn, seed, condition, onText, afterTurn);
        }

        public Rules onText(Function<String, TextReply> policy) {
            return new Rules(maxTurns, maxTokens, maxTokensPerTurn, seed, done, policy, afterTurn);
        }

        public Rules afterTurn(Function<Turn, String> hook) {
            return new Rules(maxTurns, maxTokens, maxTokensPerTurn, seed, done, onText, hook);
        }
    }

    public enum End {
        /** The stop condition held. */
        DONE,
        /** The model replied with text that the text policy took as the final answer. */
        ANSWERED,
        /** The per-turn hook stopped it. */
        STOPPED,
        /** The token budget was spent. */
        BUDGET,
        /** It ran out of turns. */
        MAX_TURNS,
        /** The model stayed unreachable. */
        UNAVAILABLE
    }

    /**
     * How a run ended.
     *
     * @param answer  the final text (when {@link End#ANSWERED}), else null
     * @param reason  the hook's reason (when {@link End#STOPPED}), else null
     * @param turns   every turn made
     * @param usage   tokens of all calls
     * @param failure why the model was unavailable (when {@link End#UNAVAILABLE}), else null
     */
    public record Outcome(End end, String answer, String reason, List<Turn> turns, TokenUsage usage,
                          ModelGateway.ModelUnavailableException failure) {
        /** Model calls answered. */
        public int calls() {
            return turns.size();
        }

        /** For callers that treat an unreachable model as the end of the whole job. */
        public Outcome orThrow() {
            if (failure != null) {
                throw failure;
            }
            return this;
        }
    }

    public Outcome run(ModelGateway.Target target, List<ChatMessage> opening, ToolBox tools, Rules rules) {
        List<ChatMessage> messages = new ArrayList<>(opening);
        List<Turn> turns = new ArrayList<>();
        TokenUsage usage = TokenUsage.ZERO;
        while (true) {
            if (turns.size() >= rules.maxTurns()) {
                return end(new Outcome(End.MAX_TURNS, null, null, turns, usage, null));
            }
            ModelGateway.Reply reply;
            try {
                reply = models.chat(target, messages, tools.specifications(), rules.seed(), rules.maxTokensPerTurn());
            } catch (ModelGateway.ModelUnavailableException e) {
                return end(new Outcome(End.UNAVAILABLE, null, null, turns, usage, e));
            }
            usage = usage.plus(reply.usage());
            AiMessage ai = reply.response().aiMessage();
            messages.add(ai);
            List<ToolStep> steps = new ArrayList<>();
            TextReply textReply = null;
            if (ai.hasToolExecutionRequests()) {
                for (ToolExecutionRequest request : ai.toolExecutionRequests()) {
                    String observation = tools.execute(request);
                    messages.add(ToolExecutionResultMessage.from(request, observation));
                    steps.add(new ToolStep(request.name(), request.arguments(), observation));
                }
            } else {
                textReply = rules.onText().apply(ai.text() == null ? "" : ai.text());
                if (textReply instanceof Continue c) {
                    messages.add(UserMessage.from(c.message()));
                }
            }
            Turn turn = new Turn(turns.size() + 1, ai.text(), List.copyOf(steps), reply.usage());
            turns.add(turn);
            if (rules.done().getAsBoolean()) {
                return end(new Outcome(End.DONE, null, null, turns, usage, null));
            }
            if (textReply instanceof Answer) {
                return end(new Outcome(End.ANSWERED, ai.text() == null ? "" : ai.text(), null, turns, usage, null));
            }
            String reason = rules.afterTurn().apply(turn);
            if (reason != null) {
                return end(new Outcome(End.STOPPED, null, reason, turns, usage, null));
            }
            if (usage.total() >= rules.maxTokens()) {
                return end(new Outcome(End.BUDGET, null, null, turns, usage, null));
            }
        }
    }

    private Outcome end(Outcome outcome) {
        models.loopEnded("agent", outcome.end());
        return outcome;
    }
}
