package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.core.trajectory.FieldError;
import dev.trace2skill.core.trajectory.Trajectory;

import java.util.List;
import java.util.Set;

/**
 * This project's own trajectory JSON (see {@code trajectory.schema.json}), read strictly: unknown fields and values
 * of the wrong type (a number where text belongs, text where a boolean belongs) are rejected, not coerced.
 */
public final class NativeImporter implements TrajectoryImporter {
    public static final String FORMAT = "trajectory";
    static final ObjectMapper STRICT = Json.mapper().copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    static {
        STRICT.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        STRICT.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        STRICT.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        STRICT.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public Set<String> recordFields() {
        return Set.of("id", "query", "outcome", "steps", "taskId", "finalAnswer");
    }

    @Override
    public List<ImportRecord> map(RawRecord raw, ImportOptions options) {
        try {
            Trajectory t = STRICT.treeToValue(raw.node(), Trajectory.class);
            return List.of(ImportRecord.accepted(raw.index(), raw.key(), t, raw.bytes()));
        } catch (UnrecognizedPropertyException e) {
            return reject(raw, Json.path(e), "unknown field '" + e.getPropertyName() + "'");
        } catch (MismatchedInputException e) {
            return reject(raw, Json.path(e), "wrong type: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (Exception e) {
            return reject(raw, "(record)", "cannot read the trajectory: " + e.getMessage());
        }
    }

    private static List<ImportRecord> reject(RawRecord raw, String field, String message) {
        return List.of(ImportRecord.rejected(raw.index(), raw.key(), List.of(new FieldError(field, message)), raw.bytes()));
    }
}
