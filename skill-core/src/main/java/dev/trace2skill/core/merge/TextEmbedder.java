package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;

import java.util.List;

/**
 * Turns texts into unit-length vectors whose dot product measures how much two texts say the same thing. The core
 * only uses the vectors; the services provide the model (the merger: a local sentence-embedding model).
 */
public interface TextEmbedder {
    /** One unit-length vector per text, in order. */
    List<float[]> embed(List<String> texts);

    /** Cosine similarity of two unit-length vectors. */
    static double cosine(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
        }
        return d;
    }

    /**
     * The text of an edit that is compared: its content; for an edit without content (a deletion), what it deletes.
     * The section title is left out on purpose, so that two edits in the same section are not alike for that alone.
     */
    static String text(Edit e) {
        if (e.content() != null && !e.content().isBlank()) {
            return e.content().strip();
        }
        StringBuilder s = new StringBuilder(e.op() == null ? "" : e.op().wire());
        if (e.targetSection() != null) {
            s.append(' ').append(e.targetSection());
        }
        if (e.targetText() != null) {
            s.append(' ').append(e.targetText());
        }
        if (e.op() != null && e.op() == dev.trace2skill.core.patch.EditOp.DELETE_FILE) {
            s.append(' ').append(e.path());
        }
        return s.toString().strip();
    }
}
