package dev.trace2skill.core.mining;

import dev.trace2skill.core.trajectory.Step;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises error observations and reduces them to a signature that is the same across trajectories:
 * {@code Error: flight HAT030 not available on date 2024-05-13} → {@code error: flight <id> not available on date <date>}.
 */
public final class ErrorSignature {
    private static final Pattern ERROR_START = Pattern.compile(
            "^\\s*(\\{\\s*\"error\"|error\\b|exception\\b|traceback\\b|failed\\b|failure\\b|fatal\\b|\\w*(error|exception):)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DATE = Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}(t[\\d:.]+z?)?\\b");
    private static final Pattern QUOTED = Pattern.compile("\"[^\"]{0,200}\"|'[^']{0,200}'");
    private static final Pattern ID = Pattern.compile("\\b(?=[a-z_]*\\d)(?=\\w*[a-z])\\w+\\b");
    private static final Pattern NUMBER = Pattern.compile("-?\\b\\d+(\\.\\d+)?\\b");
    public static final int MAX_LENGTH = 100;

    private ErrorSignature() {
    }

    public static boolean isError(Step step) {
        if (Boolean.TRUE.equals(step.error())) {
            return true;
        }
        String o = step.observation();
        return o != null && ERROR_START.matcher(o).find();
    }

    public static String of(String observation) {
        String first = observation.strip().lines().findFirst().orElse("").toLowerCase(Locale.ROOT);
        String s = DATE.matcher(first).replaceAll("<date>");
        s = QUOTED.matcher(s).replaceAll("<str>");
        s = ID.matcher(s).replaceAll("<id>");
        s = NUMBER.matcher(s).replaceAll("<n>");
        s = s.replaceAll("\\s+", " ").strip();
        return s.length() <= MAX_LENGTH ? s : s.substring(0, MAX_LENGTH) + "…";
    }
}
