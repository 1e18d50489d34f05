package dev.trace2skill.env.math;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArithmeticTest {
    static String eval(String e) {
        return Arithmetic.format(Arithmetic.evaluate(e));
    }

    @Test
    void precedenceAssociativityAndExactDecimals() {
        assertThat(eval("1 + 2 * 3")).isEqualTo("7");
        assertThat(eval("(1 + 2) * 3")).isEqualTo("9");
        assertThat(eval("0.1 + 0.2")).isEqualTo("0.3");
        assertThat(eval("10 / 4")).isEqualTo("2.5");
        assertThat(eval("1 / 3")).isEqualTo("0.3333333333333333333333333333333333");
        assertThat(eval("2 ^ 3 ^ 2")).isEqualTo("512");
        assertThat(eval("2 ** 10")).isEqualTo("1024");
        assertThat(eval("-2 ^ 2")).isEqualTo("-4");
        assertThat(eval("2 ^ -1")).isEqualTo("0.5");
        assertThat(eval("17 % 5")).isEqualTo("2");
        assertThat(eval("-17 % 5")).isEqualTo("-2");
        assertThat(eval("1_000 * 3")).isEqualTo("3000");
        assertThat(eval("1.5e3 + 2")).isEqualTo("1502");
        assertThat(eval("12 × 3 ÷ 4 − 1")).isEqualTo("8");
    }

    @Test
    void functions() {
        assertThat(eval("sqrt(144)")).isEqualTo("12");
        assertThat(eval("sqrt(2)")).startsWith("1.41421356237309504880168872420969");
        assertThat(eval("abs(-4.5)")).isEqualTo("4.5");
        assertThat(eval("round(2.5)")).isEqualTo("3");
        assertThat(eval("round(-2.5)")).isEqualTo("-3");
        assertThat(eval("round(3.14159, 2)")).isEqualTo("3.14");
        assertThat(eval("min(4, 2, 8) + max(1, 9)")).isEqualTo("11");
        assertThat(eval("4 ^ 0.5")).isEqualTo("2");
    }

    @Test
    void malformedUndefinedAndOversizedExpressionsAreRefusedWithAReason() {
        assertThatThrownBy(() -> Arithmetic.evaluate("1 / 0")).hasMessageContaining("division by zero");
        assertThatThrownBy(() -> Arithmetic.evaluate("5 % 0")).hasMessageContaining("division by zero");
        assertThatThrownBy(() -> Arithmetic.evaluate("sqrt(-1)")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Arithmetic.evaluate("(-8) ^ 0.5")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Arithmetic.evaluate("2 +")).isInstanceOf(Arithmetic.ArithmeticError.class);
        assertThatThrownBy(() -> Arithmetic.evaluate("(1 + 2")).hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> Arithmetic.evaluate("1 + 2)")).hasMessageContaining("unexpected ')'");
        assertThatThrownBy(() -> Arithmetic.evaluate("x + 1")).hasMessageContaining("unknown name 'x'");
        assertThatThrownBy(() -> Arithmetic.evaluate("exec(1)")).hasMessageContaining("unknown function 'exec'");
        assertThatThrownBy(() -> Arithmetic.evaluate("java.lang.Runtime")).isInstanceOf(Arithmetic.ArithmeticError.class);
        assertThatThrownBy(() -> Arithmetic.evaluate("2 ^ 100000")).hasMessageContaining("exponent");
        assertThatThrownBy(() -> Arithmetic.evaluate("1+".repeat(300) + "1")).hasMessageContaining("longer than");
        assertThatThrownBy(() -> Arithmetic.evaluate("(".repeat(100) + "1" + ")".repeat(100))).hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> Arithmetic.evaluate(" ")).hasMessageContaining("empty");
        assertThat(new CalculatorTool().calculate("1 / 0")).startsWith("Cannot evaluate: division by zero");
        assertThat(new CalculatorTool().calculate("6 * 7")).isEqualTo("42");
        // large results stay readable
        assertThat(eval("10 ^ 500")).isEqualTo("1E+500");
    }
}
