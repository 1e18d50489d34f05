package dev.trace2skill.env.sheet;

import dev.trace2skill.env.sheet.PyValues.PyDate;
import dev.trace2skill.env.sheet.PyValues.PyDateTime;
import dev.trace2skill.env.sheet.PyValues.PyTime;
import dev.trace2skill.env.sheet.PyValues.PyTimedelta;

import java.math.BigInteger;
import java.util.Optional;

/**
 * The benchmark's cell comparison ({@code compare_cell_value}): both values are transformed — numbers (and booleans,
 * which Python counts as numbers) and strings that parse as numbers become floats rounded to 2 decimals, date-times
 * become Excel serial numbers rounded to whole days (halves to even), times become {@code HH:MM} text — then an empty
 * string equals an empty cell, and otherwise the types must match and the values be equal (so NaN never equals NaN).
 */
final class CellComparison {
    private CellComparison() {
    }

    /** {@code transform_value}: null, Double, String, PyDate or PyTimedelta. Throws PyError where Python raises. */
    static Object transform(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (v instanceof BigInteger i) {
            return PyValues.round(PyValues.toFloat(i), 2);
        }
        if (v instanceof Double d) {
            return PyValues.round(d, 2);
        }
        if (v instanceof PyTime t) {
            String s = t.str();
            return s.substring(0, s.length() - 3);
        }
        if (v instanceof PyDateTime dt) {
            return PyValues.round(PyValues.datetimeToFloat(dt.value()), 0);
        }
        if (v instanceof String s) {
            Optional<Double> f = PyValues.parseFloat(s);
            return f.isPresent() ? PyValues.round(f.get(), 2) : s;
        }
        return v; // PyDate, PyTimedelta: compared as they are
    }

    /** {@code compare_cell_value(v1, v2)} on raw values. */
    static boolean equal(Object golden, Object output) {
        Object a = transform(golden);
        Object b = transform(output);
        if (("".equals(a) && b == null) || (a == null && "".equals(b))) {
            return true;
        }
        if (("".equals(a) && "".equals(b)) || (a == null && b == null)) {
            return true;
        }
        if (a == null || b == null || a.getClass() != b.getClass()) {
            return false;
        }
        if (a instanceof Double x) {
            return x.doubleValue() == ((Double) b).doubleValue();
        }
        return a.equals(b);
    }

    /** A transformed value as text, for revealed expectations and messages. */
    static String show(Object raw) {
        Object t;
        try {
            t = transform(raw);
        } catch (PyValues.PyError e) {
            return "(unreadable)";
        }
        if (t == null) {
            return "(empty)";
        }
        if (t instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d.doubleValue()) : d.toString();
        }
        if (t instanceof String s) {
            return '"' + s + '"';
        }
        if (t instanceof PyDate d) {
            return d.value().toString();
        }
        if (t instanceof PyTimedelta d) {
            return PyValues.describe(d);
        }
        return t.toString();
    }
}
