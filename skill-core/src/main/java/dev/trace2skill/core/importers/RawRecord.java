package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record as read from an upload, before mapping.
 *
 * @param index   0-based position in the upload
 * @param key     its key when the upload is an object keyed by id, else null
 * @param node    the record (null when it could not be read)
 * @param bytes   its size in the upload
 * @param problem why it could not be read (malformed, too large), or null
 * @param tooLarge whether the problem is its size
 */
public record RawRecord(int index, String key, JsonNode node, long bytes, String problem, boolean tooLarge) {
}
