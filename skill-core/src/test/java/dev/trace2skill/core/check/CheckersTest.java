package dev.trace2skill.core.check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckersTest {
    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "18|18|true", "$18|18|true", "18.0|18|true", "1,234.5|1234.5|true", "1,234|1234|true", "-5|-5|true",
            "3/4|0.75|true", "2.5e3|2500|true", "50%|50|true", "18 dollars|18|true", "17|18|false", "0.3333|1/3|false",
            "abc|18|false", "1e-12|0|true"})
    void numeric(String candidate, String expected, boolean correct) {
        assertThat(new NumericChecker().check(candidate, expected).correct()).isEqualTo(correct);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "Seth MacFarlane|seth macfarlane|true", "The Beatles|beatles|true", "  Paris. |paris|true",
            "Beyoncé|beyonce|true", "an apple|apple|true", "New York|York|false", "|x|false"})
    void normalized(String candidate, String expected, boolean correct) {
        assertThat(new NormalizedChecker().check(candidate, expected).correct()).isEqualTo(correct);
    }

    @Test
    void jsonIgnoresKeyOrderButNotArrayOrder() {
        JsonChecker c = new JsonChecker();
        assertThat(c.check("[{\"name\":\"book\",\"kwargs\":{\"b\":2,\"a\":1.0}}]", "[{\"kwargs\":{\"a\":1,\"b\":2},\"name\":\"book\"}]").correct()).isTrue();
        assertThat(c.check("[2,1]", "[1,2]").correct()).isFalse();
        assertThat(c.check("not json", "[1]").reason()).isEqualTo("the candidate is not JSON");
    }

    @Test
    void autoPicksByTheShapeOfTheExpectedAnswer() {
        AutoChecker auto = new AutoChecker();
        assertThat(auto.check("$1,000", "1000").correct()).isTrue();
        assertThat(auto.check("{\"a\": [1]}", "{\"a\":[1.0]}").correct()).isTrue();
        assertThat(auto.check("the eiffel tower", "Eiffel Tower").correct()).isTrue();
        assertThat(auto.check("Louvre", "Eiffel Tower").correct()).isFalse();
        assertThat(AnswerCheckers.byName(null)).isInstanceOf(AutoChecker.class);
        assertThatThrownBy(() -> AnswerCheckers.byName("magic")).hasMessageContaining("numeric");
        assertThat(new ExactChecker().check(" A ", "A").correct()).isTrue();
    }
}
