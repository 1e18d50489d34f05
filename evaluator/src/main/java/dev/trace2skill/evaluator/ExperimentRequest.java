package dev.trace2skill.evaluator;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.pipeline.UnverifiedPolicy;
import dev.trace2skill.service.Violations;
import dev.trace2skill.service.WireName;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /v1/experiments}: the method's protocol in one request. The tasks (a built-in set, inline tasks, or an
 * external runner's) are split into D_evolve and D_test; S0 runs on D_evolve with the author model (Stage 1), the
 * skill evolves from exactly those trajectories, and no skill, S0 and S* are compared on D_test for every user model.
 *
 * @param taskset     {@code gsm8k}, {@code aime24}, {@code amc23}, {@code wikitq}, {@code spreadsheetbench-verified}, or
 *                    {@code inline} with {@code tasks}
 * @param tasks       inline tasks
 * @param range       the pool: tasks [from, to) of the set (else the whole set, or a sample)
 * @param sample      the pool: a seeded sample of the set
 * @param split       how the pool is split: {@code evolve} and {@code test} sizes and the {@code seed}
 * @param s0          the initial skill: {@code "name@version"} from the registry or {@code {name, files}} (Deepening),
 *                    or {@code {name, domain}} (Creation: drafted before Stage 1)
 * @param author      the model that runs Stage 1 (and, unless {@code run.models} says otherwise, analyses and merges)
 * @param users       skill-user models of the test stage (default: the author)
 * @param seeds       seeds of the test stage (default: [0]); episodes are paired by task and seed
 * @param evolveSeeds seeds of Stage 1 (default: {@code seeds})
 * @param run         the evolution run's options (as {@code POST /v1/runs} takes them)
 * @param rounds      rounds of Stage 1 + evolve + test; S* of a round is S0 of the next
 * @param budget      one token budget across every stage
 * @param concurrency episodes at once in each stage
 * @param runner      {@code builtin} (this service runs the agent) or {@code external} (published on eval-tasks)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ExperimentRequest.Consistent
public record ExperimentRequest(
        @NotBlank(message = "is required: gsm8k, aime24, amc23, wikitq, spreadsheetbench-verified, or inline") String taskset,
        List<EvaluationRequest.InlineTask> tasks,
        EvaluationRequest.Range range,
        @Valid EvaluationRequest.Sample sample,
        @Valid Split split,
        @NotNull(message = "is required: \"name@version\", {\"name\", \"files\"} or {\"name\", \"domain\"}") S0 s0,
        ModelSettings author,
        List<ModelSettings> users,
        List<Integer> seeds,
        List<Integer> evolveSeeds,
        @Valid Run run,
        @Min(value = 1, message = "must be between 1 and 10") @Max(value = 10, message = "must be between 1 and 10") Integer rounds,
        @Valid EvaluationRequest.Budget budget,
        @Min(value = 1, message = "must be between 1 and 512") @Max(value = 512, message = "must be between 1 and 512") Integer concurrency,
        @Pattern(regexp = "builtin|external", message = "must be 'builtin' or 'external'") String runner) {

    /**
     * @param evolve tasks in D_evolve (default: half the pool)
     * @param test   tasks in D_test (default: the rest)
     * @param seed   the split's seed (default 0): the same seed and pool give the same split
     */
    public record Split(@Min(value = 1, message = "must be at least 1") Integer evolve, @Min(value = 1, message = "must be at least 1") Integer test,
                        Long seed) {
    }

    /** S0 by reference, inline, or as a domain brief for a draft. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record S0(String ref, String name, Map<String, String> files, String domain) {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static S0 of(Object o) {
            if (o instanceof String s) {
                return new S0(s, null, null, null);
            }
            if (o instanceof Map<?, ?> m) {
                if (m.get("ref") instanceof String ref) {
                    return new S0(ref, null, null, null);
                }
                Map<String, String> files = null;
                if (m.get("files") instanceof Map<?, ?> f) {
                    files = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : f.entrySet()) {
                        if (!(e.getValue() instanceof String text)) {
                            throw new IllegalArgumentException("skill file '" + e.getKey() + "' must be a string");
                        }
                        files.put(String.valueOf(e.getKey()), text);
                    }
                } else if (m.get("files") != null) {
                    throw new IllegalArgumentException("a skill's files must be an object {path: content}");
                }
                return new S0(null, m.get("name") instanceof String n ? n : null, files, m.get("domain") instanceof String d ? d : null);
            }
            throw new IllegalArgumentException("s0 is \"name@version\", {\"name\": ..., \"files\": {...}} or {\"name\": ..., \"domain\": ...}");
        }

        /** Creation mode: S0 is drafted from the domain brief. */
        public boolean drafted() {
            return ref == null && files == null && domain != null;
        }
    }

    /** The evolution run's options; see {@code POST /v1/runs}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Run(
            @WireName(AnalystSelection.class) String analysts,
            @WireName(AnalysisEngine.class) String engine,
            @Min(value = 2, message = "must be 2-64") @Max(value = 64, message = "must be 2-64") Integer mergeBranching,
            @Min(value = 1, message = "must be at least 1") Integer minSupport,
            @WireName(UnverifiedPolicy.class) String unverified,
            Models models,
            @Valid EvaluationRequest.Budget budget,
            @Valid MergeWindow mergeWindow) {
    }

    public record Models(ModelSettings analyst, ModelSettings merger) {
    }

    public record MergeWindow(@Min(value = 1, message = "must be at least 1") Long idleSeconds,
                              @Min(value = 1, message = "must be at least 1") Long maxSeconds) {
    }

    public int roundsOrDefault() {
        return rounds == null ? 1 : rounds;
    }

    public String runnerOrDefault() {
        return runner == null ? EvaluationRequest.BUILTIN : runner;
    }

    public EvolutionMode mode() {
        return s0 != null && s0.drafted() ? EvolutionMode.CREATION : EvolutionMode.DEEPENING;
    }

    /** The fields that select the pool of tasks, as the task source reads them. */
    EvaluationRequest pool() {
        return EvaluationRequest.selection(taskset, tasks, range, sample, null);
    }

    /** The rules between fields. */
    @Constraint(validatedBy = Consistent.Validator.class)
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface Consistent {
        String message() default "is inconsistent";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<Consistent, ExperimentRequest> {
            @Override
            public boolean isValid(ExperimentRequest r, ConstraintValidatorContext context) {
                context.disableDefaultConstraintViolation();
                boolean valid = true;
                if (r.range() != null && r.sample() != null) {
                    valid = fail(context, "sample", "give a range or a sample, not both");
                }
                if (r.range() != null && (r.range().from() < 0 || r.range().to() <= r.range().from())) {
                    valid = fail(context, "range", "must have 0 <= from < to");
                }
                if (!EvaluationRequest.INLINE.equals(r.taskset()) && r.tasks() != null && !r.tasks().isEmpty()) {
                    valid = fail(context, "tasks", "inline tasks need \"taskset\": \"inline\"");
                }
                if (EvaluationRequest.INLINE.equals(r.taskset()) && EvaluationRequest.BUILTIN.equals(r.runnerOrDefault()) && r.tasks() != null) {
                    for (int i = 0; i < r.tasks().size(); i++) {
                        if (r.tasks().get(i) != null && r.tasks().get(i).expected() == null) {
                            valid = fail(context, "tasks[" + i + "].expected", "the built-in runner scores answers, so it needs the expected answer");
                        }
                    }
                }
                valid &= seeds(context, "seeds", r.seeds());
                valid &= seeds(context, "evolveSeeds", r.evolveSeeds());
                S0 s0 = r.s0();
                if (s0 != null) {
                    boolean byRef = s0.ref() != null;
                    boolean inline = s0.files() != null;
                    boolean brief = s0.domain() != null;
                    if ((byRef ? 1 : 0) + (inline ? 1 : 0) + (brief ? 1 : 0) != 1) {
                        valid = fail(context, "s0", "give one of: \"name@version\", {\"name\", \"files\"} (Deepening), {\"name\", \"domain\"} (Creation)");
                    } else if (!byRef && (s0.name() == null || s0.name().isBlank())) {
                        valid = fail(context, "s0.name", "is required");
                    } else if (brief && s0.domain().isBlank()) {
                        valid = fail(context, "s0.domain", "must say what the skill is for");
                    }
                }
                if (r.users() != null && (r.users().isEmpty() || r.users().stream().anyMatch(Objects::isNull))) {
                    valid = fail(context, "users", "must list skill-user models {model, endpoint | baseUrl}");
                }
                return valid;
            }

            private static boolean seeds(ConstraintValidatorContext context, String field, List<Integer> seeds) {
                if (seeds != null && (seeds.isEmpty() || seeds.stream().anyMatch(Objects::isNull) || new HashSet<>(seeds).size() != seeds.size())) {
                    return fail(context, field, "must be distinct integers, at least one");
                }
                return true;
            }

            private static boolean fail(ConstraintValidatorContext context, String field, String message) {
                context.buildConstraintViolationWithTemplate(Violations.literal(message)).addPropertyNode(field).addConstraintViolation();
                return false;
            }
        }
    }
}
