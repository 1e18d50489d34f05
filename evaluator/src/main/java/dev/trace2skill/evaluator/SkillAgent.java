package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.env.CheckResult;
import dev.trace2skill.env.EnvironmentException;
import dev.trace2skill.env.Workspace;
import dev.trace2skill.model.AgentLoop;
import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.model.Prompts;
import dev.trace2skill.model.ToolBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The skill-user agent: a ReAct loop through langchain4j tools against any OpenAI-compatible server. The skill's
 * SKILL.md body is in the system prompt; its reference files are loaded on demand with {@code read_reference}. The
 * task's environment (task-env) opens a private workspace per episode and gives the domain's tools and finishing tool
 * ({@code list_columns} and {@code run_sql} over a table, {@code calculate} for math, the workbook tools and
 * {@code finish} for spreadsheets, {@code submit_answer} for text answers), and its checker scores the episode. Bounded
 * turns and tokens per task. A model that stays unreachable makes the episode an ERROR, never a wrong answer.
 */
@ApplicationScoped
public class SkillAgent {
    @Inject
    AgentLoop loop;
    @Inject
    Prompts prompts;
    @Inject
    EvaluatorConfig config;
    @Inject
    Environments environments;

    /**
     * One episode's result and its labelled trajectory.
     *
     * @param outOfTokens the agent was stopped because it reached its token cap before answering
     */
    public record Result(Episode.Status status, String answer, Trajectory trajectory, TokenUsage usage, String error, boolean outOfTokens) {
    }

    /**
     * Runs one task.
     *
     * @param maxTokens the episode's token cap (the per-task cap, or less when the evaluation's budget has less left)
     */
    public Result run(String trajectoryId, Task task, SkillBundle skill, String skillRef, ModelGateway.Target model, int seed,
                      Path dataDir, long maxTokens, Map<String, Object> metadata) {
        AgentTools own = new AgentTools(skill);
        try (Workspace workspace = environments.forDataDir(dataDir).open(task)) {
            List<Object> toolObjects = new ArrayList<>();
            toolObjects.add(own);
            toolObjects.addAll(workspace.tools());
            ToolBox tools = ToolBox.of(toolObjects.toArray());
            boolean workbook = "spreadsheet".equals(workspace.domain());
            List<ChatMessage> opening = List.of(
                    prompts.system("skill-user", Map.of("skill", skillSection(skill), "domain", domain(task),
                            "finish", prompts.render(workbook ? "finish-workbook" : "finish-answer", Map.of()).strip())),
                    UserMessage.from(task.question() + (workspace.briefing().isEmpty() ? "" : "\n\n" + workspace.briefing())));
            AgentLoop.Outcome run = loop.run(model, opening, tools, AgentLoop.Rules.turns(config.maxTurns())
                    .budget(maxTokens).seed(seed).doneWhen(workspace::finished));
            if (run.end() == AgentLoop.End.UNAVAILABLE) {
                return new Result(Episode.Status.ERROR, null, null, run.usage(), run.failure().getMessage(), false);
            }
            List<Step> steps = steps(run.turns());
            String finalAnswer = workspace.submittedAnswer() != null ? workspace.submittedAnswer()
                    : run.end() == AgentLoop.End.ANSWERED ? run.answer().strip() : null;
            boolean outOfTokens = run.end() == AgentLoop.End.BUDGET;
            CheckResult verdict = workspace.check(finalAnswer, environments.checkOptions());
            boolean correct = verdict.passed();
            Episode.Status status = correct ? Episode.Status.CORRECT : Episode.Status.WRONG;
            Map<String, Object> meta = new LinkedHashMap<>(metadata);
            meta.put("turns", steps.size());
            meta.put("referencesRead", own.referencesRead);
            meta.put("domain", workspace.domain());
            if (workbook) {
                meta.put("finished", workspace.finished());
                meta.put("check", checkSummary(verdict));
            }
            if (outOfTokens) {
                meta.put("stopped", "token cap of " + maxTokens + " reached");
            }
            return new Result(status, finalAnswer, trajectory(trajectoryId, task, steps, finalAnswer, correct, skillRef, model, run.usage(), meta),
                    run.usage(), null, outOfTokens);
        } catch (EnvironmentException | IllegalArgumentException e) {
            return new Result(Episode.Status.ERROR, null, null, TokenUsage.ZERO, "cannot set up the task: " + e.getMessage(), false);
        }
    }

    /**
     * Where a workbook result failed, for the trajectory (and so for the error analyst): cell addresses, cells not
     * evaluated and problems, never the expected values.
     */
    static Map<String, Object> checkSummary(CheckResult v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("passed", v.passed());
        m.put("mode", v.mode());
        m.put("detail", v.detail());
        m.put("mismatches", v.mismatches().stream().limit(50).toList());
        if (!v.notEvaluated().isEmpty()) {
            m.put("notEvaluated", v.notEvaluated().stream().limit(20).toList());
        }
        if (!v.problems().isEmpty()) {
            m.put("problems", v.problems());
        }
        return m;
    }

    /** The episode's steps: one per tool call (the model's text goes with the first call of its turn), one per text reply. */
    static List<Step> steps(List<AgentLoop.Turn> turns) {
        List<Step> steps = new ArrayList<>();
        for (AgentLoop.Turn turn : turns) {
            if (turn.tools().isEmpty()) {
                steps.add(new Step(blank(turn.text() == null ? null : turn.text().strip()), null, null));
            }
            for (int i = 0; i < turn.tools().size(); i++) {
                AgentLoop.ToolStep call = turn.tools().get(i);
                steps.add(new Step(i == 0 ? blank(turn.text()) : null, new ToolCall(call.name(), args(call.arguments())), call.observation()));
            }
        }
        return steps;
    }

    String skillSection(SkillBundle skill) {
        if (skill == null) {
            return "";
        }
        String section = prompts.render("skill-section", Map.of("skill_name", skill.name(),
                "body", skill.has(SkillBundle.SKILL_MD) ? skill.skillMd().body().strip() : ""));
        List<String> refs = skill.paths().stream().filter(p -> !p.equals(SkillBundle.SKILL_MD)).toList();
        return refs.isEmpty() ? section : section + prompts.render("skill-files", Map.of("files", String.join(", ", refs)));
    }

    String domain(Task task) {
        return prompts.render(switch (task.checker()) {
            case "wikitq" -> "domain-table";
            case "gsm8k", "math" -> "domain-math";
            case "spreadsheet" -> "domain-spreadsheet";
            default -> "domain-other";
        }, Map.of());
    }

    static Trajectory trajectory(String id, Task task, List<Step> steps, String answer, boolean correct, String skillRef,
                                 ModelGateway.Target model, TokenUsage usage, Map<String, Object> metadata) {
        Map<String, Object> meta = new LinkedHashMap<>(metadata);
        meta.put("checker", task.checker());
        return new Trajectory(id, task.id(), task.question(), steps, answer, new Outcome(correct, correct ? 1.0 : 0.0), task.expected(),
                model.model(), skillRef, usage, meta);
    }

    private static JsonNode args(String json) {
        try {
            JsonNode n = Json.mapper().readTree(json == null || json.isBlank() ? "{}" : json);
            return n.isObject() ? n : Json.mapper().createObjectNode().put("input", json);
        } catch (Exception e) {
            return Json.mapper().createObjectNode().put("input", json);
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
