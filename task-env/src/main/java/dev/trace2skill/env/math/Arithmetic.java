package dev.trace2skill.env.math;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A small, safe arithmetic evaluator: a recursive-descent parser over decimal numbers with {@code + - * / ^ %},
 * parentheses, unary signs and the functions {@code sqrt}, {@code abs}, {@code round}, {@code min}, {@code max}.
 * Exact decimal arithmetic (34 significant digits, {@link MathContext#DECIMAL128}); no variables, no names other than
 * those functions, no scripting engine. Bounded: at most {@value #MAX_LENGTH} characters, {@value #MAX_DEPTH} levels of
 * nesting and integer powers up to {@value #MAX_EXPONENT}.
 *
 * <p>{@code %} is the remainder (its sign follows the dividend, as in Java and C); {@code ^} and {@code **} are powers,
 * right-associative and binding tighter than a unary minus ({@code -2^2 = -4}); {@code round} rounds halves away from
 * zero.
 */
public final class Arithmetic {
    public static final int MAX_LENGTH = 500;
    public static final int MAX_DEPTH = 64;
    public static final int MAX_EXPONENT = 10_000;
    static final MathContext MC = MathContext.DECIMAL128;

    /** The expression is malformed or its value is undefined (division by zero, the root of a negative number). */
    public static final class ArithmeticError extends RuntimeException {
        ArithmeticError(String message) {
            super(message);
        }
    }

    private final String s;
    private int pos;
    private int depth;

    private Arithmetic(String s) {
        this.s = s;
    }

    public static BigDecimal evaluate(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new ArithmeticError("empty expression");
        }
        if (expression.length() > MAX_LENGTH) {
            throw new ArithmeticError("the expression is longer than " + MAX_LENGTH + " characters");
        }
        Arithmetic p = new Arithmetic(expression.replace('×', '*').replace('÷', '/').replace('−', '-'));
        try {
            BigDecimal v = p.sum();
            p.skipSpace();
            if (p.pos < p.s.length()) {
                throw new ArithmeticError("unexpected '" + p.s.charAt(p.pos) + "' at position " + (p.pos + 1));
            }
            return v;
        } catch (ArithmeticException e) {
            throw new ArithmeticError(e.getMessage());
        }
    }

    /** The value as plain decimal text, without trailing zeros. */
    public static String format(BigDecimal v) {
        BigDecimal r = v.round(MC).stripTrailingZeros();
        if (r.compareTo(BigDecimal.ZERO) == 0) {
            return "0";
        }
        String plain = r.toPlainString();
        return plain.length() <= 60 ? plain : r.toString();
    }

    private BigDecimal sum() {
        BigDecimal v = product();
        while (true) {
            skipSpace();
            if (eat('+')) {
                v = v.add(product(), MC);
            } else if (eat('-')) {
                v = v.subtract(product(), MC);
            } else {
                return v;
            }
        }
    }

    private BigDecimal product() {
        BigDecimal v = unary();
        while (true) {
            skipSpace();
            if (peek('*') && !peekAt(pos + 1, '*')) {
                pos++;
                v = v.multiply(unary(), MC);
            } else if (eat('/')) {
                BigDecimal d = unary();
                if (d.signum() == 0) {
                    throw new ArithmeticError("division by zero");
                }
                v = v.divide(d, MC);
            } else if (eat('%')) {
                BigDecimal d = unary();
                if (d.signum() == 0) {
                    throw new ArithmeticError("remainder of a division by zero");
                }
                v = v.remainder(d, MC);
            } else {
                return v;
            }
        }
    }

    private BigDecimal unary() {
        skipSpace();
        if (eat('-')) {
            return nested(() -> unary().negate());
        }
        if (eat('+')) {
            return nested(this::unary);
        }
        return power();
    }

    private BigDecimal power() {
        BigDecimal base = primary();
        skipSpace();
        if (eat('^') || (peek('*') && peekAt(pos + 1, '*') && (pos += 2) > 0)) {
            BigDecimal exponent = nested(this::unary);
            return pow(base, exponent);
        }
        return base;
    }

    static BigDecimal pow(BigDecimal base, BigDecimal exponent) {
        BigDecimal e = exponent.stripTrailingZeros();
        if (e.scale() <= 0) {
            if (e.abs().compareTo(BigDecimal.valueOf(MAX_EXPONENT)) > 0) {
                throw new ArithmeticError("exponent " + format(e) + " is larger than " + MAX_EXPONENT);
            }
            int n = e.intValueExact();
            if (n < 0 && base.signum() == 0) {
                throw new ArithmeticError("division by zero");
            }
            return base.pow(n, MC);
        }
        if (base.signum() < 0) {
            throw new ArithmeticError("a negative number to a fractional power");
        }
        double r = Math.pow(base.doubleValue(), e.doubleValue());
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            throw new ArithmeticError("the power is out of range");
        }
        return new BigDecimal(r, MathContext.DECIMAL64);
    }

    private BigDecimal primary() {
        skipSpace();
        if (eat('(')) {
            BigDecimal v = nested(this::sum);
            expect(')');
            return v;
        }
        if (pos < s.length() && Character.isLetter(s.charAt(pos))) {
            return function();
        }
        return number();
    }

    private BigDecimal function() {
        int start = pos;
        while (pos < s.length() && Character.isLetter(s.charAt(pos))) {
            pos++;
        }
        String name = s.substring(start, pos).toLowerCase(java.util.Locale.ROOT);
        skipSpace();
        if (!peek('(')) {
            throw new ArithmeticError("unknown name '" + name + "': only numbers and the functions sqrt, abs, round, min, max");
        }
        expect('(');
        List<BigDecimal> args = new ArrayList<>();
        skipSpace();
        if (!peek(')')) {
            do {
                args.add(nested(this::sum));
                skipSpace();
            } while (eat(','));
        }
        expect(')');
        return switch (name) {
            case "sqrt" -> {
                one(name, args);
                if (args.get(0).signum() < 0) {
                    throw new ArithmeticError("the square root of a negative number");
                }
                yield args.get(0).sqrt(MC);
            }
            case "abs" -> {
                one(name, args);
                yield args.get(0).abs();
            }
            case "round" -> {
                if (args.isEmpty() || args.size() > 2) {
                    throw new ArithmeticError("round takes a value and optionally the number of digits");
                }
                int digits = args.size() == 2 ? args.get(1).intValue() : 0;
                if (Math.abs(digits) > 100) {
                    throw new ArithmeticError("round to at most 100 digits");
                }
                yield args.get(0).setScale(digits, RoundingMode.HALF_UP);
            }
            case "min", "max" -> {
                if (args.isEmpty()) {
                    throw new ArithmeticError(name + " needs at least one value");
                }
                BigDecimal best = args.get(0);
                for (BigDecimal a : args) {
                    best = name.equals("min") ? best.min(a) : best.max(a);
                }
                yield best;
            }
            default -> throw new ArithmeticError("unknown function '" + name + "'; known: sqrt, abs, round, min, max");
        };
    }

    private static void one(String name, List<BigDecimal> args) {
        if (args.size() != 1) {
            throw new ArithmeticError(name + " takes one value");
        }
    }

    private BigDecimal number() {
        int start = pos;
        while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == '_')) {
            pos++;
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E') && pos > start) {
            int mark = pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = mark;
            }
        }
        String text = s.substring(start, pos).replace("_", "");
        if (text.isEmpty()) {
            throw new ArithmeticError(pos < s.length() ? "unexpected '" + s.charAt(pos) + "' at position " + (pos + 1) : "the expression ends too early");
        }
        if (text.length() > 100) {
            throw new ArithmeticError("a number longer than 100 characters");
        }
        try {
            BigDecimal v = new BigDecimal(text);
            if (Math.abs((long) v.scale()) > MAX_EXPONENT * 10L) {
                throw new ArithmeticError("the number " + text + " is out of range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ArithmeticError("not a number: " + text);
        }
    }

    private interface Step {
        BigDecimal get();
    }

    private BigDecimal nested(Step step) {
        if (++depth > MAX_DEPTH) {
            throw new ArithmeticError("nested deeper than " + MAX_DEPTH + " levels");
        }
        try {
            return step.get();
        } finally {
            depth--;
        }
    }

    private void skipSpace() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private boolean peek(char c) {
        return peekAt(pos, c);
    }

    private boolean peekAt(int at, char c) {
        return at < s.length() && s.charAt(at) == c;
    }

    private boolean eat(char c) {
        skipSpace();
        if (peek(c)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!eat(c)) {
            throw new ArithmeticError("expected '" + c + "' at position " + (pos + 1));
        }
    }
}
