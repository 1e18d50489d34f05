package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.patch.EvolutionMode;
import dev.trace2skill.core.pipeline.AnalysisEngine;
import dev.trace2skill.core.pipeline.AnalystSelection;
import dev.trace2skill.core.pipeline.ModelSettings;
import dev.trace2skill.core.pipeline.UnverifiedPolicy;
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
import java.util.List;

/**
 * {@code POST /v1/runs}: which skill to evolve from which trajectories, and how. Validated with Bean Validation; each
 * violation is a field problem of the 400 answer.
 *
 * @param skill          {@code name@version}, or {@code name} for its latest version; in Creation mode a name with no
 *                       version yet asks for a drafted S0 first
 * @param domain         Creation mode without S0: what the skill is for (the draft's brief)
 * @param trajectories   which trajectories: dataset, outcome, ids, limit
 * @param analysts       error, success or combined
 * @param engine         llm (model analysts) or mining (offline, no model)
 * @param mode           deepening or creation
 * @param mergeBranching B, patches per merge group
 * @param minSupport     edits supported by fewer distinct tasks go to references/
 * @param models         model per stage
 * @param budget         token budget
 * @param unverified     drop, keep or downweight unverified error patches (default: drop where the task has ground truth)
 * @param mergeWindow    how long the merger waits for results: idle seconds after the last one, and an absolute cap
 * @param requestId      the client's key for this run: a request with a key already used returns that run instead of
 *                       starting another (so a client that retries after a crash starts one run)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunRequest(
        @NotBlank(message = "give the skill as name@version or name") String skill,
        String domain,
        @NotNull(message = "select trajectories by dataset, ids and/or experiment") @Valid Selection trajectories,
        @WireName(AnalystSelection.class) String analysts,
        @WireName(AnalysisEngine.class) String engine,
        @WireName(EvolutionMode.class) String mode,
        @Min(value = 2, message = "must be 2-64") @Max(value = 64, message = "must be 2-64") Integer mergeBranching,
        @Min(value = 1, message = "must be at least 1") Integer minSupport,
        Models models,
        @Valid Budget budget,
        @WireName(UnverifiedPolicy.class) String unverified,
        @Valid MergeWindow mergeWindow,
        @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}", message = "must be 1-200 letters, digits and . _ : @ -") String requestId) {

    /** A request without a client key. */
    public RunRequest(String skill, String domain, Selection trajectories, String analysts, String engine, String mode, Integer mergeBranching,
                      Integer minSupport, Models models, Budget budget, String unverified, MergeWindow mergeWindow) {
        this(skill, domain, trajectories, analysts, engine, mode, mergeBranching, minSupport, models, budget, unverified, mergeWindow, null);
    }

    /** A merge window longer than a week is a mistake. */
    static final long MAX_WINDOW_SECONDS = 7 * 24 * 3600;

    /**
     * @param idleSeconds merge once no result has arrived for this long (default: the merger's straggler timeout)
     * @param maxSeconds  merge at the latest this long after the run starts, results or not
     */
    public record MergeWindow(
            @Min(value = 1, message = "must be 1-" + MAX_WINDOW_SECONDS) @Max(value = MAX_WINDOW_SECONDS, message = "must be 1-" + MAX_WINDOW_SECONDS) Long idleSeconds,
            @Min(value = 1, message = "must be 1-" + MAX_WINDOW_SECONDS) @Max(value = MAX_WINDOW_SECONDS, message = "must be 1-" + MAX_WINDOW_SECONDS) Long maxSeconds) {
    }

    static final int DEFAULT_LIMIT = 1_000;
    static final int MAX_LIMIT = 100_000;

    /**
     * Which trajectories the run analyses; every field given must match.
     *
     * @param dataset    the dataset they were stored under
     * @param outcome    success, failure or any
     * @param ids        these trajectory ids
     * @param limit      at most this many, oldest first
     * @param experiment the experiment that produced them (the evaluator tags its Stage 1 episodes with it)
     * @param skillRef   the skill the agent ran with, {@code name@version} (or {@code none}): the episodes of one condition
     */
    @SelectsTrajectories
    public record Selection(
            String dataset,
            @Pattern(regexp = "success|failure|any", message = "must be success, failure or any") String outcome,
            List<String> ids,
            @Min(value = 1, message = "must be 1-" + MAX_LIMIT) @Max(value = MAX_LIMIT, message = "must be 1-" + MAX_LIMIT) Integer limit,
            String experiment,
            @Pattern(regexp = "none|[a-z0-9]+(-[a-z0-9]+)*@[A-Za-z0-9._-]{1,64}", message = "must be name@version or none") String skillRef) {

        public Selection(String dataset, String outcome, List<String> ids, Integer limit) {
            this(dataset, outcome, ids, limit, null, null);
        }
    }

    public record Models(ModelSettings analyst, ModelSettings merger) {
    }

    public record Budget(@Min(value = 1, message = "must be positive") Long maxTokens) {
    }

    /** A selection names a dataset, trajectory ids or an experiment (any of them together). */
    @Constraint(validatedBy = SelectsTrajectories.Validator.class)
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface SelectsTrajectories {
        String message() default "select trajectories by dataset, ids and/or experiment";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<SelectsTrajectories, Selection> {
            @Override
            public boolean isValid(Selection s, ConstraintValidatorContext context) {
                return s == null || (s.dataset() != null && !s.dataset().isBlank()) || (s.ids() != null && !s.ids().isEmpty())
                        || (s.experiment() != null && !s.experiment().isBlank());
            }
        }
    }
}
