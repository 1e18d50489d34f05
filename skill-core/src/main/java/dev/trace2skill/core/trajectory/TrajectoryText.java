package dev.trace2skill.core.trajectory;

import java.util.List;

/**
 * Renders a trajectory for a model prompt within a token budget.
 *
 * <p>Truncation policy (tokens estimated as characters / 4):
 * <ul>
 *   <li>each observation longer than {@code maxObservationTokens} keeps its first 60% and last 40% of that budget,
 *       with the marker {@code … [N characters omitted] …} between them;</li>
 *   <li>if the whole rendering still exceeds {@code maxTotalTokens}, the first and last steps are kept and the middle
 *       steps are replaced by {@code [steps i-j omitted: read them with read_steps]}.</li>
 * </ul>
 */
public final class TrajectoryText {
    public static final int CHARS_PER_TOKEN = 4;

    /** The truncation budgets. */
    public record Budget(int maxObservationTokens, int maxTotalTokens) {
        public static final Budget DEFAULT = new Budget(800, 24_000);
    }

    private TrajectoryText() {
    }

    public static int estimateTokens(String s) {
        return s == null ? 0 : (s.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    /** Head and tail of a long text with a marker saying how much was left out. */
    public static String truncate(String text, int maxTokens) {
        if (text == null) {
            return null;
        }
        int max = maxTokens * CHARS_PER_TOKEN;
        if (text.length() <= max) {
            return text;
        }
        int head = (int) (max * 0.6);
        int tail = max - head;
        int omitted = text.length() - head - tail;
        return text.substring(0, head) + "\n… [" + omitted + " characters omitted] …\n" + text.substring(text.length() - tail);
    }

    /** The trajectory with its expected answer, when it has one. */
    public static String render(Trajectory t, Budget budget) {
        return render(t, budget, true);
    }

    /**
     * @param withExpected whether the expected answer is shown; analyses leave it out (the ground truth is hidden from
     *                     the analyst, which must reproduce a corrected result in the task's environment instead)
     */
    public static String render(Trajectory t, Budget budget, boolean withExpected) {
        StringBuilder header = new StringBuilder();
        header.append("Trajectory ").append(t.id()).append('\n');
        header.append("Query: ").append(t.query()).append('\n');
        header.append("Outcome: ").append(t.successful() ? "success" : "failure");
        if (t.outcome() != null && t.outcome().reward() != null) {
            header.append(" (reward ").append(t.outcome().reward()).append(')');
        }
        header.append('\n');
        if (withExpected && t.expectedAnswer() != null) {
            header.append("Expected answer: ").append(truncate(t.expectedAnswer(), budget.maxObservationTokens())).append('\n');
        }
        if (t.finalAnswer() != null) {
            header.append("Final answer: ").append(truncate(t.finalAnswer(), budget.maxObservationTokens())).append('\n');
        }
        header.append("Steps (").append(t.steps().size()).append("):\n");
        String[] rendered = new String[t.steps().size()];
        int total = estimateTokens(header.toString());
        for (int i = 0; i < rendered.length; i++) {
            rendered[i] = step(i, t.steps().get(i), budget.maxObservationTokens());
            total += estimateTokens(rendered[i]);
        }
        StringBuilder out = new StringBuilder(header);
        if (total <= budget.maxTotalTokens() || rendered.length <= 2) {
            for (String s : rendered) {
                out.append(s);
            }
            return out.toString();
        }
        // keep steps from both ends within the budget, the middle elided
        int remaining = budget.maxTotalTokens() - estimateTokens(header.toString()) - 20;
        int lo = 0;
        int hi = rendered.length - 1;
        StringBuilder tailPart = new StringBuilder();
        boolean front = true;
        while (lo <= hi) {
            int idx = front ? lo : hi;
            int cost = estimateTokens(rendered[idx]);
            if (cost > remaining) {
                break;
            }
            remaining -= cost;
            if (front) {
                out.append(rendered[lo++]);
            } else {
                tailPart.insert(0, rendered[hi--]);
            }
            front = !front;
        }
        if (lo <= hi) {
            out.append("[steps ").append(lo + 1).append('-').append(hi + 1).append(" omitted: read them with read_steps]\n");
        }
        return out.append(tailPart).toString();
    }

    public static String step(int index, Step s, int maxObservationTokens) {
        StringBuilder sb = new StringBuilder();
        sb.append('[').append(index + 1).append(']');
        if (s.reasoning() != null && !s.reasoning().isBlank()) {
            sb.append(" reasoning: ").append(truncate(s.reasoning().strip(), maxObservationTokens)).append('\n');
        } else {
            sb.append('\n');
        }
        if (s.action() != null) {
            sb.append("    action: ").append(s.action().tool()).append(' ').append(s.action().arguments()).append('\n');
        }
        if (s.observation() != null) {
            sb.append("    observation").append(!Boolean.TRUE.equals(s.error()) ? ""
                            : s.errorRule() == null || s.errorRule().startsWith(ErrorRules.PATTERN_PREFIX) ? " (error)" : " (error: " + s.errorRule() + ")")
                    .append(": ")
                    .append(truncate(s.observation(), maxObservationTokens)).append('\n');
        }
        return sb.toString();
    }
}
