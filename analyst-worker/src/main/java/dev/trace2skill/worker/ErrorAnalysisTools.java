package dev.trace2skill.worker;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.skill.MarkdownSections;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.Step;
import dev.trace2skill.core.trajectory.Trajectory;
import dev.trace2skill.core.trajectory.TrajectoryText;
import dev.trace2skill.model.RepairLoop;
import dev.trace2skill.model.RepairLoop.Validation;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The Error Analyst's read-only tools over one trajectory and the frozen S0, and {@code propose_patch}, which holds the
 * patch finally accepted. Whether the cause is verified is the {@link Verification}'s business: the task's environment
 * ({@code check_output} of a replay), a revealed expected answer ({@code check_answer}), or none.
 */
@RegisterForReflection // ToolBox reads the @Tool methods and calls them reflectively, also in a native image
public final class ErrorAnalysisTools {
    static final int MAX_STEPS_PER_READ = 20;
    static final int MAX_MATCHES = 20;

    private final Trajectory trajectory;
    private final SkillBundle s0;
    private final int observationTokens;
    private final Function<String, Validation<Patch>> validator;
    private final Verification verification;

    Patch accepted;
    int invalidProposals;
    List<String> lastProblems = List.of();

    /** How an analysis verifies its cause. */
    interface Verification {
        /** Whether a check has confirmed the cause. */
        boolean verified();

        /** Whether the analyst can still verify (a checker and checks left): then a patch must wait for it. */
        boolean stillPossible();

        /** What propose_patch answers while verification is still possible. */
        String refusal();

        /** Checks made. */
        int checks();

        /** One line for the record. */
        String summary();

        Verification NONE = new Verification() {
            @Override
            public boolean verified() {
                return false;
            }

            @Override
            public boolean stillPossible() {
                return false;
            }

            @Override
            public String refusal() {
                return "";
            }

            @Override
            public int checks() {
                return 0;
            }

            @Override
            public String summary() {
                return "no environment";
            }
        };
    }

    ErrorAnalysisTools(Trajectory trajectory, SkillBundle s0, int observationTokens, Function<String, Validation<Patch>> validator,
                       Verification verification) {
        this.trajectory = trajectory;
        this.s0 = s0;
        this.observationTokens = observationTokens;
        this.validator = validator;
        this.verification = verification;
    }

    boolean verified() {
        return verification.verified();
    }

    @Tool(name = "read_steps", value = "Read steps from..to of the trajectory (1-based, inclusive, at most 20 at a time) with their full observations")
    public String readSteps(@P("first step, 1-based") int from, @P("last step, inclusive") int to) {
        List<Step> steps = trajectory.steps();
        if (steps.isEmpty()) {
            return "The trajectory has no steps.";
        }
        int a = Math.max(1, from);
        int b = Math.min(steps.size(), Math.min(to, a + MAX_STEPS_PER_READ - 1));
        if (a > b) {
            return "No such steps: the trajectory has steps 1-" + steps.size() + ".";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = a; i <= b; i++) {
            sb.append(TrajectoryText.step(i - 1, steps.get(i - 1), observationTokens * 2));
        }
        if (b < to) {
            sb.append("(stopped at step ").append(b).append("; read further with another call)\n");
        }
        return sb.toString();
    }

    @Tool(name = "search_trajectory", value = "List the steps whose reasoning, action or observation matches a regular expression (case-insensitive)")
    public String searchTrajectory(@P("a regular expression") String pattern) {
        Pattern p;
        try {
            p = Pattern.compile(pattern, Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            return "Invalid regular expression: " + e.getDescription();
        }
        List<String> hits = new ArrayList<>();
        if (p.matcher(trajectory.query()).find()) {
            hits.add("query: " + snippet(trajectory.query(), p));
        }
        for (int i = 0; i < trajectory.steps().size() && hits.size() < MAX_MATCHES; i++) {
            Step s = trajectory.steps().get(i);
            String text = (s.reasoning() == null ? "" : s.reasoning()) + "\n"
                    + (s.action() == null ? "" : s.action().tool() + " " + s.action().arguments()) + "\n"
                    + (s.observation() == null ? "" : s.observation());
            if (p.matcher(text).find()) {
                hits.add("step " + (i + 1) + ": " + snippet(text, p));
            }
        }
        return hits.isEmpty() ? "No step matches " + pattern + "." : String.join("\n", hits);
    }

    @Tool(name = "read_skill_section", value = "Read a section of the skill's SKILL.md by its heading title")
    public String readSkillSection(@P("the heading title, without # marks") String title) {
        if (!s0.has(SkillBundle.SKILL_MD)) {
            return "The skill has no SKILL.md.";
        }
        String body = s0.skillMd().body();
        List<Section> sections = MarkdownSections.parse(body);
        String wanted = Section.normalizeTitle(title);
        for (Section s : sections) {
            if (Section.normalizeTitle(s.title()).equals(wanted)) {
                return body.substring(s.start(), s.end());
            }
        }
        return "No section titled '" + title + "'. Sections: " + sections.stream().map(Section::title).toList();
    }

    @Tool(name = "read_skill_file", value = "Read a file of the skill folder, e.g. SKILL.md or references/x.md")
    public String readSkillFile(@P("path inside the skill folder") String path) {
        if (!s0.has(path) || !s0.isText(path)) {
            return "No text file " + path + ". Files: " + s0.paths();
        }
        return TrajectoryText.truncate(s0.text(path), observationTokens * 8);
    }

    @Tool(name = "propose_patch", value = "Submit the skill patch as a JSON object {\"edits\": [...]} once the root cause is verified")
    public String proposePatch(@P("the patch as JSON: {\"edits\": [...]}") String patch) {
        if (!verification.verified() && verification.stillPossible()) {
            return verification.refusal();
        }
        Validation<Patch> checked = validator.apply(patch);
        if (!checked.ok()) {
            invalidProposals++;
            lastProblems = checked.problems();
            return "INVALID: the patch cannot be applied to the skill:\n" + RepairLoop.bullets(checked.problems())
                    + "Fix these problems and call propose_patch again with the complete corrected patch.";
        }
        accepted = checked.value();
        return "ACCEPTED: the patch is valid. You are done.";
    }

    private static String snippet(String text, Pattern p) {
        var m = p.matcher(text);
        if (!m.find()) {
            return "";
        }
        int a = Math.max(0, m.start() - 80);
        int b = Math.min(text.length(), m.end() + 80);
        return (a > 0 ? "…" : "") + text.substring(a, b).replace('\n', ' ') + (b < text.length() ? "…" : "");
    }
}
