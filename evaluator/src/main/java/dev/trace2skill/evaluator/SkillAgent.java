package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.trace2skill.core.check.AnswerChecker;
import dev.trace2skill.core.check.AnswerCheckers;
import dev.trace2skill.core.eval.Episode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.tasks.Task;
import dev.trace2skill.core.tasks.TaskSets;
import dev.trace2skill.core.trajectory.Outcome;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.core.trajectory.ToolCall;
import dev.trace2skill.core.trajectory.Trajectory;
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
 * SKILL.md body is in the system prompt; its reference files are loaded on demand with {@code read_reference}; table
 * tasks get {@code list_columns} and {@code run_sql} over the task's real table. Bounded turns and tokens per task. A
 * model that stays unreachable makes the episode an ERROR, never a wrong answer.
 */
@ApplicationScoped
public class SkillAgent {
    @Inject
    AgentLoop loop;
    @Inject
    Prompts prompts;
    @Inject
    EvaluatorConfig config;

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
        TableDatabase table = null;
        try {
            boolean tableTask = task.context().containsKey("table");
            if (tableTask) {
                table = new TableDatabase(TaskSets.tableRoot(dataDir).resolve(task.context().get("table")));
            }
            ToolBox tools = ToolBox.of(own, tableTask ? new TableTools(table) : null);
            List<ChatMessage> opening = List.of(
                    prompts.system("skill-user", Map.of("skill", skillSection(skill), "domain", domain(task))),
                    tableTask ? prompts.user("table-question", Map.of("question", task.question())) : UserMessage.from(task.question()));
            AgentLoop.Outcome run = loop.run(model, opening, tools, AgentLoop.Rules.turns(config.maxTurns())
                    .budget(maxTokens).seed(seed).doneWhen(() -> own.answer != null));
            if (run.end() == AgentLoop.End.UNAVAILABLE) {
                return new Result(Episode.Status.ERROR, null, null, run.usage(), run.failure().getMessage(), false);
            }
            List<Step> steps = steps(run.turns());
            String finalAnswer = own.answer != null ? own.answer : run.end() == AgentLoop.End.ANSWERED ? run.answer().strip() : null;
            boolean outOfTokens = run.end() == AgentLoop.End.BUDGET;
            AnswerChecker checker = AnswerCheckers.byName(task.checker());
            boolean correct = finalAnswer != null && checker.check(finalAnswer, task.expected()).correct();
            Episode.Status status = correct ? Episode.Status.CORRECT : Episode.Status.WRONG;
            Map<String, Object> meta = new LinkedHashMap<>(metadata);
            meta.put("turns", steps.size());
            meta.put("referencesRead", own.referencesRead);
            if (outOfTokens) {
                meta.put("stopped", "token cap of " + maxTokens + " reached");
            }
            return new Result(status, finalAnswer, trajectory(trajectoryId, task, steps, finalAnswer, correct, skillRef, model, run.usage(), meta),
                    run.usage(), null, outOfTokens);
        } catch (java.sql.SQLException | IllegalArgumentException e) {
            return new Result(Episode.Status.ERROR, null, null, TokenUsage.ZERO, "cannot set up the task: " + e.getMessage(), false);
        } finally {
            if (table != null) {
                table.close();
            }
        }
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
