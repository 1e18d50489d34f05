package dev.trace2skill.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A run's status and progress as {@code GET /v1/runs/{id}} shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunView(String id, RunStatus status, String mode, String analysts, String engine, String skill,
                      String evolvedSkill, Counts counts, Merge merge, Tokens tokens, Long maxTokens, Pool pool, String message,
                      String createdAt, String updatedAt, Candidate candidate) {

    /**
     * The run's S* held by the safety check (status {@code needs_approval}).
     *
     * @param id       the candidate
     * @param status   pending, approved or rejected
     * @param findings how many findings the safety check reported
     * @param review   where to read it; approve with {@code POST <review>/approve}, reject with {@code POST <review>/reject}
     */
    public record Candidate(String id, String status, int findings, String review) {
    }

    public record Counts(int jobsPublished, int analysesDone, int analysesFailed, int patches) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Merge(Integer level, Integer levels, Integer nodesDone, Integer nodesTotal) {
    }

    public record Tokens(long prompt, long completion, long total) {
    }

    /**
     * What the merger counted about the run's patch pool (absent until it reports).
     *
     * @param late                   results that arrived after the merge started: stored by the merger, not merged
     * @param unverifiedDropped      unverified error patches left out by the run's {@code unverified} policy
     * @param unverifiedKept         unverified error patches merged as they are
     * @param unverifiedDownweighted unverified error patches merged at half a task of support
     */
    public record Pool(int late, int unverifiedDropped, int unverifiedKept, int unverifiedDownweighted) {
    }
}
