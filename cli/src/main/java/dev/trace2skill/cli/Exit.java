package dev.trace2skill.cli;

/**
 * The exit codes a script can test (documented in the README and in {@code ./t2s help}).
 */
public final class Exit {
    /** Done: the request succeeded (and, with --watch, the run or evaluation completed). */
    public static final int OK = 0;
    /** The front door refused the input (a 4xx problem other than those below): the message names each field. */
    public static final int REFUSED = 1;
    /** The command line is wrong (unknown command or option, missing argument, unreadable file). */
    public static final int USAGE = 2;
    /** No or wrong token (401, 403). */
    public static final int AUTH = 3;
    /** What was named does not exist (404), e.g. a run id, a skill version, or an API this front door does not serve. */
    public static final int NOT_FOUND = 4;
    /** The front door or a service behind it is unreachable or failed (connection refused, 5xx). */
    public static final int UNAVAILABLE = 5;
    /** Watched to the end, and it ended badly: a run failed or was cancelled, an evaluation did not complete, an import failed. */
    public static final int FAILED = 6;
    /** A push stored some records and rejected others (each rejection is listed). */
    public static final int PARTIAL = 7;

    private Exit() {
    }

    static int forStatus(int status) {
        if (status == 401 || status == 403) {
            return AUTH;
        }
        if (status == 404) {
            return NOT_FOUND;
        }
        if (status >= 500) {
            return UNAVAILABLE;
        }
        return REFUSED;
    }
}
