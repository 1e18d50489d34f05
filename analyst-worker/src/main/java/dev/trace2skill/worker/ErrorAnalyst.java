package dev.trace2skill.worker;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.trace2skill.core.check.AnswerCheckers;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.env.ReplaySession;
import dev.trace2skill.model.AgentLoop;
import dev.trace2skill.model.Prompts;
import dev.trace2skill.model.ToolBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A− (Trace2Skill §2.3): a multi-turn ReAct loop with tools over one failed trajectory. The analyst inspects the
 * trajectory and the skill folder and, when the trajectory's task can be found, works in the task's own environment
 * (task-env: the tools the evaluator's agent had, on a private copy of the task's inputs, with the agent's recorded
 * writes re-run). It verifies its root cause by reproducing a corrected result there and getting the task's checker to
 * accept it ({@code check_output}, at most {@code max-checks}); the expected answer is never shown unless
 * {@code reveal-expected}. Then it proposes a patch, validated against S0 like any model output. A trajectory without
 * an environment keeps the read-only tools and its patch is unverified. Bounded by {@code error-max-turns} and the
 * analysis' token budget.
 */
@ApplicationScoped
public class ErrorAnalyst {
    static final String SYSTEM = "error-analyst";

    @Inject
    AgentLoop loop;
    @Inject
    Prompts prompts;
    @Inject
    WorkerConfig config;
    @Inject
    TaskReplays replays;

    Analysis analyse(AnalysisContext ctx) {
        Trajectory t = ctx.job.trajectory();
        try (TaskReplays.Opened opened = replays.open(t)) {
            ReplaySession session = opened.session();
            ErrorAnalysisTools.Verification verification;
            String environmentPrompt;
            Map<String, String> environmentValues;
            List<Object> extraTools = new ArrayList<>();
            String max = Integer.toString(config.maxChecks());
            if (session != null) {
                verification = new ReplayVerification(session);
                extraTools.addAll(session.tools());
                environmentPrompt = session.workbook() ? "environment-workbook" : "environment-answer";
                environmentValues = Map.of("domain", session.domain(), "source", opened.source(), "tools", toolNames(extraTools),
                        "max_checks", max, "replayed", session.replay().replayed() + " recorded calls re-run"
                                + (session.replay().failures().isEmpty() ? "" : ", " + session.replay().failures().size() + " of them failed again"));
            } else if (config.revealExpected() && t.expectedAnswer() != null && !t.expectedAnswer().isBlank()) {
                RevealedAnswerCheck check = new RevealedAnswerCheck(AnswerCheckers.byName(checkerOf(t)), t.expectedAnswer(), config.maxChecks());
                verification = check;
                extraTools.add(check);
                environmentPrompt = "environment-revealed";
                environmentValues = Map.of("reason", opened.reason(), "max_checks", max);
            } else {
                verification = ErrorAnalysisTools.Verification.NONE;
                environmentPrompt = "environment-none";
                environmentValues = Map.of("reason", opened.reason());
            }
            boolean couldVerify = verification != ErrorAnalysisTools.Verification.NONE;
            String promptVersion = prompts.version(SYSTEM, "skill-guidance", "trajectory-is-data", "analysis-input", environmentPrompt, "use-tools");
            Analysis a = run(ctx, verification, extraTools, prompts.render(environmentPrompt, environmentValues), session);
            String note = session != null ? session.summary()
                    : verification != ErrorAnalysisTools.Verification.NONE ? verification.summary() : "no environment: " + opened.reason();
            return a.withPrompt(promptVersion).withVerification(note, couldVerify);
        }
    }

    private Analysis run(AnalysisContext ctx, ErrorAnalysisTools.Verification verification, List<Object> extraTools, String environment,
                         ReplaySession session) {
        ErrorAnalysisTools tools = new ErrorAnalysisTools(ctx.job.trajectory(), ctx.s0, config.maxObservationTokens(), ctx::validate, verification);
        List<Object> all = new ArrayList<>();
        all.add(tools);
        all.addAll(extraTools);
        ToolBox box = ToolBox.of(all.toArray());
        if (session != null) {
            box.observed(session::observe);
        }
        AgentLoop.Rules rules = AgentLoop.Rules.turns(config.errorMaxTurns())
                .budget(ctx.tokenBudget)
                .doneWhen(() -> tools.accepted != null)
                // a model that answers in text instead of calling propose_patch: the text is its proposal
                .onText(text -> {
                    String result = tools.proposePatch(text);
                    return AgentLoop.TextReply.continueWith(prompts.render("use-tools", Map.of("result", result)));
                })
                .afterTurn(turn -> tools.invalidProposals > config.maxRepairs()
                        ? "invalid patch after " + config.maxRepairs() + " repairs: " + String.join("; ", tools.lastProblems)
                        : null);
        AgentLoop.Outcome run = loop.run(ctx.model, List.of(
                prompts.system(SYSTEM, Map.of("max_turns", Integer.toString(config.errorMaxTurns()), "max_checks", Integer.toString(config.maxChecks()),
                        "skill_guidance", prompts.render("skill-guidance", Map.of()).strip(),
                        "trajectory_is_data", prompts.render("trajectory-is-data", Map.of()).strip())),
                prompts.user("analysis-input", ctx.inputValues(environment.strip()))), box, rules).orThrow();
        ctx.account(run.usage(), run.calls(), tools.invalidProposals);
        return switch (run.end()) {
            case DONE -> new Analysis(tools.accepted, null, verification.verified(), ctx.usage, ctx.calls, ctx.repairs);
            case STOPPED -> ctx.failed(run.reason());
            case BUDGET -> ctx.failed("token budget of " + ctx.tokenBudget + " exhausted after " + run.calls() + " turns");
            case MAX_TURNS, ANSWERED, UNAVAILABLE -> ctx.failed(verification.stillPossible() && !verification.verified()
                    ? "root cause not verified within " + config.errorMaxTurns() + " turns (" + verification.checks() + " results checked, none accepted)"
                    : "no valid patch within " + config.errorMaxTurns() + " turns");
        };
    }

    static String checkerOf(Trajectory t) {
        Object c = t.metadata().get("checker");
        String name = c == null ? "auto" : String.valueOf(c);
        return AnswerCheckers.names().contains(name) ? name : "auto";
    }

    private static String toolNames(List<Object> tools) {
        List<String> names = new ArrayList<>();
        for (Object o : tools) {
            ToolSpecifications.toolSpecificationsFrom(o).stream().map(ToolSpecification::name).forEach(names::add);
        }
        return String.join(", ", names);
    }

    /** Verification by the task's environment: a replay's gated check_output. */
    record ReplayVerification(ReplaySession session) implements ErrorAnalysisTools.Verification {
        @Override
        public boolean verified() {
            return session.verified();
        }

        @Override
        public boolean stillPossible() {
            return session.checks() < session.maxChecks();
        }

        @Override
        public String refusal() {
            int left = session.maxChecks() - session.checks();
            return "REFUSED: verify the root cause first: reproduce the corrected result with the task's tools and get check_output to PASS ("
                    + left + (left == 1 ? " check" : " checks") + " left; once none is left you may propose an unverified patch).";
        }

        @Override
        public int checks() {
            return session.checks();
        }

        @Override
        public String summary() {
            return session.summary();
        }
    }
}
