package dev.trace2skill.core.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The result of an experiment, computed from stored episodes only: Stage 1 of each round on D_evolve, then for every
 * skill-user model the success rates of no skill, S0 and each round's S* on the held-out D_test, and the paired deltas
 * the method asks about.
 *
 * @param author the model that ran Stage 1 (and, unless told otherwise, analysed and merged): the skill's author
 * @param split  the split's seed and sizes (the ids: {@code GET /v1/experiments/{id}/split})
 * @param rounds per round: S0, S*, the evolution run and Stage 1's episodes
 * @param users  per skill-user model: rates and deltas on D_test
 * @param matrix author × user: the last round's S* against the first S0 and against no skill
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExperimentReport(String author, Split split, List<Round> rounds, List<User> users, List<MatrixCell> matrix) {

    public record Split(long seed, int evolve, int test) {
    }

    /**
     * @param s0     the skill Stage 1 ran with ({@code name@version})
     * @param sStar  the evolved skill, once registered
     * @param runId  the evolution run in trace-ingest (its diff, changelog and provenance are on the merger)
     * @param stage1 the author model with S0 on D_evolve
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Round(int round, String s0, String sStar, String runId, Rate stage1) {
    }

    /** One skill-user model on D_test. */
    public record User(String model, List<Rate> rates, List<Delta> deltas) {
    }

    /**
     * A condition's success rate.
     *
     * @param condition  {@code name@version}, or "no skill"
     * @param role       "no skill", "S0", or "S* round r"
     * @param episodes   episodes scored (errors left out)
     * @param errors     episodes that could not complete
     * @param rate       successes / episodes (null without episodes)
     * @param rateLow    Wilson 95% lower bound
     * @param rateHigh   Wilson 95% upper bound
     * @param meanTokens mean tokens per scored episode
     * @param tokens     all tokens of the condition's episodes (errors included)
     * @param cost       from the price table, or null for an unpriced model
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rate(String condition, String role, String model, int episodes, int errors, int successes, Double rate, double rateLow,
                       double rateHigh, double meanTokens, long tokens, Double cost) {
    }

    /**
     * A paired delta on D_test, treatment − baseline on the (task, seed) pairs both completed.
     *
     * @param round         the round whose S* is the treatment (the first S0 against the last S* is round 0)
     * @param kind          "S* − S0", "S* − no skill", or "last S* − first S0"
     * @param delta         difference in success rate (null without pairs)
     * @param deltaLow      paired bootstrap 95% lower bound (10,000 resamples of the pairs, fixed seed)
     * @param deltaHigh     upper bound
     * @param mcnemarP      McNemar's exact two-sided p-value on the discordant pairs
     * @param onlyTreatment pairs only the treatment solved
     * @param onlyBaseline  pairs only the baseline solved
     * @param tokenChange   mean tokens per task, treatment minus baseline, on the same pairs
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(int round, String kind, String treatment, String baseline, int pairs, Double delta, Double deltaLow,
                        Double deltaHigh, Double mcnemarP, int onlyTreatment, int onlyBaseline, Double tokenChange) {
    }

    /**
     * @param skill     the last round's S*
     * @param vsS0      its delta against the first S0
     * @param vsNoSkill its delta against no skill
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MatrixCell(String author, String user, String skill, Double vsS0, Double vsS0Low, Double vsS0High, Double vsNoSkill,
                             Double vsNoSkillLow, Double vsNoSkillHigh, int pairs) {
    }
}
