package dev.trace2skill.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on the error stream: redrawn in place on a terminal; on anything else (a log, a pipe, a test) one
 * line per change, at most every {@code minIntervalMs}, and always the last one.
 */
public final class Progress {
    private final PrintStream err;
    private final boolean terminal;
    private final long minIntervalMs;
    private long lastAt;
    private String lastLine = "";
    private int width;

    public Progress(PrintStream err, boolean terminal, long minIntervalMs) {
        this.err = err;
        this.terminal = terminal;
        this.minIntervalMs = minIntervalMs;
    }

    /** A bar of 30 cells for {@code fraction} (0..1, or negative when unknown) and the text after it. */
    public static String bar(double fraction, String text) {
        int cells = 30;
        if (fraction < 0) {
            return "[" + " ".repeat(cells) + "]   ? % " + text;
        }
        double f = Math.max(0, Math.min(1, fraction));
        int full = (int) Math.round(f * cells);
        return "[" + "#".repeat(full) + ".".repeat(cells - full) + "] " + String.format(Locale.ROOT, "%3d %%", Math.round(f * 100)) + " " + text;
    }

    public void update(double fraction, String text, boolean last) {
        String line = bar(fraction, text);
        long now = System.currentTimeMillis();
        if (terminal) {
            err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
            width = line.length();
            if (last) {
                err.println();
            }
            err.flush();
            return;
        }
        if (line.equals(lastLine) || (!last && now - lastAt < minIntervalMs)) {
            return;
        }
        err.println(line);
        lastLine = line;
        lastAt = now;
    }

    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", n / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", n / (1024.0 * 1024));
    }
}
