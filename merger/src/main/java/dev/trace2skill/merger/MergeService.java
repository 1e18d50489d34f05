package dev.trace2skill.merger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.merge.Changelog;
import dev.trace2skill.core.merge.EditDecision;
import dev.trace2skill.core.merge.Evolution;
import dev.trace2skill.core.merge.HierarchicalMerge;
import dev.trace2skill.core.merge.MergeGroup;
import dev.trace2skill.core.merge.MergePlan;
import dev.trace2skill.core.merge.NodeResult;
import dev.trace2skill.core.merge.PatchOrder;
import dev.trace2skill.core.mining.MiningParams;
import dev.trace2skill.core.mining.TraceMiner;
import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.patch.PatchPolicy;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.PatchResult;
import dev.trace2skill.core.pipeline.RunEvent;
import dev.trace2skill.core.pipeline.SkillEvolved;
import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.pipeline.Topics;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.trajectory.TokenUsage;
import dev.trace2skill.model.ModelGateway;
import dev.trace2skill.model.Prompts;
import dev.trace2skill.model.RepairLoop;
import dev.trace2skill.service.Outgoing;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a run's patch pool into S*: order the pool so similar patches share groups, merge level by level (every node
 * persisted, so an interrupted merge resumes), select (offline engine) or route niche edits (LLM engine), apply p* to
 * S0, fit, validate, and record the diff, changelog, merge tree and provenance. Then S* goes out on
 * {@code skills-evolved} and the run's progress on {@code run-events}.
 */
@ApplicationScoped
public class MergeService {
    private static final Logger LOG = Logger.getLogger(MergeService.class);

    @Inject
    MergerStore store;
    @Inject
    MergerConfig config;
    @Inject
    ModelGateway models;
    @Inject
    Prompts prompts;
    @Inject
    RepairLoop repairLoop;
    @Inject
    @Channel(Topics.SKILLS_EVOLVED)
    MutinyEmitter<String> evolvedSkills;
    /** Progress events: a later one supersedes an earlier, so they go without waiting for the broker. */
    @Inject
    @Channel(Topics.RUN_EVENTS)
    MutinyEmitter<String> runEvents;
    @Inject
    MergerMetrics metrics;

    /** Merges the run unless another merger replica holds it; returns whether this call merged it. */
    public boolean merge(String runId) {
        boolean[] merged = {false};
        store.underRunLock(runId, () -> {
            MergerStore.Run run = store.run(runId).orElseThrow();
            if (run.status().terminal()) {
                return;
            }
            merged[0] = true;
            Instant start = Instant.now();
            try {
                doMerge(run);
                metrics.merged(Duration.between(start, Instant.now()), "done");
            } catch (ModelGateway.ModelUnavailableException e) {
                // the finished nodes are saved: the run stays "merging" and resumes at the first unfinished node
                LOG.warnf("run %s: merge interrupted, will resume: %s", runId, e.getMessage());
                store.status(runId, MergeStatus.MERGING, "interrupted: " + e.getMessage());
                metrics.merged(Duration.between(start, Instant.now()), "interrupted");
            } catch (RuntimeException e) {
                LOG.errorf(e, "run %s: merge failed", runId);
                store.status(runId, MergeStatus.FAILED, e.getMessage());
                event(new RunEvent(runId, RunEvent.Type.RUN_FAILED, null, null, null, null, null, e.getMessage(), Instant.now()));
                metrics.merged(Duration.between(start, Instant.now()), "failed");
            }
        });
        return merged[0];
    }

    private void doMerge(MergerStore.Run run) {
        String runId = run.runId();
        store.status(runId, MergeStatus.MERGING, null);
        SkillBundle s0 = run.s0().bundle();
        PatchPolicy policy = PatchPolicy.of(run.config().mode());
        boolean offline = run.config().engine() == AnalysisEngine.MINING;

        List<PatchResult> results = store.results(runId);
        Map<String, Boolean> outcomes = new LinkedHashMap<>();
        Set<String> answeredJobs = new LinkedHashSet<>();
        List<String> missing = new ArrayList<>();
        List<Patch> pool = new ArrayList<>();
        for (PatchResult r : results) {
            outcomes.put(r.trajectoryId(), r.trajectorySuccess());
            answeredJobs.add(r.jobId());
            if (r.proposed() && r.patch() != null) {
                pool.add(new Patch(r.patchId(), r.patch().edits()).withEditIds());
            } else {
                missing.add(r.trajectoryId() + ": analysis failed (" + r.failureReason() + ")");
            }
        }
        for (String job : run.jobIds()) {
            if (!answeredJobs.contains(job)) {
                missing.add(job.substring(job.indexOf(':') + 1) + ": no result before the straggler timeout");
            }
        }
        if (pool.isEmpty()) {
            throw new IllegalStateException("no patch to merge: " + missing.size() + " jobs failed or are missing");
        }
        List<Patch> ordered = PatchOrder.bySections(pool);
        int branching = run.config().mergeBranching();
        MergePlan plan = MergePlan.of(ordered.stream().map(Patch::id).toList(), branching);
        Map<String, Patch> leaves = new LinkedHashMap<>();
        ordered.forEach(p -> leaves.put(p.id(), p));
        event(new RunEvent(runId, RunEvent.Type.MERGE_STARTED, 0, plan.depth(), 0, plan.groups().size(), null,
                missing.isEmpty() ? null : missing.size() + " trajectories without a patch", Instant.now()));

        HierarchicalMerge.Operator operator = offline ? new UnionOperator(metrics)
                : new LlmMergeOperator(repairLoop, models.resolve(run.config().mergerModel()), prompts, s0, policy, config.maxRepairs(), metrics);
        HierarchicalMerge.NodeStore nodes = new HierarchicalMerge.NodeStore() {
            @Override
            public java.util.Optional<NodeResult> load(String nodeId) {
                return store.node(runId, nodeId);
            }

            @Override
            public void save(MergeGroup group, NodeResult result) {
                store.saveNode(runId, group, result);
            }
        };
        Patch root = new HierarchicalMerge(plan, operator, nodes, config.mergeConcurrency(), (g, r, done, total) -> {
            metrics.tokens(r.usage().promptTokens(), r.usage().completionTokens());
            event(new RunEvent(runId, RunEvent.Type.MERGE_PROGRESS, g.level(), plan.depth(), done, total, null, null, Instant.now()));
        }).run(leaves);

        Map<String, Edit> allEdits = new HashMap<>();
        pool.forEach(p -> p.edits().forEach(e -> allEdits.put(e.id(), e)));
        List<MergerStore.Node> saved = store.nodes(runId);
        List<EditDecision> nodeDecisions = new ArrayList<>();
        TokenUsage mergeUsage = TokenUsage.ZERO;
        for (MergerStore.Node n : saved) {
            n.result().output().edits().forEach(e -> allEdits.put(e.id(), e));
            nodeDecisions.addAll(n.result().decisions());
            mergeUsage = mergeUsage.plus(n.result().usage());
        }
        Patch pStar = root;
        if (offline) {
            TraceMiner miner = new TraceMiner(MiningParams.DEFAULT.withMinSupport(run.config().minSupport()));
            pStar = miner.select(runId + ":pstar", root.withEditIds(), outcomes, s0).patch();
        }
        Evolution.Result result = Evolution.finish(s0, pStar, policy, run.config().minSupport(), !offline, allEdits, outcomes);
        record(nodeDecisions, result);
        String header = "# Changelog: " + s0.name() + " " + run.s0().ref() + " → S*\n\n"
                + "Run `" + runId + "`: " + pool.size() + " patches from " + outcomes.size() + " trajectories ("
                + outcomes.values().stream().filter(b -> b).count() + " successful), " + run.config().analysts().wire()
                + " analysts, " + run.config().engine().wire() + " engine, merged in " + plan.depth() + " level(s) with B = "
                + branching + ".";
        String changelog = Changelog.render(header, result, nodeDecisions, outcomes, missing);
        String tree = tree(runId, plan, saved, pool, ordered, branching);
        SkillSnapshot sStar = SkillSnapshot.of(result.skill(), 0);
        store.saveOutputs(runId, new MergerStore.Outputs(sStar, Json.write(result.applied()), Json.write(result.decisions()),
                Json.write(result.fitMoves()), result.diff(), changelog, Json.write(result.provenance()), tree));
        String summary = result.applied().edits().size() + " edits from " + pool.size() + " patches";
        Outgoing.sendAndAwait(evolvedSkills, s0.name(), Json.write(new SkillEvolved(runId, run.s0(), sStar,
                result.applied().edits().size(), summary, Instant.now())));
        store.status(runId, MergeStatus.DONE, summary);
        event(new RunEvent(runId, RunEvent.Type.MERGE_DONE, plan.depth(), plan.depth(), plan.groups().size(), plan.groups().size(),
                mergeUsage, summary, Instant.now()));
        LOG.infof("run %s: S* ready (%s)", runId, summary);
    }

    private void record(List<EditDecision> nodeDecisions, Evolution.Result result) {
        Map<String, Integer> dropped = new LinkedHashMap<>();
        for (EditDecision d : nodeDecisions) {
            if (d.action() == EditDecision.Action.DROPPED) {
                dropped.merge(reasonKind(d.reason()), 1, Integer::sum);
            }
        }
        for (EditDecision d : result.decisions()) {
            if (d.action() == EditDecision.Action.DROPPED) {
                dropped.merge(reasonKind(d.reason()), 1, Integer::sum);
            }
        }
        dropped.forEach(metrics::dropped);
    }

    static String reasonKind(String reason) {
        if (reason == null) {
            return "unknown";
        }
        String r = reason.toLowerCase(java.util.Locale.ROOT);
        if (r.startsWith("left out") || r.startsWith("dropped by the merge operator")) {
            return "merge_operator";
        }
        if (r.contains("overlapping")) {
            return "conflict";
        }
        if (r.contains("not applicable") || r.contains("not_found")) {
            return "unanchored";
        }
        if (r.startsWith("destructive")) {
            return "low_support";
        }
        return "other";
    }

    /** The merge tree as JSON: levels, groups with inputs and outputs, tokens; and what similarity ordering changed. */
    private static String tree(String runId, MergePlan plan, List<MergerStore.Node> nodes, List<Patch> arrival, List<Patch> ordered, int branching) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("runId", runId);
        root.put("patches", arrival.size());
        root.put("branching", branching);
        root.put("levels", plan.depth());
        ObjectNode grouping = root.putObject("grouping");
        grouping.put("order", "by edited sections");
        grouping.put("meanPlacesPerGroup", PatchOrder.meanPlacesPerGroup(ordered, branching));
        grouping.put("arrivalOrderMeanPlacesPerGroup", PatchOrder.meanPlacesPerGroup(arrival, branching));
        ArrayNode arr = root.putArray("nodes");
        for (MergerStore.Node n : nodes) {
            ObjectNode o = arr.addObject();
            o.put("node", n.nodeId());
            o.put("level", n.level());
            o.put("index", n.index());
            ArrayNode inputs = o.putArray("inputs");
            n.inputs().forEach(inputs::add);
            o.put("engine", n.result().engine());
            o.put("repairs", n.result().repairs());
            o.put("fallback", n.result().fallback());
            o.putObject("tokens").put("prompt", n.result().usage().promptTokens()).put("completion", n.result().usage().completionTokens());
            o.put("latencyMs", n.result().latencyMillis());
            ArrayNode outputs = o.putArray("outputs");
            for (Edit e : n.result().output().edits()) {
                outputs.addObject().put("edit", e.id()).put("op", e.op().wire()).put("section", e.targetSection())
                        .put("support", e.support().size()).put("sources", e.sources().size());
            }
            Map<String, Integer> counts = new LinkedHashMap<>();
            n.result().decisions().forEach(d -> counts.merge(d.action().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum));
            ObjectNode decisions = o.putObject("decisions");
            counts.forEach(decisions::put);
            o.put("doneAt", n.doneAt());
        }
        return Json.write(root);
    }

    private void event(RunEvent e) {
        Outgoing.sendAndForget(runEvents, e.runId(), Json.write(e));
    }
}
