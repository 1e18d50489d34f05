package dev.trace2skill.core.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trace2skill.core.json.Json;

import java.util.Iterator;
import java.util.Map;

/** Structural JSON equality (object key order ignored, numbers compared numerically), e.g. for tool-action answers. */
public final class JsonChecker implements AnswerChecker {
    @Override
    public String name() {
        return "json";
    }

    @Override
    public Verdict check(String candidate, String expected) {
        JsonNode e = parse(expected);
        if (e == null) {
            return new Verdict(false, candidate, expected, "the expected answer is not JSON");
        }
        JsonNode c = parse(candidate);
        if (c == null) {
            return new Verdict(false, candidate, Json.canonical(e), "the candidate is not JSON");
        }
        boolean ok = equal(c, e);
        return new Verdict(ok, Json.canonical(c), Json.canonical(e), ok ? "structurally equal" : "structurally different");
    }

    static JsonNode parse(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Json.mapper().readTree(s);
        } catch (Exception ex) {
            return null;
        }
    }

    static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return NumericChecker.close(a.asDouble(), b.asDouble());
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (!b.has(f.getKey()) || !equal(f.getValue(), b.get(f.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!equal(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
