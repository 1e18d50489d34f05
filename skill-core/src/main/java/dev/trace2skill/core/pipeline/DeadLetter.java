package dev.trace2skill.core.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;

/**
 * A message a consumer could not process, as its dead-letter record carries it when the message itself is too large
 * to copy: a reference to where it still is (topic, partition, offset, key), its size and SHA-256, and the reason.
 * Smaller messages are copied as they were, with the same reference and reason in the record's headers.
 *
 * @param channel   the consumer's channel
 * @param topic     where it came from
 * @param partition its partition
 * @param offset    its offset there
 * @param key       its key
 * @param bytes     its size (UTF-8)
 * @param sha256    the SHA-256 of its bytes, hex
 * @param reason    why it was dead-lettered
 * @param cause     the underlying error, when there is one
 * @param at        when
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(String channel, String topic, int partition, long offset, String key, long bytes, String sha256,
                         String reason, String cause, Instant at) {
}
