package dev.trace2skill.core.pipeline;

/** Kafka topics between the services. Keys are noted per topic; payloads are the records of this package as JSON. */
public final class Topics {
    /** trace-ingest → merger, trace-ingest: a run started ({@link RunStarted}); key = run id. */
    public static final String RUNS = "runs";
    /** trace-ingest → analyst-worker: one {@link AnalysisJob} per trajectory; key = run id + ":" + trajectory id. */
    public static final String ANALYSIS_JOBS = "analysis-jobs";
    /** analyst-worker: jobs that could not be analysed, with the reason ({@link DeadLetter}); key as the job. */
    public static final String ANALYSIS_JOBS_DLQ = "analysis-jobs-dlq";
    /** analyst-worker → merger, trace-ingest: one {@link PatchResult} per job (a patch or a recorded failure); key = run id. */
    public static final String SKILL_PATCHES = "skill-patches";
    /** merger → trace-ingest: merge progress; trace-ingest → merger: S* registered ({@link RunEvent}); key = run id. */
    public static final String RUN_EVENTS = "run-events";
    /** merger → trace-ingest, evaluator: the evolved skill S* ({@link SkillEvolved}); key = skill name. */
    public static final String SKILLS_EVOLVED = "skills-evolved";
    /** trace-ingest → analyst-worker: Creation mode needs an initial draft ({@link DraftRequest}); key = run id. */
    public static final String DRAFT_REQUESTS = "draft-requests";
    /** analyst-worker → trace-ingest: the drafted S0 ({@link SkillDrafted}); key = run id. */
    public static final String SKILL_DRAFTS = "skill-drafts";
    /** evaluator → external runners: tasks the evaluator cannot execute itself. */
    public static final String EVAL_TASKS = "eval-tasks";
    /** external runners → evaluator: results (trajectory + correctness). */
    public static final String EVAL_RESULTS = "eval-results";

    private Topics() {
    }

    public static String jobKey(String runId, String trajectoryId) {
        return runId + ":" + trajectoryId;
    }
}
