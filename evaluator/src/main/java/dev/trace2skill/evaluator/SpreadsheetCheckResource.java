package dev.trace2skill.evaluator;

import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.env.CheckOptions;
import dev.trace2skill.env.CheckResult;
import dev.trace2skill.env.TaskEnvironments;
import dev.trace2skill.env.sheet.SpreadsheetChecker;
import dev.trace2skill.env.sheet.SpreadsheetEnvironment;
import dev.trace2skill.service.Problem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scoring as a service: an output workbook posted for a spreadsheet task is scored exactly as the evaluator scores its
 * own episodes (the same {@link SpreadsheetEnvironment#score}): recalculated unless {@code recalculate=false}, then
 * compared with the golden workbook in the {@code official} or {@code lenient} mode. The answer names the mismatching
 * cells, never the expected values.
 */
@Path("/v1/tasksets/{taskset}/tasks/{id}/check")
@Blocking
public class SpreadsheetCheckResource {
    public static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    @Inject
    TaskSource tasks;
    @Inject
    Environments environments;
    @Inject
    EvaluatorConfig config;
    @Inject
    MeterRegistry registry;

    @POST
    @Consumes({XLSX, MediaType.APPLICATION_OCTET_STREAM})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Score an output workbook for a spreadsheet task: {id, passed, mode, mismatches, notEvaluated, problems, detail}")
    public Map<String, Object> check(@PathParam("taskset") String taskset, @PathParam("id") String id,
                                     @QueryParam("mode") @DefaultValue("official") String mode,
                                     @QueryParam("recalculate") @DefaultValue("true") String recalculate, InputStream body) throws IOException {
        if (!TaskSets.SPREADSHEETBENCH.equals(taskset)) {
            throw Problem.of(404, "No workbook checker", "task set '" + taskset + "' has no workbook checker; use "
                    + TaskSets.SPREADSHEETBENCH).failure();
        }
        CheckOptions.Mode m;
        try {
            m = CheckOptions.Mode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw Problem.invalidParameter("mode", "must be official or lenient");
        }
        if (!recalculate.equalsIgnoreCase("true") && !recalculate.equalsIgnoreCase("false")) {
            throw Problem.invalidParameter("recalculate", "must be true or false");
        }
        Task task;
        TaskEnvironments envs;
        try {
            task = tasks.builtInTask(taskset, id).orElseThrow(() -> Problem.of(404, "No such task", "task set " + taskset
                    + " has no task '" + id + "'").failure());
            envs = environments.current();
        } catch (IllegalArgumentException e) {
            throw Problem.of(503, "Task data unavailable", e.getMessage()).failure();
        }
        long max = config.spreadsheet().maxUploadBytes();
        byte[] bytes = body == null ? new byte[0] : body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (bytes.length > max) {
            throw Problem.field(413, "Workbook too large", "a workbook may be at most " + max + " bytes", "(body)",
                    "larger than " + max + " bytes");
        }
        if (bytes.length == 0) {
            throw Problem.field(400, "No workbook", "send the output workbook (xlsx) as the request body", "(body)", "is empty");
        }
        SpreadsheetEnvironment sheets = envs.find(SpreadsheetEnvironment.class).orElseThrow();
        java.nio.file.Path file = Files.createTempFile("t2s-check-", ".xlsx");
        Timer.Sample sample = Timer.start(registry);
        try {
            Files.write(file, bytes);
            try {
                SpreadsheetChecker.validate(file);
            } catch (IllegalArgumentException e) {
                throw Problem.field(422, "Unreadable workbook", "the body is not a workbook the checker can read", "(body)", e.getMessage());
            }
            boolean recalc = recalculate.equalsIgnoreCase("true");
            CheckResult r = sheets.score(task, file, new CheckOptions(m, recalc, false));
            registry.counter("t2s_spreadsheet_checks_total", "mode", r.mode(), "passed", Boolean.toString(r.passed())).increment();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", task.id());
            out.put("passed", r.passed());
            out.put("mode", r.mode());
            out.put("mismatches", r.mismatches());
            out.put("notEvaluated", r.notEvaluated());
            out.put("problems", r.problems());
            out.put("detail", r.detail());
            out.put("recalculated", recalc ? sheets.settings().recalculator() : "no");
            return out;
        } finally {
            sample.stop(registry.timer("t2s_spreadsheet_check_seconds", "mode", m.label()));
            Files.deleteIfExists(file);
        }
    }

}
