package dev.trace2skill.core.eval;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The results of an evaluation, computed from stored episodes only.
 *
 * @param conditions per (skill, model): success rate with its 95% interval, and the comparison with the baseline
 * @param matrix     author model × user model: the mean delta vs the no-skill baseline, when authors are known
 * @param ablations  per removed section: its marginal effect (full skill − skill without it) with an interval
 * @param comparisons paired skill-vs-skill deltas asked for (e.g. S* − S0), per model
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(List<ConditionResult> conditions, List<MatrixCell> matrix, List<Ablation> ablations, List<Comparison> comparisons) {

    public Report(List<ConditionResult> conditions, List<MatrixCell> matrix, List<Ablation> ablations) {
        this(conditions, matrix, ablations, null);
    }

    /**
     * A paired comparison of two conditions of one model on the (task, seed) pairs both completed.
     *
     * @param treatment     the condition measured ({@code name@version}, or "no skill")
     * @param baseline      the condition it is compared with
     * @param model         the skill-user model
     * @param pairs         (task, seed) pairs scored under both (errors left out)
     * @param delta         treatment's success rate minus the baseline's on those pairs (null without pairs)
     * @param deltaLow      paired bootstrap 95% lower bound (10,000 resamples, fixed seed)
     * @param deltaHigh     upper bound
     * @param mcnemarP      McNemar's exact two-sided p-value
     * @param onlyTreatment pairs only the treatment solved (McNemar's c)
     * @param onlyBaseline  pairs only the baseline solved (McNemar's b)
     * @param tokenChange   mean tokens per task of the treatment minus the baseline's, on the same pairs
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Comparison(String treatment, String baseline, String model, int pairs, Double delta, Double deltaLow,
                             Double deltaHigh, Double mcnemarP, int onlyTreatment, int onlyBaseline, Double tokenChange) {
    }

    /**
     * @param episodes       episodes scored (errors excluded)
     * @param errors         episodes that could not complete
     * @param rate           successes / episodes
     * @param rateLow        Wilson 95% lower bound
     * @param rateHigh       Wilson 95% upper bound
     * @param baseline       the condition it is compared with (no skill, same model)
     * @param pairs          (task, seed) pairs scored under both
     * @param delta          paired difference in success rate vs the baseline
     * @param deltaLow       paired bootstrap 95% lower bound (10,000 resamples, fixed seed)
     * @param deltaHigh      upper bound
     * @param mcnemarP       McNemar's exact two-sided p-value on the discordant pairs
     * @param meanTokens     mean tokens per task
     * @param tokenChange    mean tokens per task minus the baseline's, on the same pairs
     * @param cost           total cost from the price table, or null when the model has no price
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConditionResult(String skill, String model, String label, int episodes, int errors, int successes, double rate,
                                  double rateLow, double rateHigh, String baseline, Integer pairs, Double delta, Double deltaLow,
                                  Double deltaHigh, Double mcnemarP, double meanTokens, Double tokenChange, Double cost) {
    }

    public record MatrixCell(String author, String user, double delta, int pairs) {
    }

    public record Ablation(String skill, String model, String section, int pairs, double effect, double low, double high, double mcnemarP) {
    }
}
