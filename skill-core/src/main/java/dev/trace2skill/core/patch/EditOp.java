package dev.trace2skill.core.patch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;

/** Trace2Skill's edit vocabulary, shared by analysts, the merge operator and the applier. */
public enum EditOp {
    INSERT_AFTER,
    INSERT_BEFORE,
    APPEND_TO_SECTION,
    REPLACE_IN_SECTION,
    ADD_SECTION,
    DELETE_SECTION,
    CREATE,
    DELETE_FILE;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static EditOp fromWire(String value) {
        for (EditOp op : values()) {
            if (op.wire().equals(value)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown op '" + value + "'; expected one of "
                + Arrays.stream(values()).map(EditOp::wire).toList());
    }

    /** Ops that change existing text rather than only adding to it. */
    public boolean removesText() {
        return this == REPLACE_IN_SECTION || this == DELETE_SECTION || this == DELETE_FILE;
    }
}
