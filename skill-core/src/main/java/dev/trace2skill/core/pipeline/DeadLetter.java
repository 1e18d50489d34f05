package dev.trace2skill.core.pipeline;

import java.time.Instant;

/**
 * A message a consumer could not process, kept with the reason.
 *
 * @param topic    where it came from
 * @param key      its key
 * @param payload  the raw payload as received (UTF-8, possibly truncated)
 * @param reason   why it was dead-lettered
 * @param at       when
 */
public record DeadLetter(String topic, String key, String payload, String reason, Instant at) {
}
