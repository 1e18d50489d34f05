package dev.trace2skill.evaluator;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.service.Violations;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * @param sendTrajectories send every episode to trace-ingest as a trajectory of this dataset (Stage 1 generation),
 *                         each tagged with the skill it ran with ({@code skillRef}); optionally only some conditions
 * @param taskIds          exactly these tasks of the set (in the set's order), instead of a range or a sample
 * @param compare          pairs [treatment, baseline] of evaluated skills ({@code name@version}, or {@code "none"}) to
 *                         compare head to head, paired by task and seed, for every model
 *                         <p>
 *                         Validated with Bean Validation (field constraints here, the rules between fields in
 *                         {@link Consistent}); what needs the registry, the model endpoints or the task data is checked
 *                         by {@link EvaluationService}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@EvaluationRequest.Consistent
public record EvaluationRequest(
        List<SkillRef> skills,
        Boolean includeNoSkill,
        @NotBlank(message = "is required: gsm8k, aime24, amc23, wikitq, or inline") String taskset,
        List<InlineTask> tasks,
        Range range,
        @Valid Sample sample,
        List<ModelSettings> models,
        List<Integer> seeds,
        @Min(value = 1, message = "must be between 1 and 512") @Max(value = 512, message = "must be between 1 and 512") Integer concurrency,
        @Valid Budget budget,
        @Pattern(regexp = "builtin|external", message = "must be 'builtin' or 'external'") String runner,
        Boolean ablation,
        Map<String, String> authors,
        @Valid SendTrajectories sendTrajectories,
        List<String> taskIds,
        List<List<String>> compare) {

    /** Only the fields that select tasks (for the task source). */
    public static EvaluationRequest selection(String taskset, List<InlineTask> tasks, Range range, Sample sample, List<String> taskIds) {
        return new EvaluationRequest(null, null, taskset, tasks, range, sample, null, null, null, null, null, null, null, null, taskIds, null);
    }

    public static final String BUILTIN = "builtin";
    public static final String EXTERNAL = "external";
    public static final String INLINE = TaskSource.INLINE;

    /** The runner, {@code builtin} when not given. */
    public String runnerOrDefault() {
        return runner == null ? BUILTIN : runner;
    }

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

    public record Sample(@Positive(message = "must be positive") int size, long seed) {
    }

    public record Budget(@Positive(message = "must be positive") Long maxTokens) {
    }

    /**
     * @param dataset the dataset the episodes are stored under in trace-ingest
     * @param skills  only the episodes of these conditions ({@code name@version}, or {@code "none"} for no skill); all
     *                when absent
     */
    public record SendTrajectories(
            @NotBlank(message = "is required: the dataset the episodes are stored under in trace-ingest") String dataset,
            List<String> skills) {
        public SendTrajectories(String dataset) {
            this(dataset, null);
        }

        /** Whether episodes run with this skill (null: no skill) are sent. */
        public boolean includes(String skill) {
            return skills == null || skills.isEmpty() || skills.contains(skill == null ? NONE : skill);
        }
    }

    /** How a request names the no-skill condition (in {@code compare} and {@code sendTrajectories.skills}). */
    public static final String NONE = dev.trace2skill.core.eval.ReportBuilder.NONE;

    /**
     * The rules between fields: a skill or the no-skill baseline; a range or a sample, and a range with
     * {@code 0 <= from < to}; inline tasks only for the inline task set, each with its expected answer when the built-in
     * runner scores it; distinct seeds.
     */
    @Constraint(validatedBy = Consistent.Validator.class)
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Consistent {
        String message() default "is inconsistent";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<Consistent, EvaluationRequest> {
            @Override
            public boolean isValid(EvaluationRequest r, ConstraintValidatorContext context) {
                context.disableDefaultConstraintViolation();
                boolean valid = true;
                if ((r.skills() == null || r.skills().isEmpty()) && Boolean.FALSE.equals(r.includeNoSkill())) {
                    valid = fail(context, "skills", "name at least one skill, or set includeNoSkill");
                }
                if (r.range() != null && r.sample() != null) {
                    valid = fail(context, "sample", "give a range or a sample, not both");
                }
                if (r.taskIds() != null && (r.range() != null || r.sample() != null)) {
                    valid = fail(context, "taskIds", "give task ids, a range or a sample, not several");
                }
                if (r.taskIds() != null && (r.taskIds().isEmpty() || r.taskIds().stream().anyMatch(Objects::isNull)
                        || new HashSet<>(r.taskIds()).size() != r.taskIds().size())) {
                    valid = fail(context, "taskIds", "must be distinct task ids, at least one");
                }
                if (r.compare() != null) {
                    for (int i = 0; i < r.compare().size(); i++) {
                        List<String> pair = r.compare().get(i);
                        if (pair == null || pair.size() != 2 || pair.stream().anyMatch(Objects::isNull) || pair.get(0).equals(pair.get(1))) {
                            valid = fail(context, "compare[" + i + "]", "must be a pair [treatment, baseline] of two different skills");
                        }
                    }
                }
                if (r.range() != null && (r.range().from() < 0 || r.range().to() <= r.range().from())) {
                    valid = fail(context, "range", "must have 0 <= from < to");
                }
                if (!INLINE.equals(r.taskset()) && r.tasks() != null && !r.tasks().isEmpty()) {
                    valid = fail(context, "tasks", "inline tasks need \"taskset\": \"inline\"");
                }
                if (INLINE.equals(r.taskset()) && BUILTIN.equals(r.runnerOrDefault()) && r.tasks() != null) {
                    for (int i = 0; i < r.tasks().size(); i++) {
                        if (r.tasks().get(i) != null && r.tasks().get(i).expected() == null) {
                            context.buildConstraintViolationWithTemplate(
                                            Violations.literal("the built-in runner scores answers, so it needs the expected answer"))
                                    .addPropertyNode("tasks").addPropertyNode("expected").inIterable().atIndex(i)
                                    .addConstraintViolation();
                            valid = false;
                        }
                    }
                }
                if (r.seeds() != null && (r.seeds().stream().anyMatch(Objects::isNull) || new HashSet<>(r.seeds()).size() != r.seeds().size())) {
                    valid = fail(context, "seeds", "must be distinct integers");
                }
                return valid;
            }

            private static boolean fail(ConstraintValidatorContext context, String field, String message) {
                context.buildConstraintViolationWithTemplate(Violations.literal(message)).addPropertyNode(field).addConstraintViolation();
                return false;
            }
        }
    }
}
