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
 * The LLM merge operator M(π, S0, {p1..pk}). The model must name, for every output edit, the input edits it came from;
 * support is the union of theirs, computed in code. Output that cannot be read or fails the core's conflict checks
 * against S0 goes back with the problems (at most {@code max-repairs} times); after that the deterministic merge takes
 * over. A group whose inputs are all empty needs no model call.
 */
final class LlmMergeOperator implements HierarchicalMerge.Operator {
    private final RepairLoop loop;
    private final ModelGateway.Target target;
    private final Prompts prompts;
    private final SkillBundle s0;
    private final PatchPolicy policy;
    private final int maxRepairs;
    private final MergerMetrics metrics;

    LlmMergeOperator(RepairLoop loop, ModelGateway.Target target, Prompts prompts, SkillBundle s0, PatchPolicy policy,
                     int maxRepairs, MergerMetrics metrics) {
        this.loop = loop;
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
                        "patches", describe(inputs)))),
                text -> validate(group, inputs, text), RepairLoop.Rules.of("merge-repair", maxRepairs));
        int repairs = run.repairs();
        TokenUsage usage = run.usage();
        if (run.ok()) {
            metrics.node(group.level(), "llm", repairs, false);
            return new NodeResult(run.value().patch(), run.value().decisions(), "llm", repairs, false, usage, elapsed(start));
        }
        // the model's output stayed invalid: the deterministic merge takes over, keeping every valid input edit it can
        DeterministicMerger.Output fallback = new DeterministicMerger(policy).merge(group.nodeId(), s0, inputs);
        List<EditDecision> decisions = new ArrayList<>(fallback.decisions());
        metrics.node(group.level(), "deterministic", repairs, true);
        return new NodeResult(fallback.patch(), decisions, "deterministic", repairs, true, usage, elapsed(start));
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

    /** The input patches as the model sees them: each edit with its id and support count. */
    static String describe(List<Patch> inputs) {
        ArrayNode arr = Json.mapper().createArrayNode();
        for (Patch p : inputs) {
            ObjectNode patch = arr.addObject();
            patch.put("patch", p.id());
            ArrayNode edits = patch.putArray("edits");
            for (Edit e : p.withEditIds().edits()) {
                ObjectNode o = Json.mapper().valueToTree(e.withSupport(List.of()).withSources(List.of()));
                o.put("support", e.support().size());
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
