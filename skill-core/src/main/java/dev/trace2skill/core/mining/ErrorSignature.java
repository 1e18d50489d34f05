package dev.trace2skill.core.mining;

import dev.trace2skill.core.trajectory.ErrorRules;
import dev.trace2skill.core.trajectory.Step;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises error observations and reduces them to a signature that is the same across trajectories:
 * {@code Error: flight HAT030 not available on date 2024-05-13} → {@code error: flight <id> not available on date <date>},
 * {@code Could not find [Antic]. Similar: ['Antic', 'ANTIC']} → {@code could not find <str>. similar: <str>}. Which
 * observations are errors is decided by {@link ErrorRules}, the rules the importers flag steps with.
 */
public final class ErrorSignature {
    private static final Pattern DATE = Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}(t[\\d:.]+z?)?\\b");
    private static final Pattern QUOTED = Pattern.compile("\"[^\"]{0,200}\"|'[^']{0,200}'");
    /** Bracketed arguments and lists ({@code Could not find [X]. Similar: ['a', 'b']}) vary per call. */
    private static final Pattern BRACKETED = Pattern.compile("\\[[^\\[\\]]{0,300}]");
    private static final Pattern ID = Pattern.compile("\\b(?=[a-z_]*\\d)(?=\\w*[a-z])\\w+\\b");
    private static final Pattern NUMBER = Pattern.compile("-?\\b\\d+(\\.\\d+)?\\b");
    public static final int MAX_LENGTH = 100;

    private ErrorSignature() {
    }

    /**
     * A step is an error when its {@code error} flag says so; without a flag, when {@link ErrorRules#DEFAULT} recognises
     * its observation (trajectories pushed before the importers flagged errors, or by a client that does not); an
     * explicit {@code error: false} is respected.
     */
    public static boolean isError(Step step) {
        if (step.error() != null) {
            return step.error();
        }
        return ErrorRules.DEFAULT.match(step.observation()) != null;
    }

    public static String of(String observation) {
        String first = observation.strip().lines().findFirst().orElse("").toLowerCase(Locale.ROOT);
        String s = DATE.matcher(first).replaceAll("<date>");
        s = QUOTED.matcher(s).replaceAll("<str>");
        s = BRACKETED.matcher(s).replaceAll("<str>");
        s = ID.matcher(s).replaceAll("<id>");
        s = NUMBER.matcher(s).replaceAll("<n>");
        s = s.replaceAll("\\s+", " ").strip();
        return s.length() <= MAX_LENGTH ? s : s.substring(0, MAX_LENGTH) + "…";
    }
}
