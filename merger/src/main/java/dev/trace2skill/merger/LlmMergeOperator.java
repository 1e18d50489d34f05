package dev.trace2skill.merger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.merge.DeterministicMerger;
import dev.trace2skill.core.merge.EditDecision;
import dev.trace2skill.core.merge.HierarchicalMerge;
import dev.trace2skill.core.merge.MergeGroup;
import dev.trace2skill.core.merge.MergeOperatorOutput;
import dev.trace2skill.core.merge.NodeResult;
import dev.trace2skill.core.merge.TaskSupport;
import dev.trace2skill.core.patch.Conflict;
import dev.trace2skill.core.patch.ConflictKind;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchApplier;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillLimits;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.model.Prompts;
import dev.trace2skill.model.RepairLoop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The LLM merge operator M(π, S0, {p1..pk}). The model sees the skill's file index, SKILL.md, and the current text of
 * every other file its input edits touch (within a token budget); each input edit comes with its support counted in
 * tasks and trajectories. It must name, for every output edit, the input edits it came from; support is the union of
 * theirs, computed in code (and checked for resemblance by {@link dev.trace2skill.core.merge.AttributionCheck}).
 * Output that cannot be read or fails the core's conflict checks against S0 goes back with the problems (at most
 * {@code max-repairs} times); after that the deterministic merge takes over. A group whose inputs are all empty needs
 * no model call. Every node records the prompt version (content hash of the templates).
 */
final class LlmMergeOperator implements HierarchicalMerge.Operator {
    private final RepairLoop loop;
    private final ModelGateway.Target target;
    private final Prompts prompts;
    private final SkillBundle s0;
    private final PatchPolicy policy;
    private final int maxRepairs;
    private final MergerMetrics metrics;
    private final TaskSupport tasks;
    private final int fileContextChars;
    private final String promptVersion;

    LlmMergeOperator(RepairLoop loop, ModelGateway.Target target, Prompts prompts, SkillBundle s0, PatchPolicy policy,
                     int maxRepairs, MergerMetrics metrics, TaskSupport tasks, int fileContextTokens) {
        this.loop = loop;
        this.tasks = tasks;
        this.fileContextChars = Math.max(0, fileContextTokens) * 4;
        this.promptVersion = prompts.version(PROMPTS[0], PROMPTS[1], PROMPTS[2]);
        this.target = target;
        this.prompts = prompts;
        this.s0 = s0;
        this.policy = policy;
        this.maxRepairs = maxRepairs;
        this.metrics = metrics;
    }

    @Override
    public NodeResult merge(MergeGroup group, List<Patch> inputs) {
        long start = System.nanoTime();
        if (inputs.stream().allMatch(p -> p.edits().isEmpty())) {
            return new NodeResult(new Patch(group.nodeId(), List.of()), List.of(), "empty", 0, false, null, 0);
        }
        RepairLoop.Outcome<MergeOperatorOutput> run = loop.run(target, List.of(prompts.system("merge", Map.of()),
                prompts.user("merge-input", Map.of("mode", policy.mode().wire(), "skill_name", s0.name(),
                        "skill", s0.text(SkillBundle.SKILL_MD), "count", Integer.toString(inputs.size()), "node", group.nodeId(),
                        "file_index", fileIndex(s0), "files", touchedFiles(s0, inputs, fileContextChars),
                        "patches", describe(inputs, tasks)))),
                text -> validate(group, inputs, text), RepairLoop.Rules.of("merge-repair", maxRepairs));
        int repairs = run.repairs();
        TokenUsage usage = run.usage();
        if (run.ok()) {
            metrics.node(group.level(), "llm", repairs, false);
            return new NodeResult(run.value().patch(), run.value().decisions(), "llm", repairs, false, usage, elapsed(start))
                    .withPromptVersion(promptVersion);
        }
        // the model's output stayed invalid: the deterministic merge takes over, keeping every valid input edit it can
        DeterministicMerger.Output fallback = new DeterministicMerger(policy).merge(group.nodeId(), s0, inputs);
        List<EditDecision> decisions = new ArrayList<>(fallback.decisions());
        metrics.node(group.level(), "deterministic", repairs, true);
        return new NodeResult(fallback.patch(), decisions, "deterministic", repairs, true, usage, elapsed(start)).withPromptVersion(promptVersion);
    }

    /** The model's merged patch, read against its inputs and checked against S0 (size limits apart: S* is fitted to them at the end). */
    private RepairLoop.Validation<MergeOperatorOutput> validate(MergeGroup group, List<Patch> inputs, String text) {
        MergeOperatorOutput out = MergeOperatorOutput.read(group.nodeId(), inputs, text);
        List<String> problems = new ArrayList<>(out.errors());
        if (problems.isEmpty()) {
            PatchApplier relaxed = new PatchApplier(policy.withLimits(new SkillLimits(Integer.MAX_VALUE, Integer.MAX_VALUE)));
            for (Conflict c : relaxed.check(s0, out.patch())) {
                if (c.kind() != ConflictKind.SIZE_LIMIT) {
                    problems.add(c.toString());
                }
            }
        }
        return problems.isEmpty() ? RepairLoop.Validation.valid(out) : RepairLoop.Validation.invalid(problems);
    }

    /** The templates of a merge conversation: their content hash is the prompt version recorded on every node. */
    static final String[] PROMPTS = {"merge", "merge-input", "merge-repair"};

    /** Every file of the skill with its size, so edits to files not shown are not judged blind. */
    static String fileIndex(SkillBundle s0) {
        StringBuilder out = new StringBuilder();
        for (String path : new java.util.TreeSet<>(s0.paths())) {
            out.append("- ").append(path);
            if (s0.isText(path)) {
                long lines = s0.text(path).lines().count();
                out.append(" (").append(lines).append(lines == 1 ? " line)" : " lines)");
            } else {
                out.append(" (binary)");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * The current text of every file besides SKILL.md that the input edits touch, most-touched first, within
     * {@code budget} characters: a file that does not fit is cut (and says so), files beyond the budget are named.
     */
    static String touchedFiles(SkillBundle s0, List<Patch> inputs, int budget) {
        Map<String, Integer> touches = new java.util.LinkedHashMap<>();
        for (Patch p : inputs) {
            for (Edit e : p.edits()) {
                if (!e.path().equals(SkillBundle.SKILL_MD)) {
                    touches.merge(e.path(), 1, Integer::sum);
                }
            }
        }
        if (touches.isEmpty()) {
            return "";
        }
        List<String> order = new ArrayList<>(touches.keySet());
        order.sort(java.util.Comparator.comparingInt((String f) -> -touches.get(f)).thenComparing(f -> f));
        StringBuilder out = new StringBuilder("The current text of the other files these patches edit:\n");
        int left = budget;
        List<String> notShown = new ArrayList<>();
        for (String path : order) {
            if (!s0.has(path)) {
                out.append("<file path=\"").append(path).append("\">(not in the skill yet: the patches create it)</file>\n");
                continue;
            }
            if (!s0.isText(path)) {
                out.append("<file path=\"").append(path).append("\">(binary)</file>\n");
                continue;
            }
            String text = s0.text(path);
            if (left <= 0) {
                notShown.add(path);
                continue;
            }
            if (text.length() > left) {
                String cut = text.substring(0, left);
                long more = text.substring(left).lines().count();
                text = cut + "\n… (cut to fit the context budget; " + more + " more lines)";
            }
            left -= Math.min(left, s0.text(path).length());
            out.append("<file path=\"").append(path).append("\">\n").append(text.strip()).append("\n</file>\n");
        }
        if (!notShown.isEmpty()) {
            out.append("Not shown (over the context budget): ").append(String.join(", ", notShown)).append('\n');
        }
        return out.append('\n').toString();
    }

    /** The input patches as the model sees them: each edit with its id and its support in tasks and trajectories. */
    static String describe(List<Patch> inputs) {
        return describe(inputs, TaskSupport.PER_TRAJECTORY);
    }

    static String describe(List<Patch> inputs, TaskSupport tasks) {
        ArrayNode arr = Json.mapper().createArrayNode();
        for (Patch p : inputs) {
            ObjectNode patch = arr.addObject();
            patch.put("patch", p.id());
            ArrayNode edits = patch.putArray("edits");
            for (Edit e : p.withEditIds().edits()) {
                ObjectNode o = Json.mapper().valueToTree(e.withSupport(List.of()).withSources(List.of()));
                TaskSupport.Count c = tasks.count(e.support());
                if (c.downweighted()) {
                    o.put("support_tasks", c.weighted());
                } else {
                    o.put("support_tasks", c.tasks());
                }
                o.put("support_trajectories", c.trajectories());
                edits.add(o);
            }
        }
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(arr);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
