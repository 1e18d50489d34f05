package dev.trace2skill.env;

/** A task's inputs cannot be set up (missing file, unreadable table or workbook, a path outside the data folder). */
public class EnvironmentException extends RuntimeException {
    public EnvironmentException(String message) {
        super(message);
    }

    public EnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
