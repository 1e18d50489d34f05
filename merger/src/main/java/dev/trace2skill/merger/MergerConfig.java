package dev.trace2skill.merger;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How the merger waits for patch pools and merges them. */
@ConfigMapping(prefix = "t2s.merger")
public interface MergerConfig {
    /**
     * The merge window: a run is merged this long after its <em>last</em> result arrived (or after it started, while
     * none has), unless every job has answered first. A run's {@code mergeWindow.idleSeconds} overrides it, and its
     * {@code mergeWindow.maxSeconds} caps the window from the run's start.
     */
    @WithDefault("10m")
    Duration stragglerTimeout();

    /** Merge nodes of one level merged at the same time. */
    @WithDefault("4")
    int mergeConcurrency();

    /** Invalid merge outputs sent back to the model before the deterministic merge takes over. */
    @WithDefault("2")
    int maxRepairs();

    @WithDefault("${HOSTNAME:merger}")
    String instance();

    /** How often pools, straggler deadlines and interrupted merges are checked. */
    @WithDefault("2s")
    Duration checkInterval();

    /**
     * How much of the skill's current files the merge operator sees besides SKILL.md: the text of every file its
     * input edits touch, up to about this many tokens (4 characters a token) in all.
     */
    @WithDefault("6000")
    int fileContextTokens();

    /** The local sentence-embedding model: attribution checks and similarity grouping (LLM engine). */
    Similarity similarity();

    interface Similarity {
        /** Off: no model is loaded, attributions are trusted and the pool is grouped by sections. */
        @WithDefault("true")
        boolean enabled();

        /** Group the pool by the similarity of the patches' edits rather than by the sections they edit. */
        @WithDefault("true")
        boolean grouping();

        /**
         * A source the merge operator names for an output edit counts only when the two edits' cosine similarity is
         * at least this (see the README for how it was chosen).
         */
        @WithDefault("0.55")
        double attributionThreshold();

        /** Two edits at least this alike count as duplicates in the merge tree's grouping statistics. */
        @WithDefault("0.8")
        double duplicate();
    }
}
