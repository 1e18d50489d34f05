package dev.trace2skill.env;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A candidate counts as produced only when its values occur in what the analyst's own tools answered. */
class ProducedValuesTest {
    @Test
    void valuesMustOccurAsPhrasesOrNumbersInToolAnswers() {
        ProducedValues p = new ProducedValues();
        assertThat(p.isEmpty()).isTrue();
        assertThat(p.produced("Cape Spire")).isFalse();
        p.add("Name | Height\nCape Spire | 52.0\nNorth Point | 1,200\n");
        p.add("Crème Brûlée Lighthouse | 7");
        assertThat(p.produced("cape  spire")).isTrue();
        assertThat(p.produced("52")).as("52 from 52.0").isTrue();
        assertThat(p.produced("1200")).as("1200 from 1,200").isTrue();
        assertThat(p.produced("The answer is 1,200 m")).isTrue();
        assertThat(p.produced("creme brulee lighthouse")).as("accents ignored").isTrue();
        assertThat(p.produced("Cape Spire|North Point")).isTrue();
        assertThat(p.missing("Cape Spire|Lizard Point")).containsExactly("Lizard Point");
        assertThat(p.produced("Spi")).as("not inside a word").isFalse();
        assertThat(p.produced("53")).isFalse();
        assertThat(p.produced("")).isFalse();
        assertThat(p.produced(null)).isFalse();
    }
}
