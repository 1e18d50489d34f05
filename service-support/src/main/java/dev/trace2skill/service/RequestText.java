package dev.trace2skill.service;

import dev.trace2skill.core.text.TextRules;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Path and query parameters are checked before any resource sees them: a path parameter is a name or an id (no control
 * or invisible character — {@code %00} in an id), a query parameter is text (no NUL, no lone surrogate). A broken one
 * is a 422 problem naming the parameter, instead of a database error later.
 */
@Provider
@Priority(Priorities.AUTHORIZATION + 100)
public class RequestText implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        List<Problem.FieldProblem> problems = new ArrayList<>();
        check(request.getUriInfo().getPathParameters(true), true, problems);
        check(request.getUriInfo().getQueryParameters(true), false, problems);
        if (!problems.isEmpty()) {
            request.abortWith(Problem.of(422, "Invalid text", problems.size() + " parameter(s) hold characters that are not allowed",
                    problems).toResponse());
        }
    }

    private static void check(MultivaluedMap<String, String> params, boolean identifiers, List<Problem.FieldProblem> out) {
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            String name = TextRules.identifier(e.getKey()) == null ? e.getKey() : "(parameter name)";
            if (!name.equals(e.getKey())) {
                out.add(Problem.FieldProblem.of(name, "the parameter name " + TextRules.identifier(e.getKey())));
                continue;
            }
            for (String v : e.getValue()) {
                String p = identifiers ? TextRules.identifier(v) : TextRules.text(v);
                if (p != null) {
                    out.add(Problem.FieldProblem.of(name, p));
                    break;
                }
            }
        }
    }
}
