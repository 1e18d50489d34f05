package dev.trace2skill.core.eval;

import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.tasks.Task;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The episodes of an evaluation: every condition (each skill, the no-skill baseline, and with ablation each skill with
 * one top-level section removed, for each skill-user model) on every selected task, for every seed. Episodes are
 * ordered seed by seed, task by task, all conditions of a task together, so an evaluation stopped early (budget)
 * leaves complete pairs for the paired statistics rather than one condition finished and another not started.
 */
public final class EvaluationPlan {
    /** One agent run to do. {@code skill} is null for the baseline. */
    public record PlannedEpisode(String episodeId, Condition condition, SkillBundle skill, Task task, int seed) {
    }

    private EvaluationPlan() {
    }

    /**
     * @param evaluationId   the evaluation's id (part of every episode id)
     * @param skills         {@code name@version} → bundle, in request order
     * @param includeNoSkill also run without a skill
     * @param models         skill-user model labels
     * @param tasks          selected tasks
     * @param seeds          sampling seeds
     * @param ablation       add each skill's section-ablation variants
     */
    public static List<PlannedEpisode> plan(String evaluationId, Map<String, SkillBundle> skills, boolean includeNoSkill,
                                            List<String> models, List<Task> tasks, List<Integer> seeds, boolean ablation) {
        record Variant(Condition condition, SkillBundle skill) {
        }
        List<Variant> variants = new ArrayList<>();
        for (String model : models) {
            if (includeNoSkill) {
                variants.add(new Variant(Condition.noSkill(model), null));
            }
            for (Map.Entry<String, SkillBundle> s : skills.entrySet()) {
                variants.add(new Variant(new Condition(s.getKey(), model, null), s.getValue()));
                if (ablation) {
                    for (Map.Entry<String, SkillBundle> v : SectionAblation.variants(s.getValue()).entrySet()) {
                        variants.add(new Variant(new Condition(s.getKey(), model, v.getKey()), v.getValue()));
                    }
                }
            }
        }
        List<PlannedEpisode> out = new ArrayList<>(variants.size() * tasks.size() * seeds.size());
        for (int seed : seeds) {
            for (Task task : tasks) {
                for (Variant v : variants) {
                    out.add(new PlannedEpisode(episodeId(evaluationId, v.condition(), task.id(), seed), v.condition(), v.skill(), task, seed));
                }
            }
        }
        return out;
    }

    /** The conditions of a plan, each once, in plan order. */
    public static Map<String, Condition> conditions(List<PlannedEpisode> plan) {
        Map<String, Condition> out = new LinkedHashMap<>();
        plan.forEach(p -> out.putIfAbsent(p.condition().key(), p.condition()));
        return out;
    }

    /**
     * A trajectory-id-safe episode id: evaluation id, a short hash of the condition, the task id with characters outside
     * {@code [A-Za-z0-9._-]} replaced, and the seed.
     */
    public static String episodeId(String evaluationId, Condition condition, String taskId, int seed) {
        String task = taskId.replaceAll("[^A-Za-z0-9._-]", "_");
        if (task.length() > 100) {
            task = task.substring(0, 100);
        }
        return evaluationId + ":" + shortHash(condition.key()) + ":" + task + ":s" + seed;
    }

    static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
