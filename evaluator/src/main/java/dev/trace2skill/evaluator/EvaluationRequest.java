package dev.trace2skill.evaluator;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.pipeline.ModelSettings;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/evaluations}.
 *
 * @param skills          skills to evaluate: {@code name@version} (fetched from trace-ingest) or inline {@code {name, files}}
 * @param includeNoSkill  also run without a skill (the baseline every delta is measured against)
 * @param taskset         {@code gsm8k}, {@code aime24}, {@code amc23}, {@code wikitq}, or {@code inline} with {@code tasks}
 * @param tasks           inline tasks (for {@code inline}, e.g. a domain only external runners can execute)
 * @param range           tasks [from, to) of the set
 * @param sample          a seeded random sample of the set
 * @param models          skill-user models
 * @param seeds           repetitions (sampling seeds)
 * @param concurrency     episodes at once
 * @param budget          token cap of the whole evaluation
 * @param runner          {@code builtin} (this service runs the agent) or {@code external} (published on eval-tasks)
 * @param ablation        also evaluate each skill with each top-level section removed in turn
 * @param authors         skill → the model that authored it, for the author × user matrix
 * @param sendTrajectories send every episode to trace-ingest as a trajectory of this dataset (Stage 1 generation)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationRequest(List<SkillRef> skills, Boolean includeNoSkill, String taskset, List<InlineTask> tasks,
                                Range range, Sample sample, List<ModelSettings> models, List<Integer> seeds, Integer concurrency,
                                Budget budget, String runner, Boolean ablation, Map<String, String> authors,
                                SendTrajectories sendTrajectories) {

    /** A skill by reference ({@code "name@version"}) or inline. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SkillRef(String ref, String name, Map<String, String> files) {
        @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
        static SkillRef of(Object o) {
            if (o instanceof String s) {
                return new SkillRef(s, null, null);
            }
            if (o instanceof Map<?, ?> m) {
                if (m.get("ref") instanceof String ref) {
                    return new SkillRef(ref, null, null);
                }
                Map<String, String> files = new java.util.LinkedHashMap<>();
                if (m.get("files") instanceof Map<?, ?> f) {
                    for (Map.Entry<?, ?> e : f.entrySet()) {
                        if (!(e.getValue() instanceof String text)) {
                            throw new IllegalArgumentException("skill file '" + e.getKey() + "' must be a string");
                        }
                        files.put(String.valueOf(e.getKey()), text);
                    }
                } else if (m.get("files") != null) {
                    throw new IllegalArgumentException("a skill's files must be an object {path: content}");
                }
                return new SkillRef(null, m.get("name") instanceof String n ? n : null, m.get("files") == null ? null : files);
            }
            throw new IllegalArgumentException("a skill is \"name@version\" or {\"name\": ..., \"files\": {...}}");
        }
    }

    /** A task given in the request; {@code expected} may be absent for tasks only an external runner can judge. */
    public record InlineTask(String id, String question, String expected, String checker, Map<String, String> context) {
    }

    public record Range(int from, int to) {
    }

    public record Sample(int size, long seed) {
    }

    public record Budget(Long maxTokens) {
    }

    public record SendTrajectories(String dataset) {
    }
}
