package dev.trace2skill.cli;

/** A failure to report on one line (or a few) with its exit code. */
public class CliException extends RuntimeException {
    final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
