package dev.trace2skill.ingest.console;

import dev.trace2skill.ingest.RunStatus;
import dev.trace2skill.ingest.RunView;
import io.quarkus.qute.TemplateData;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the console's templates show, computed here so the templates stay plain. */
public final class Views {
    private Views() {
    }

    /** A run's live progress: counts, merge level, tokens, elapsed time and, while analysing, the time left at the current rate. */
    @TemplateData
    public record Progress(RunView run, boolean terminal, int finished, int published, int percent, String elapsed, String left,
                           int droppedUnverified, String merge) {
        public static Progress of(RunView run, Instant now) {
            int published = run.counts().jobsPublished();
            int finished = run.counts().analysesDone() + run.counts().analysesFailed();
            Instant created = Instant.parse(run.createdAt());
            Instant end = run.status().terminal() ? Instant.parse(run.updatedAt()) : now;
            Duration elapsed = Duration.between(created, end);
            String left = null;
            if (run.status() == RunStatus.ANALYSING && finished > 0 && finished < published && elapsed.toMillis() > 0) {
                double perMs = finished / (double) elapsed.toMillis();
                left = "≈ " + duration(Duration.ofMillis((long) ((published - finished) / perMs))) + " of analyses left at "
                        + String.format(java.util.Locale.ROOT, "%.1f", perMs * 60_000) + " analyses/min";
            } else if (run.status() == RunStatus.ANALYSING && finished == 0) {
                left = "estimated once the first analyses finish";
            }
            RunView.Merge m = run.merge();
            String merge = m == null || m.levels() == null ? "not started"
                    : "level " + (m.level() == null ? 0 : m.level()) + " of " + m.levels() + " (" + (m.nodesDone() == null ? 0 : m.nodesDone())
                    + " of " + (m.nodesTotal() == null ? "?" : m.nodesTotal()) + " nodes)";
            int percent;
            if (run.status() == RunStatus.DONE || run.status() == RunStatus.MERGED) {
                percent = 100;
            } else if (m != null && m.nodesTotal() != null && m.nodesTotal() > 0 && run.status() == RunStatus.MERGING) {
                percent = 80 + 20 * (m.nodesDone() == null ? 0 : m.nodesDone()) / m.nodesTotal();
            } else {
                percent = published == 0 ? 0 : 80 * finished / published;
            }
            return new Progress(run, run.status().terminal(), finished, published, percent, duration(elapsed), left,
                    run.pool() == null ? 0 : run.pool().unverifiedDropped(), merge);
        }
    }

    public static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    /** One row of the side-by-side review, with the evidence link of a changed line when the provenance has it. */
    @TemplateData
    public record ReviewRow(int left, String leftText, int right, String rightText, String kind, String support, String evidence,
                            String removedSupport, String removedEvidence) {
    }

    @TemplateData
    public record ReviewFile(String path, String anchor, List<ReviewRow> rows, int added, int removed, String status) {
    }

    /** A decision about an edit that did not go into the SKILL.md body as it was: dropped, or routed to references/. */
    @TemplateData
    public record Decision(String where, String action, String edit, String into, String section, String content, String reason,
                           Integer trajectories) {
    }

    /** One edit on the way from S* down to the analysts. */
    @TemplateData
    public record LineageStep(int depth, String edit, String where, String op, String section, String content, String rationale,
                              int support, String trajectory, String analyst, Boolean trajectorySuccess, Boolean verified,
                              boolean missing) {
    }

    @TemplateData
    public record TrajectoryRef(String id, Boolean success, boolean unverified) {
    }

    @TemplateData
    public record StepView(int n, String reasoning, String tool, String arguments, String observation, boolean error, String errorRule) {
    }

    @TemplateData
    public record Field(String name, String value) {
    }

    /** A JSON object shown as rows of (key, value). */
    public static List<Field> fields(Map<String, Object> map) {
        return map.entrySet().stream().map(e -> new Field(e.getKey(), String.valueOf(e.getValue()))).toList();
    }
}
