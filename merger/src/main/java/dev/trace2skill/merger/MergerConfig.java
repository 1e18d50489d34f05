package dev.trace2skill.merger;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How the merger waits for patch pools and merges them. */
@ConfigMapping(prefix = "t2s.merger")
public interface MergerConfig {
    /** How long after a run starts the merger waits for all its jobs; then it merges what arrived and records what is missing. */
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
}
