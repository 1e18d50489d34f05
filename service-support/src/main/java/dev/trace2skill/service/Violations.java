package dev.trace2skill.service;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The one mapping of Bean Validation violations to RFC 7807 field problems: each violation becomes a
 * {@link Problem.FieldProblem} whose field is the property path as clients write it ({@code trajectories.limit},
 * {@code models[1].model}, {@code authors.other@1}), with the violation's message. The resource method and its
 * parameter, when the path starts there, are left out. Problems come sorted by field, so a body does not depend on
 * the validator's iteration order.
 */
public final class Violations {
    private Violations() {
    }

    public static List<Problem.FieldProblem> problems(Set<? extends ConstraintViolation<?>> violations) {
        return violations.stream()
                .map(v -> Problem.FieldProblem.of(field(v.getPropertyPath()), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldProblem::field).thenComparing(Problem.FieldProblem::message))
                .toList();
    }

    /** A problem listing the field problems of {@code violations}. */
    public static Problem problem(int status, String title, String detail, Set<? extends ConstraintViolation<?>> violations) {
        return Problem.of(status, title, detail, problems(violations));
    }

    /** A message template that says {@code text} literally: no parameters or expressions are interpolated into it. */
    public static String literal(String text) {
        return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("$", "\\$");
    }

    /** {@code a.b[2].c}, {@code a.key}: the property path without the method and parameter nodes of a method validation. */
    static String field(Path path) {
        StringBuilder out = new StringBuilder();
        for (Path.Node n : path) {
            if (n.getKind() == ElementKind.METHOD || n.getKind() == ElementKind.PARAMETER
                    || n.getKind() == ElementKind.CROSS_PARAMETER || n.getKind() == ElementKind.RETURN_VALUE) {
                continue;
            }
            if (n.getKind() == ElementKind.CONTAINER_ELEMENT || n.getName() == null || n.getName().startsWith("<")) {
                // a list element or map value: its position belongs to the previous node (a[2], m.key)
                appendPosition(out, n);
                continue;
            }
            if (n.isInIterable()) {
                appendPosition(out, n);
            }
            if (!out.isEmpty()) {
                out.append('.');
            }
            out.append(n.getName());
        }
        return out.isEmpty() ? "(body)" : out.toString();
    }

    private static void appendPosition(StringBuilder out, Path.Node n) {
        if (n.getIndex() != null) {
            out.append('[').append(n.getIndex()).append(']');
        } else if (n.getKey() != null) {
            out.append('.').append(n.getKey());
        }
    }
}
