package dev.trace2skill.evaluator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
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
    ModelGateway models;
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
        List<Step> steps = new ArrayList<>();
        TokenUsage usage = TokenUsage.ZERO;
        try (Workspace workspace = environments.forDataDir(dataDir).open(task)) {
            List<Object> toolObjects = new ArrayList<>();
            toolObjects.add(own);
            toolObjects.addAll(workspace.tools());
            ToolBox tools = ToolBox.of(toolObjects.toArray());
            List<ChatMessage> messages = new ArrayList<>();
            String finish = "spreadsheet".equals(workspace.domain()) ? "finish once the workbook holds the answer"
                    : "submit_answer with the final answer only";
            messages.add(SystemMessage.from(prompts.render("skill-user", Map.of("skill", skillSection(skill), "domain", domain(task), "finish", finish))));
            messages.add(UserMessage.from(task.question() + (workspace.briefing().isEmpty() ? "" : "\n\n" + workspace.briefing())));
            String answer = null;
            boolean outOfTokens = false;
            for (int turn = 0; turn < config.maxTurns() && !workspace.finished() && answer == null; turn++) {
                ModelGateway.Reply reply = models.chat(model, messages, tools.specifications(), seed);
                usage = usage.plus(reply.usage());
                AiMessage ai = reply.response().aiMessage();
                messages.add(ai);
                if (ai.hasToolExecutionRequests()) {
                    boolean first = true;
                    for (ToolExecutionRequest request : ai.toolExecutionRequests()) {
                        String result = tools.execute(request);
                        messages.add(ToolExecutionResultMessage.from(request, result));
                        steps.add(new Step(first ? blank(ai.text()) : null, new ToolCall(request.name(), args(request.arguments())), result));
                        first = false;
                    }
                } else {
                    answer = ai.text() == null ? "" : ai.text().strip();
                    steps.add(new Step(blank(answer), null, null));
                }
                if (usage.total() >= maxTokens && !workspace.finished() && answer == null) {
                    outOfTokens = true;
                    break;
                }
            }
            String finalAnswer = workspace.submittedAnswer() != null ? workspace.submittedAnswer() : answer;
            CheckResult verdict = workspace.check(finalAnswer, environments.checkOptions());
            boolean correct = verdict.passed();
            Episode.Status status = correct ? Episode.Status.CORRECT : Episode.Status.WRONG;
            Map<String, Object> meta = new LinkedHashMap<>(metadata);
            meta.put("turns", steps.size());
            meta.put("referencesRead", own.referencesRead);
            meta.put("domain", workspace.domain());
            if ("spreadsheet".equals(workspace.domain())) {
                meta.put("finished", workspace.finished());
                meta.put("check", checkSummary(verdict));
            }
            if (outOfTokens) {
                meta.put("stopped", "token cap of " + maxTokens + " reached");
            }
            return new Result(status, finalAnswer, trajectory(trajectoryId, task, steps, finalAnswer, correct, skillRef, model, usage, meta),
                    usage, null, outOfTokens);
        } catch (ModelGateway.ModelUnavailableException e) {
            return new Result(Episode.Status.ERROR, null, null, usage, e.getMessage(), false);
        } catch (EnvironmentException | IllegalArgumentException e) {
            return new Result(Episode.Status.ERROR, null, null, usage, "cannot set up the task: " + e.getMessage(), false);
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

    static String skillSection(SkillBundle skill) {
        if (skill == null) {
            return "";
        }
        StringBuilder s = new StringBuilder("Use this skill:\n<skill name=\"").append(skill.name()).append("\">\n")
                .append(skill.has(SkillBundle.SKILL_MD) ? skill.skillMd().body().strip() : "").append("\n</skill>\n");
        List<String> refs = skill.paths().stream().filter(p -> !p.equals(SkillBundle.SKILL_MD)).toList();
        if (!refs.isEmpty()) {
            s.append("Files of the skill you can read with read_reference: ").append(String.join(", ", refs)).append('\n');
        }
        return s.toString();
    }

    static String domain(Task task) {
        return switch (task.checker()) {
            case "wikitq" -> "The question is about a table. Look at it with list_columns and run_sql, then submit the answer as it "
                    + "appears in the table; separate several values with |.";
            case "gsm8k", "math" -> "Solve the math problem step by step, then submit only the final number or expression.";
            case "spreadsheet" -> "The task is about the open workbook: change it with the workbook tools so the answer position holds the "
                    + "result, then call finish. The finished workbook is checked, not a text answer.";
            default -> "Submit only the final answer.";
        };
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
