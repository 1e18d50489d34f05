package dev.trace2skill.service;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Valid;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Constraint violations of a real Hibernate Validator, mapped to the field problems clients see. */
public class ViolationsTest {
    static ValidatorFactory factory;
    static Validator validator;

    @BeforeAll
    static void validator() {
        factory = Validation.byDefaultProvider().configure().messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory();
        validator = factory.getValidator();
    }

    @AfterAll
    static void close() {
        factory.close();
    }

    /** A core-style wire enum: lower-case names on the wire, {@code fromWire} refusing others in its own words. */
    public enum Colour {
        RED, GREEN;

        public static Colour fromWire(String value) {
            for (Colour c : values()) {
                if (c.name().equalsIgnoreCase(value)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown colour '" + value + "'; expected {red} or ${green}");
        }
    }

    record Item(@NotBlank(message = "is required") String name, @Positive(message = "must be positive") int count) {
    }

    record Request(@NotNull(message = "give a title") String title,
                   @WireName(Colour.class) String colour,
                   @Max(value = 10, message = "must be at most 10") Integer limit,
                   List<@Valid Item> items,
                   Map<String, @NotBlank(message = "must not be blank") String> labels,
                   @Valid Item main) {
    }

    @Test
    void eachViolationNamesItsFieldAsClientsWriteIt() {
        Request r = new Request(null, "blue", 11, List.of(new Item("a", 1), new Item("", 0)), Map.of("team", " "), new Item("m", -1));
        List<Problem.FieldProblem> problems = Violations.problems(validator.validate(r));
        assertThat(problems).extracting(Problem.FieldProblem::field)
                .containsExactly("colour", "items[1].count", "items[1].name", "labels.team", "limit", "main.count", "title");
        assertThat(problems).allSatisfy(p -> {
            assertThat(p.record()).isNull();
            assertThat(p.id()).isNull();
        });
        assertThat(problems).filteredOn(p -> p.field().equals("title")).singleElement()
                .extracting(Problem.FieldProblem::message).isEqualTo("give a title");
        assertThat(problems).filteredOn(p -> p.field().equals("items[1].name")).singleElement()
                .extracting(Problem.FieldProblem::message).isEqualTo("is required");
    }

    @Test
    void aWireNameIsRefusedInTheEnumsOwnWordsWithNothingInterpolated() {
        Set<ConstraintViolation<Request>> v = validator.validate(new Request("t", "blue", null, null, null, null));
        assertThat(Violations.problems(v)).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("colour");
            assertThat(p.message()).isEqualTo("unknown colour 'blue'; expected {red} or ${green}");
        });
        assertThat(validator.validate(new Request("t", "GREEN", null, null, null, null))).isEmpty();
        assertThat(validator.validate(new Request("t", null, null, null, null, null))).isEmpty();
    }

    @Test
    void aProblemCarriesTheViolationsUnderTheGivenStatusAndTitle() {
        Set<ConstraintViolation<Request>> v = validator.validate(new Request(null, null, 50, null, null, null));
        Problem p = Violations.problem(422, "Invalid thing", "2 problem(s)", v);
        assertThat(p.status()).isEqualTo(422);
        assertThat(p.title()).isEqualTo("Invalid thing");
        assertThat(p.type()).isEqualTo("https://trace2skill.dev/problems/unprocessable");
        assertThat(p.errors()).extracting(Problem.FieldProblem::field).containsExactly("limit", "title");
    }

    @Test
    void literalTemplatesKeepBracesDollarsAndBackslashes() {
        assertThat(Violations.literal("a {b} ${c} \\d")).isEqualTo("a \\{b\\} \\$\\{c\\} \\\\d");
    }
}
