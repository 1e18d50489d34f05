package dev.trace2skill.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.cli.Exit;
import dev.trace2skill.cli.Main;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.infra.Ports;
import dev.trace2skill.infra.ServiceProcess;
import dev.trace2skill.testkit.InfraTestResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The review console in a real browser (Debian's chromium over chromium-driver) and the {@code ./t2s} user commands,
 * against one real stack: the four services as processes over a real Kafka and PostgreSQL, everything reached through
 * the front door (trace-ingest), which relays the merger's run outputs. The runs use the offline (mining) engine, so
 * no model server is needed and the evidence is deterministic. Screenshots go to target/console-screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleAndCliTest {
    static final String TOKEN = "console-token";
    static final String JVM_OPTS = "-Xmx384m -XX:+UseSerialGC";
    static final Path SHOTS = Path.of("target/console-screenshots");

    static ServiceProcess ingest;
    static ServiceProcess worker;
    static ServiceProcess merger;
    static ServiceProcess evaluator;
    static String runId;

    @BeforeAll
    static void startServices() throws Exception {
        Path logs = Path.of("target/console-logs");
        Files.createDirectories(logs);
        Files.createDirectories(SHOTS);
        int ingestPort = Ports.free();
        int mergerPort = Ports.free();
        int evaluatorPort = Ports.free();
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", InfraTestResource.bootstrapServers(),
                "T2S_DATASOURCE_JDBC_URL", InfraTestResource.jdbcUrl("t2s_console"),
                "T2S_DATASOURCE_USERNAME", "t2s",
                "T2S_API_TOKEN", TOKEN,
                // no model server at all: the runs use the offline engine
                "T2S_MODEL_BASE_URL", "http://127.0.0.1:" + Ports.free() + "/v1",
                "T2S_TOPICS_ANALYSIS_PARTITIONS", "4",
                "T2S_TOPICS_PARTITIONS", "2",
                "T2S_INGEST_URL", "http://127.0.0.1:" + ingestPort,
                "T2S_MERGER_URL", "http://127.0.0.1:" + mergerPort,
                "T2S_EVALUATOR_URL", "http://127.0.0.1:" + evaluatorPort));
        ingest = ServiceProcess.start("trace-ingest", "trace-ingest", env, JVM_OPTS, logs, ingestPort);
        worker = ServiceProcess.start("analyst-worker", "analyst-worker", env, JVM_OPTS, logs);
        merger = ServiceProcess.start("merger", "merger", env, JVM_OPTS, logs, mergerPort);
        evaluator = ServiceProcess.start("evaluator", "evaluator", env, JVM_OPTS, logs, evaluatorPort);
        for (ServiceProcess s : List.of(ingest, worker, merger, evaluator)) {
            s.awaitReady(Duration.ofSeconds(360));   // four JVMs starting at once on a loaded 2-core CI machine
        }
    }

    @AfterAll
    static void stopServices() {
        for (ServiceProcess s : new ServiceProcess[]{evaluator, merger, worker, ingest}) {
            if (s != null) {
                s.close();
            }
        }
    }

    record Result(int code, String out, String err) {
    }

    static Result t2s(String... args) {
        return t2sWith(TOKEN, args);
    }

    static Result t2sWith(String token, String... args) {
        List<String> all = new ArrayList<>(List.of("--url", ingest.url(), "--token", token, "--poll-ms", "200"));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void cliRegistersListsPushesAndStartsARun() throws Exception {
        Path sample = ServiceProcess.repoRoot().resolve("samples");
        Result add = t2s("skill", "add", sample.resolve("skills/refund-desk").toString());
        assertThat(add.code()).as(add.toString()).isEqualTo(Exit.OK);
        assertThat(add.out()).startsWith("refund-desk@1 registered");

        Result ls = t2s("skill", "ls");
        assertThat(ls.code()).isEqualTo(Exit.OK);
        assertThat(ls.out()).contains("SKILL").containsPattern("refund-desk\\s+1\\s+1");
        Result lsJson = t2s("--json", "skill", "ls");
        assertThat(Json.mapper().readTree(lsJson.out()).get(0).path("name").asText()).isEqualTo("refund-desk");

        Result push = t2s("push", sample.resolve("trajectories.ndjson").toString(), "--dataset", "console");
        assertThat(push.code()).as(push.toString()).isEqualTo(Exit.OK);
        assertThat(push.out()).contains("18 received, 18 accepted, 0 duplicates, 0 rejected");
        assertThat(push.err()).contains("18 records").contains("(done)");

        Result started = t2s("evolve", "--skill", "refund-desk@1", "--dataset", "console", "--engine", "mining", "-B", "4");
        assertThat(started.code()).as(started.toString()).isEqualTo(Exit.OK);
        runId = started.out().split(" ")[0];
        assertThat(started.out()).contains("follow it with: t2s run watch " + runId);
    }

    @Test
    @Order(2)
    void consoleFollowsTheRunOpensSStarAndShowsTheTrajectoriesBehindALine() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromedriver")) && Files.isExecutable(Path.of("/usr/bin/chromium")),
                "chromium and chromium-driver are not installed (.ci/run installs them)");
        assertThat(runId).as("the run started by the CLI test").isNotNull();
        Path profile = Files.createTempDirectory("t2s-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1366,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(120));
            // without a session every page sends the browser to the login
            browser.get(ingest.url() + "/console/runs/" + runId);
            wait.until(ExpectedConditions.urlContains("/console/login"));
            browser.findElement(By.id("token")).sendKeys("wrong");
            browser.findElement(By.id("login")).click();
            assertThat(wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".error"))).getText()).isNotBlank();
            browser.findElement(By.id("token")).sendKeys(TOKEN);
            browser.findElement(By.id("login")).click();
            wait.until(ExpectedConditions.urlContains("/console/runs/" + runId));
            Cookie session = browser.manage().getCookies().stream().filter(c -> c.isHttpOnly()).findFirst().orElseThrow();
            assertThat(session.getValue()).doesNotContain(TOKEN);
            assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);
            shot(browser, "1-run-progress");

            // the progress section polls until the run is over (no reload)
            wait.until(ExpectedConditions.textToBe(By.id("run-status"), "done"));
            assertThat(browser.findElement(By.id("analyses")).getText()).startsWith("18 done, 0 failed");
            shot(browser, "2-run-done");

            browser.findElement(By.id("review-link")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.sbs")));
            assertThat(browser.getTitle()).contains("Review");
            assertThat(browser.findElement(By.id("merge-tree")).findElements(By.tagName("svg"))).isNotEmpty();
            shot(browser, "3-review");

            List<WebElement> changed = browser.findElements(By.cssSelector("button.changed-line"));
            assertThat(changed).as("S* has added lines with provenance").isNotEmpty();
            WebElement line = changed.stream().filter(b -> !b.getText().isBlank()).findFirst().orElse(changed.getFirst());
            ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()", line);
            line.click();
            WebElement support = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("evidence-support")));
            assertThat(support.getText()).isNotBlank();
            List<WebElement> trajectories = wait.until(ExpectedConditions.presenceOfAllElementsLocatedBy(By.cssSelector("#evidence .trajectory-link")));
            assertThat(trajectories).isNotEmpty();
            String trajectoryId = trajectories.getFirst().getText();
            assertThat(trajectoryId).startsWith("refund-");
            shot(browser, "4-evidence");
            trajectories.getFirst().click();
            WebElement article = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#trajectory article.trajectory")));
            assertThat(article.getText()).contains("Trajectory " + trajectoryId).contains("Steps").contains("Tool call").contains("Observation")
                    .containsAnyOf("success", "failure");
            shot(browser, "5-trajectory");

            // skills: versions, and the diff of S0 and S*
            browser.get(ingest.url() + "/console/skills/refund-desk");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.tagName("h1")));
            assertThat(browser.getPageSource()).contains("/console/skills/refund-desk/versions/2.zip");
            shot(browser, "6-skill");
        } finally {
            browser.quit();
            service.close();
        }
    }

    @Test
    @Order(3)
    void cliWatchesTheRunAndWritesItsOutputs() throws Exception {
        assertThat(runId).isNotNull();
        Result watch = t2s("run", "watch", runId);
        assertThat(watch.code()).as(watch.toString()).isEqualTo(Exit.OK);
        assertThat(watch.out()).containsPattern("^S\\* = refund-desk@2 from refund-desk@1: \\d+ file\\(s\\) changed, \\+[1-9]\\d* -0 lines \\(run " + runId);

        Path out = Files.createTempDirectory("t2s-get");
        for (String what : List.of("skill", "diff", "changelog", "provenance")) {
            Result get = t2s("get", what, runId, "-o", out.toString());
            assertThat(get.code()).as(what + ": " + get).isEqualTo(Exit.OK);
        }
        assertThat(Files.readString(out.resolve("refund-desk/SKILL.md"))).contains("name: refund-desk");
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).contains("refund-desk", runId + ".diff", "CHANGELOG-" + runId + ".md", "provenance-" + runId + ".json");
        }

        Result diff = t2s("skill", "diff", "refund-desk@1", "refund-desk@2");
        assertThat(diff.code()).isEqualTo(Exit.OK);
        assertThat(diff.out()).contains("--- ").contains("+++ ").containsPattern("(?m)^\\+[^+]");

        Result status = t2s("--json", "run", "status", runId);
        assertThat(Json.mapper().readTree(status.out()).path("status").asText()).isEqualTo("done");

        // evolve --watch: a second run followed to S*, then the diff summary
        Result evolve = t2s("evolve", "--skill", "refund-desk@1", "--dataset", "console", "--engine", "mining", "-B", "4", "--watch");
        assertThat(evolve.code()).as(evolve.toString()).isEqualTo(Exit.OK);
        assertThat(evolve.out()).startsWith("S* = refund-desk@");
        assertThat(evolve.err()).contains("run ").contains("done");
    }

    @Test
    @Order(4)
    void cliErrorsAreClearAndTheirExitCodesTestable() throws Exception {
        Path bad = Files.createTempFile("bad", ".ndjson");
        String good = Files.readString(ServiceProcess.repoRoot().resolve("samples/trajectories.ndjson")).lines().findFirst().orElseThrow();
        ObjectNode fresh = (ObjectNode) Json.mapper().readTree(good);
        fresh.put("id", "bad-file-good-record");
        Files.writeString(bad, fresh + "\n{\"id\":\"broken\",\"steps\":\"not a list\"}\n");
        Result partial = t2s("push", bad.toString(), "--dataset", "bad");
        assertThat(partial.code()).as(partial.toString()).isEqualTo(Exit.PARTIAL);
        assertThat(partial.out()).contains("1 accepted").contains("1 rejected").contains("record 1 (422) steps: ");

        assertThat(t2s("push", "/no/such/file.ndjson").code()).isEqualTo(Exit.USAGE);
        assertThat(t2s("skill", "frobnicate").code()).isEqualTo(Exit.USAGE);
        assertThat(t2s("evolve", "--dataset", "console").code()).isEqualTo(Exit.USAGE);

        Result refused = t2s("evolve", "--skill", "refund-desk@1", "--dataset", "console", "-B", "1");
        assertThat(refused.code()).as(refused.toString()).isEqualTo(Exit.REFUSED);
        assertThat(refused.err()).contains("(HTTP 400)").containsPattern("(?m)^  \\S*mergeBranching\\S*: ");

        Result auth = t2sWith("not-the-token", "evolve", "--skill", "refund-desk@1", "--dataset", "console");
        assertThat(auth.code()).as(auth.toString()).isEqualTo(Exit.AUTH);
        Result missing = t2s("run", "status", "no-such-run");
        assertThat(missing.code()).as(missing.toString()).isEqualTo(Exit.NOT_FOUND);
        Result missingVersion = t2s("skill", "diff", "refund-desk@1", "refund-desk@99");
        assertThat(missingVersion.code()).as(missingVersion.toString()).isEqualTo(Exit.NOT_FOUND);

        int closed = Ports.free();
        Result down = Main.run(new String[]{"--url", "http://127.0.0.1:" + closed, "skill", "ls"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()), false) == Exit.UNAVAILABLE ? new Result(Exit.UNAVAILABLE, "", "") : null;
        assertThat(down).as("an unreachable front door exits " + Exit.UNAVAILABLE).isNotNull();
    }

    @Test
    @Order(5)
    void pushOfTenThousandRecordsShowsItsProgress() throws Exception {
        JsonNode template = Json.mapper().readTree(Files.readString(ServiceProcess.repoRoot().resolve("samples/trajectories.ndjson"))
                .lines().findFirst().orElseThrow());
        Path file = Files.createTempFile("ten-thousand", ".ndjson");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            ObjectNode r = template.deepCopy();
            r.put("id", "bulk-" + i);
            r.put("taskId", "bulk-task-" + (i % 500));
            sb.append(r).append('\n');
        }
        Files.writeString(file, sb);
        long size = Files.size(file);
        long started = System.nanoTime();
        Result push = t2s("push", file.toString(), "--dataset", "bulk");
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("push of 10,000 records (%,d bytes) took %,d ms; progress lines: %d%n", size, ms, push.err().lines().count());
        assertThat(push.code()).as(push.toString()).isEqualTo(Exit.OK);
        assertThat(push.out()).contains("10,000 received, 10,000 accepted, 0 duplicates, 0 rejected");
        List<String> bar = push.err().lines().filter(l -> l.startsWith("[")).toList();
        assertThat(bar.getLast()).startsWith("[##############################] 100 %").contains("10,000 records").contains("0 rejected")
                .contains("(done)");
        assertThat(bar).allMatch(l -> l.matches("\\[[#. ]{30}] .*"));
    }

    static void shot(WebDriver browser, String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
