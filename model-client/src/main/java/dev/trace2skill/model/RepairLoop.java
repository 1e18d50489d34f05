package dev.trace2skill.model;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.trace2skill.core.trajectory.TokenUsage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Chat, validate, re-prompt with the problems: one model call, whose answer the caller's validator turns into a value
 * or a list of problems; an invalid answer goes back to the model with its problems (rendered into the caller's
 * repair prompt as {@code {{errors}}}), at most {@code maxRepairs} times. Every call's tokens are counted; once the
 * spend reaches the budget no further call is made. A valid answer is used even when its call went over the budget:
 * its tokens are spent either way.
 *
 * <p>A model that stays unreachable (after the gateway's retries) ends the loop with
 * {@link ModelGateway.ModelUnavailableException}, as a single call would.
 */
@ApplicationScoped
public class RepairLoop {
    @Inject
    ModelGateway models;
    @Inject
    Prompts prompts;

    /** What a validator made of one answer: a value, or the problems that go back to the model. */
    public record Validation<T>(T value, List<String> problems) {
        public Validation {
            problems = List.copyOf(problems);
        }

        public static <T> Validation<T> valid(T value) {
            return new Validation<>(value, List.of());
        }

        public static <T> Validation<T> invalid(List<String> problems) {
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("an invalid answer needs at least one problem");
            }
            return new Validation<>(null, problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    @FunctionalInterface
    public interface Validator<T> {
        Validation<T> validate(String answer);
    }

    /**
     * The rules of one loop.
     *
     * @param repairPrompt prompt resource for the re-prompt; {@code {{errors}}} receives the problems as "- " bullets
     * @param maxRepairs   re-prompts at most
     * @param maxTokens    token budget of the whole loop (prompt and completion, all calls); no call starts once it is
     *                     spent. {@link Long#MAX_VALUE} for none
     */
    public record Rules(String repairPrompt, int maxRepairs, long maxTokens) {
        public static Rules of(String repairPrompt, int maxRepairs) {
            return new Rules(repairPrompt, maxRepairs, Long.MAX_VALUE);
        }

        public Rules budget(long tokens) {
            return new Rules(repairPrompt, maxRepairs, tokens);
        }
    }

    public enum End {
        /** The validator accepted an answer. */
        VALID,
        /** Still invalid after {@code maxRepairs} re-prompts. */
        INVALID,
        /** Still invalid and the budget is spent. */
        BUDGET
    }

    /**
     * How the loop ended.
     *
     * @param value    the validated value (when {@link End#VALID})
     * @param problems the last answer's problems (empty when valid)
     * @param usage    tokens of all calls
     * @param calls    model calls made
     * @param repairs  re-prompts sent
     */
    public record Outcome<T>(End end, T value, List<String> problems, TokenUsage usage, int calls, int repairs) {
        public boolean ok() {
            return end == End.VALID;
        }
    }

    public <T> Outcome<T> run(ModelGateway.Target target, List<ChatMessage> opening, Validator<T> validator, Rules rules) {
        List<ChatMessage> messages = new ArrayList<>(opening);
        TokenUsage usage = TokenUsage.ZERO;
        int calls = 0;
        for (int repairs = 0; ; repairs++) {
            ModelGateway.Reply reply = models.chat(target, messages, List.of());
            usage = usage.plus(reply.usage());
            calls++;
            String text = reply.text() == null ? "" : reply.text();
            Validation<T> checked = validator.validate(text);
            if (checked.ok()) {
                return end(new Outcome<>(End.VALID, checked.value(), List.of(), usage, calls, repairs));
            }
            if (repairs >= rules.maxRepairs()) {
                return end(new Outcome<>(End.INVALID, null, checked.problems(), usage, calls, repairs));
            }
            if (usage.total() >= rules.maxTokens()) {
                return end(new Outcome<>(End.BUDGET, null, checked.problems(), usage, calls, repairs));
            }
            messages.add(AiMessage.from(text));
            messages.add(prompts.user(rules.repairPrompt(), Map.of("errors", bullets(checked.problems()))));
        }
    }

    /** Problems as Markdown bullets, one a line. */
    public static String bullets(List<String> problems) {
        StringBuilder sb = new StringBuilder();
        problems.forEach(p -> sb.append("- ").append(p).append('\n'));
        return sb.toString();
    }

    private <T> Outcome<T> end(Outcome<T> outcome) {
        models.loopEnded("repair", outcome.end());
        return outcome;
    }
}
