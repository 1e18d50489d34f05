package dev.trace2skill.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What needs no server: problems as lines, exit codes per status, the progress bar, usage errors. */
class CliBasicsTest {
    @Test
    void aProblemIsItsTitleAndOneLinePerFieldProblem() {
        CliException e = Api.problem(400, """
                {"type":"about:blank","title":"Invalid run request","status":400,"detail":"2 problems",
                 "errors":[{"field":"mergeBranching","message":"must be 2-64"},{"record":3,"id":"t-9","field":"steps","message":"must be a list"}]}
                """);
        assertThat(e.exitCode()).isEqualTo(Exit.REFUSED);
        assertThat(e.getMessage()).isEqualTo("Invalid run request: 2 problems (HTTP 400)\n  mergeBranching: must be 2-64\n  record 3 [t-9] steps: must be a list");
        assertThat(Api.problem(502, "<html>Bad gateway</html>").getMessage()).isEqualTo("HTTP 502: <html>Bad gateway</html>");
    }

    @Test
    void exitCodesFollowTheStatus() {
        assertThat(Exit.forStatus(401)).isEqualTo(Exit.AUTH);
        assertThat(Exit.forStatus(403)).isEqualTo(Exit.AUTH);
        assertThat(Exit.forStatus(404)).isEqualTo(Exit.NOT_FOUND);
        assertThat(Exit.forStatus(422)).isEqualTo(Exit.REFUSED);
        assertThat(Exit.forStatus(503)).isEqualTo(Exit.UNAVAILABLE);
    }

    @Test
    void theProgressBarHasThirtyCellsAndOneLinePerChangeOffATerminal() {
        assertThat(Progress.bar(0.5, "half")).isEqualTo("[###############...............]  50 % half");
        assertThat(Progress.bar(-1, "unknown")).startsWith("[" + " ".repeat(30) + "]   ? %");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), false, 60_000);
        p.update(0.1, "a", false);
        p.update(0.2, "b", false);   // within the interval: not printed
        p.update(1, "c", true);      // the last one always is
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(Progress.bar(0.1, "a"), Progress.bar(1, "c"));
        assertThat(Progress.bytes(1536)).isEqualTo("1.5 KB");
    }

    @Test
    void aWrongCommandLineExitsTwoAndAnUnreachableFrontDoorFive() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(Main.run(new String[]{"frobnicate"}, o, e, false)).isEqualTo(Exit.USAGE);
        assertThat(Main.run(new String[]{"skill", "diff", "a@1", "b@2"}, o, e, false)).isEqualTo(Exit.USAGE);
        assertThat(Main.run(new String[]{"--url", "http://127.0.0.1:1", "skill", "ls"}, o, e, false)).isEqualTo(Exit.UNAVAILABLE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot reach http://127.0.0.1:1");
    }
}
