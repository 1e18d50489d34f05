package dev.trace2skill.env.math;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;

/** The math domain's tool: arithmetic by {@link Arithmetic}, never a scripting engine. */
public final class CalculatorTool {
    @Tool(name = "calculate", value = "Evaluate an arithmetic expression exactly: + - * / ^ % and parentheses, decimals, "
            + "sqrt(x), abs(x), round(x) or round(x, digits), min(a, b, ...), max(a, b, ...)")
    public String calculate(@P("the expression, e.g. (12.5 * 4 - 3) / 2") String expression) {
        try {
            return Arithmetic.format(Arithmetic.evaluate(expression));
        } catch (Arithmetic.ArithmeticError e) {
            return "Cannot evaluate: " + e.getMessage();
        }
    }
}
