package dev.trace2skill.merger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.merge.Attribution;
import dev.trace2skill.core.merge.AttributionCheck;
import dev.trace2skill.core.merge.Changelog;
import dev.trace2skill.core.merge.EditDecision;
import dev.trace2skill.core.merge.Evolution;
import dev.trace2skill.core.merge.HierarchicalMerge;
import dev.trace2skill.core.merge.MergeGroup;
import dev.trace2skill.core.merge.MergePlan;
import dev.trace2skill.core.merge.NodeResult;
import dev.trace2skill.core.merge.PatchOrder;
import dev.trace2skill.core.merge.PatchPool;
import dev.trace2skill.core.merge.TaskSupport;
import dev.trace2skill.core.merge.TextEmbedder;
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
import dev.trace2skill.core.skill.SkillSafety;
import dev.trace2skill.core.text.MarkdownLiteral;
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
    @Inject
    EditEmbeddings embeddings;

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
            } catch (Aborted e) {
                LOG.infof("run %s: trace-ingest failed the run during its merge; S* is not published", runId);
                metrics.merged(Duration.between(start, Instant.now()), "aborted");
            } catch (RuntimeException e) {
                LOG.errorf(e, "run %s: merge failed", runId);
                String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (store.failed(runId, reason)) {
                    announceFailure(runId, reason);
                }
                metrics.merged(Duration.between(start, Instant.now()), "failed");
            }
        });
        return merged[0];
    }

    /** trace-ingest failed the run while it was merged: the merge stops before S* goes out. */
    static final class Aborted extends RuntimeException {
        Aborted() {
            super("aborted by trace-ingest", null, false, false);
        }
    }

    /**
     * Tells trace-ingest that the merger failed the run (RUN_FAILED, waiting for the broker); if the broker does not
     * acknowledge it, the run stays marked and {@link MergeScheduler} sends it again.
     */
    boolean announceFailure(String runId, String reason) {
        try {
            Outgoing.sendAllAndAwait(runEvents, List.of(Outgoing.keyed(runId, Json.write(new RunEvent(runId, RunEvent.Type.RUN_FAILED, null, null,
                    null, null, null, reason, Instant.now())))), Duration.ofSeconds(15));
            store.failureAnnounced(runId);
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("run %s: cannot tell trace-ingest that the run failed yet (%s); trying again later", runId, e.getMessage());
            return false;
        }
    }

    private void doMerge(MergerStore.Run run) {
        String runId = run.runId();
        if (!store.status(runId, MergeStatus.MERGING, null)) {
            throw new Aborted();
        }
        SkillBundle s0 = run.s0().bundle();
        PatchPolicy policy = PatchPolicy.of(run.config().mode());
        boolean offline = run.config().engine() == AnalysisEngine.MINING;

        List<PatchResult> results = store.results(runId);
        PatchPool pool = PatchPool.of(results, run.jobIds(), run.config().unverified());
        Map<String, Integer> poolCounts = new LinkedHashMap<>(pool.unverified().counts());
        store.savePoolCounts(runId, Json.write(poolCounts));
        Map<String, Boolean> outcomes = pool.outcomes();
        List<String> missing = pool.missing();
        if (pool.patches().isEmpty()) {
            throw new IllegalStateException(results.isEmpty()
                    ? "no result arrived within the merge window (" + window(run) + ")"
                    : "no patch to merge: " + missing.size() + " jobs failed, are missing or were dropped"
                    + (pool.unverified().dropped() > 0 ? " (" + pool.unverified().summary() + ")" : ""));
        }
        List<Patch> arrival = pool.patches();
        boolean similarity = !offline && config.similarity().enabled();
        int branching = run.config().mergeBranching();
        List<Patch> computed = similarity && config.similarity().grouping()
                ? PatchOrder.bySimilarity(arrival, branching, embeddings) : PatchOrder.bySections(arrival);
        List<Patch> ordered = inOrder(arrival, store.fixMergeOrder(runId, computed.stream().map(Patch::id).toList()), computed);
        MergePlan plan = MergePlan.of(ordered.stream().map(Patch::id).toList(), branching);
        Map<String, Patch> leaves = new LinkedHashMap<>();
        ordered.forEach(p -> leaves.put(p.id(), p));
        metrics.unverified("dropped", pool.unverified().dropped());
        metrics.unverified("kept", pool.unverified().kept());
        metrics.unverified("downweighted", pool.unverified().downweighted());
        String startMessage = missing.isEmpty() ? null : missing.size() + " trajectories without a patch";
        if (pool.unverified().total() > 0) {
            startMessage = (startMessage == null ? "" : startMessage + "; ") + pool.unverified().summary();
        }
        event(new RunEvent(runId, RunEvent.Type.MERGE_STARTED, 0, plan.depth(), 0, plan.groups().size(), null, startMessage,
                Instant.now(), poolCounts));

        HierarchicalMerge.Operator operator = offline ? new UnionOperator(metrics)
                : new LlmMergeOperator(repairLoop, models.resolve(run.config().mergerModel()), prompts, s0, policy, config.maxRepairs(), metrics,
                pool.support(), config.fileContextTokens());
        if (similarity) {
            HierarchicalMerge.Operator inner = operator;
            AttributionCheck check = new AttributionCheck(embeddings, config.similarity().attributionThreshold());
            operator = (group, inputs) -> {
                NodeResult r = check.around(inner).merge(group, inputs);
                metrics.attributionsRejected(r.rejectedAttributions().size());
                return r;
            };
        }
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
        arrival.forEach(p -> p.edits().forEach(e -> allEdits.put(e.id(), e)));
        List<MergerStore.Node> saved = store.nodes(runId);
        List<EditDecision> nodeDecisions = new ArrayList<>();
        List<Attribution> rejected = new ArrayList<>();
        Map<String, List<Attribution>> rejectedByEdit = new LinkedHashMap<>();
        TokenUsage mergeUsage = TokenUsage.ZERO;
        for (MergerStore.Node n : saved) {
            n.result().output().edits().forEach(e -> allEdits.put(e.id(), e));
            nodeDecisions.addAll(n.result().decisions());
            mergeUsage = mergeUsage.plus(n.result().usage());
            for (Attribution a : n.result().rejectedAttributions()) {
                rejected.add(a);
                rejectedByEdit.computeIfAbsent(a.edit(), k -> new ArrayList<>()).add(a);
            }
        }
        Patch pStar = root;
        if (offline) {
            TraceMiner miner = new TraceMiner(MiningParams.DEFAULT.withMinSupport(run.config().minSupport()));
            pStar = miner.select(runId + ":pstar", root.withEditIds(), outcomes, s0, pool.support()).patch();
        }
        Evolution.Result result = Evolution.finish(s0, pStar, policy, run.config().minSupport(), !offline, allEdits, outcomes,
                pool.support(), rejectedByEdit, new java.util.HashSet<>(pool.unverified().pooled()));
        record(nodeDecisions, result);
        int tasks = pool.support().distinctTasks(outcomes.keySet());
        String header = "# Changelog: " + s0.name() + " " + run.s0().ref() + " → S*\n\n"
                + "Run `" + runId + "`: " + arrival.size() + " patches from " + outcomes.size() + " trajectories of " + tasks
                + (tasks == 1 ? " task" : " tasks") + " ("
                + outcomes.values().stream().filter(b -> b).count() + " successful), " + run.config().analysts().wire()
                + " analysts, " + run.config().engine().wire() + " engine, merged in " + plan.depth() + " level(s) with B = "
                + branching + ". Support is counted in distinct tasks (minSupport " + run.config().minSupport() + ")"
                + (similarity ? "; the merge operator's attributions were checked by similarity (threshold "
                + config.similarity().attributionThreshold() + ")" : "") + ".";
        Changelog.Extras extras = new Changelog.Extras(pool.unverified(), rejected, store.lateResults(runId));
        String changelog = Changelog.render(header, result, nodeDecisions, outcomes, missing, pool.support(), extras);
        String tree = tree(runId, plan, saved, arrival, ordered, branching, pool.support(), similarity ? embeddings : null,
                config.similarity().duplicate());
        // the safety check (what S* adds to S0: new addresses to send to, requests to set instructions aside, hidden text,
        // secrets); trace-ingest runs it too and holds a flagged S* for approval instead of registering it
        List<SkillSafety.Finding> safety = SkillSafety.check(s0, result.skill());
        changelog = changelog + safetySection(safety);
        SkillSnapshot sStar = SkillSnapshot.of(result.skill(), 0);
        store.saveOutputs(runId, new MergerStore.Outputs(sStar, Json.write(result.applied()), Json.write(result.decisions()),
                Json.write(result.fitMoves()), result.diff(), changelog, Json.write(result.provenance()), tree));
        store.saveSafety(runId, Json.write(safety));
        String summary = result.applied().edits().size() + " edits from " + arrival.size() + " patches";
        if (store.run(runId).map(r -> r.status() == MergeStatus.FAILED).orElse(true)) {
            throw new Aborted();
        }
        Outgoing.sendAndAwait(evolvedSkills, s0.name(), Json.write(new SkillEvolved(runId, run.s0(), sStar,
                result.applied().edits().size(), summary, Instant.now(), safety)));
        metrics.safety(safety);
        if (!safety.isEmpty()) {
            summary = summary + "; S* needs approval: " + SkillSafety.summary(safety);
            store.status(runId, MergeStatus.NEEDS_APPROVAL, summary);
        } else {
            store.status(runId, MergeStatus.DONE, summary);
        }
        event(new RunEvent(runId, RunEvent.Type.MERGE_DONE, plan.depth(), plan.depth(), plan.groups().size(), plan.groups().size(),
                mergeUsage, summary, Instant.now(), poolCounts));
        LOG.infof("run %s: S* ready (%s)", runId, summary);
    }

    /** The changelog's account of the safety check; what was found is quoted as inline code, never as Markdown. */
    static String safetySection(List<SkillSafety.Finding> safety) {
        StringBuilder md = new StringBuilder("\n## Safety check\n\n");
        if (safety.isEmpty()) {
            return md.append("Nothing found: no new address or host to send to, no request to set instructions aside, no hidden text,"
                    + " no secret.\n").toString();
        }
        md.append("S* is held for approval (trace-ingest: `GET /v1/skills/<name>/candidates`), because of ").append(safety.size())
                .append(safety.size() == 1 ? " finding" : " findings").append(":\n\n");
        for (SkillSafety.Finding f : safety) {
            md.append("- ").append(f.kind()).append(", ").append(MarkdownLiteral.code(f.file() + ":" + f.line())).append(": ")
                    .append(MarkdownLiteral.code(f.message(), 300)).append(" — ").append(MarkdownLiteral.code(f.excerpt(), 300)).append('\n');
        }
        return md.toString();
    }

    /** The pool in the fixed order (the computed one if the fixed order does not name exactly the pool's patches). */
    static List<Patch> inOrder(List<Patch> pool, List<String> ids, List<Patch> computed) {
        Map<String, Patch> byId = new HashMap<>();
        pool.forEach(p -> byId.put(p.id(), p));
        if (ids.size() != pool.size() || !byId.keySet().containsAll(ids)) {
            return computed;
        }
        return ids.stream().map(byId::get).toList();
    }

    /** The run's merge window in words, for messages. */
    private String window(MergerStore.Run run) {
        MergerStore.Window w = store.window(run.runId());
        Duration idle = w.idle() != null ? w.idle() : config.stragglerTimeout();
        return "idle timeout " + idle.toSeconds() + " s" + (w.maxDeadline() != null ? ", cap " + w.maxDeadline() : "");
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

    /**
     * The merge tree as JSON: levels, groups with inputs and outputs (support in tasks and trajectories), tokens, prompt
     * version and rejected attributions per node; and how the grouping compares with the section order.
     */
    private static String tree(String runId, MergePlan plan, List<MergerStore.Node> nodes, List<Patch> arrival, List<Patch> ordered,
                               int branching, TaskSupport tasks, TextEmbedder embedder, double duplicate) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("runId", runId);
        root.put("patches", arrival.size());
        root.put("branching", branching);
        root.put("levels", plan.depth());
        ObjectNode grouping = root.putObject("grouping");
        grouping.put("order", embedder != null ? "by similarity of edits" : "by edited sections");
        grouping.put("meanPlacesPerGroup", PatchOrder.meanPlacesPerGroup(ordered, branching));
        grouping.put("arrivalOrderMeanPlacesPerGroup", PatchOrder.meanPlacesPerGroup(arrival, branching));
        int edits = arrival.stream().mapToInt(p -> p.edits().size()).sum();
        if (embedder != null && edits <= DUPLICATE_STATS_MAX_EDITS && arrival.size() > 1) {
            PatchOrder.DuplicateMeetings here = PatchOrder.duplicateMeetings(ordered, branching, embedder, duplicate);
            PatchOrder.DuplicateMeetings sections = PatchOrder.duplicateMeetings(PatchOrder.bySections(arrival), branching, embedder, duplicate);
            ObjectNode d = grouping.putObject("duplicates");
            d.put("similarity", duplicate);
            d.put("pairs", here.pairs());
            d.put("metAtLevel1", here.metAtLevel1());
            d.put("sectionOrderMetAtLevel1", sections.metAtLevel1());
        }
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
            if (n.result().promptVersion() != null) {
                o.put("promptVersion", n.result().promptVersion());
            }
            o.putObject("tokens").put("prompt", n.result().usage().promptTokens()).put("completion", n.result().usage().completionTokens());
            o.put("latencyMs", n.result().latencyMillis());
            ArrayNode outputs = o.putArray("outputs");
            for (Edit e : n.result().output().edits()) {
                TaskSupport.Count c = tasks.count(e.support());
                outputs.addObject().put("edit", e.id()).put("op", e.op().wire()).put("section", e.targetSection())
                        .put("support", c.tasks()).put("supportWeighted", c.weighted()).put("trajectories", c.trajectories())
                        .put("supportText", c.describe()).put("sources", e.sources().size());
            }
            if (!n.result().rejectedAttributions().isEmpty()) {
                ArrayNode rej = o.putArray("rejectedAttributions");
                n.result().rejectedAttributions().forEach(a -> rej.addObject().put("edit", a.edit()).put("source", a.source())
                        .put("similarity", a.similarity()).put("threshold", a.threshold()));
            }
            Map<String, Integer> counts = new LinkedHashMap<>();
            n.result().decisions().forEach(d -> counts.merge(d.action().name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum));
            ObjectNode decisions = o.putObject("decisions");
            counts.forEach(decisions::put);
            o.put("doneAt", n.doneAt());
        }
        return Json.write(root);
    }

    /** Above this many edits in the pool, the tree leaves out the pairwise duplicate statistics (quadratic). */
    static final int DUPLICATE_STATS_MAX_EDITS = 2_000;

    /** A progress event on {@code run-events} (a later one supersedes an earlier, so it goes without waiting). */
    void event(RunEvent e) {
        Outgoing.sendAndForget(runEvents, e.runId(), Json.write(e));
    }
}
