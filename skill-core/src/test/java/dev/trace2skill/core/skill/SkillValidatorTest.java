package dev.trace2skill.core.skill;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class SkillValidatorTest {
    private final SkillValidator validator = new SkillValidator();

    static SkillBundle skill(String folder, String frontMatter, String body) {
        return SkillBundle.ofText(folder, Map.of("SKILL.md", "---\n" + frontMatter + "---\n" + body));
    }

    static String lines(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("line ").append(i).append('\n');
        }
        return sb.toString();
    }

    static Stream<Arguments> validSkills() {
        return Stream.of(
                Arguments.of("minimal", skill("pdf", "name: pdf\ndescription: Reads PDFs.\n", "# PDF\n")),
                Arguments.of("digits and hyphens", skill("a1-b2-c3", "name: a1-b2-c3\ndescription: x\n", "")),
                Arguments.of("64-char name", skill("a".repeat(64), "name: " + "a".repeat(64) + "\ndescription: x\n", "")),
                Arguments.of("1024-char description", skill("d", "name: d\ndescription: " + "x".repeat(1024) + "\n", "")),
                Arguments.of("all optional fields", skill("full",
                        "name: full\ndescription: Everything.\nlicense: Apache-2.0\ncompatibility: Needs Python 3.11 and network access\n"
                                + "metadata:\n  author: team\n  version: \"1.0\"\nallowed-tools: Bash(git:*) Read\n", "# Full\n")),
                Arguments.of("500-line body", skill("long", "name: long\ndescription: x\n", lines(500))),
                Arguments.of("300-line reference", SkillBundle.ofText("ref", Map.of(
                        "SKILL.md", "---\nname: ref\ndescription: x\n---\nSee references/big.md\n",
                        "references/big.md", lines(300)))),
                Arguments.of("500-char compatibility", skill("c", "name: c\ndescription: x\ncompatibility: " + "y".repeat(500) + "\n", ""))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validSkills")
    void acceptsValidSkills(String label, SkillBundle bundle) {
        assertThat(validator.validate(bundle)).as(label).isEmpty();
    }

    static Stream<Arguments> invalidSkills() {
        return Stream.of(
                Arguments.of("no SKILL.md", SkillBundle.ofText("x", Map.of("references/a.md", "a")), "SKILL.md", "skill-md.missing", null),
                Arguments.of("no front matter", SkillBundle.ofText("x", Map.of("SKILL.md", "# Title\n")), "SKILL.md", "front-matter.invalid", null),
                Arguments.of("unclosed front matter", SkillBundle.ofText("x", Map.of("SKILL.md", "---\nname: x\n")), "SKILL.md", "front-matter.invalid", null),
                Arguments.of("front matter not a mapping", skill("x", "- a\n- b\n", ""), "SKILL.md", "front-matter.invalid", null),
                Arguments.of("broken YAML", skill("x", "name: [x\n", ""), "SKILL.md", "front-matter.invalid", null),
                Arguments.of("duplicate key", skill("x", "name: x\nname: x\ndescription: d\n", ""), "SKILL.md", "front-matter.invalid", null),
                Arguments.of("missing name", skill("x", "description: d\n", ""), "SKILL.md", "name.required", null),
                Arguments.of("name not a string", skill("x", "name: 12\ndescription: d\n", ""), "SKILL.md", "name.type", "12"),
                Arguments.of("uppercase name", skill("Pdf", "name: Pdf\ndescription: d\n", ""), "SKILL.md", "name.pattern", "Pdf"),
                Arguments.of("leading hyphen", skill("-pdf", "name: -pdf\ndescription: d\n", ""), "SKILL.md", "name.pattern", "-pdf"),
                Arguments.of("trailing hyphen", skill("pdf-", "name: pdf-\ndescription: d\n", ""), "SKILL.md", "name.pattern", "pdf-"),
                Arguments.of("double hyphen", skill("a--b", "name: a--b\ndescription: d\n", ""), "SKILL.md", "name.pattern", "a--b"),
                Arguments.of("underscore", skill("a_b", "name: a_b\ndescription: d\n", ""), "SKILL.md", "name.pattern", "a_b"),
                Arguments.of("empty name", skill("x", "name: \"\"\ndescription: d\n", ""), "SKILL.md", "name.length", ""),
                Arguments.of("65-char name", skill("a".repeat(65), "name: " + "a".repeat(65) + "\ndescription: d\n", ""), "SKILL.md", "name.length", "a".repeat(65)),
                Arguments.of("name differs from folder", skill("folder", "name: other\ndescription: d\n", ""), "SKILL.md", "name.folder-mismatch", "other"),
                Arguments.of("missing description", skill("x", "name: x\n", ""), "SKILL.md", "description.required", null),
                Arguments.of("blank description", skill("x", "name: x\ndescription: \"  \"\n", ""), "SKILL.md", "description.length", "  "),
                Arguments.of("1025-char description", skill("x", "name: x\ndescription: " + "d".repeat(1025) + "\n", ""), "SKILL.md", "description.length", null),
                Arguments.of("description not a string", skill("x", "name: x\ndescription:\n  a: b\n", ""), "SKILL.md", "description.type", null),
                Arguments.of("license not a string", skill("x", "name: x\ndescription: d\nlicense: [a]\n", ""), "SKILL.md", "license.type", "[a]"),
                Arguments.of("empty compatibility", skill("x", "name: x\ndescription: d\ncompatibility: \"\"\n", ""), "SKILL.md", "compatibility.length", ""),
                Arguments.of("501-char compatibility", skill("x", "name: x\ndescription: d\ncompatibility: " + "c".repeat(501) + "\n", ""), "SKILL.md", "compatibility.length", null),
                Arguments.of("metadata not a mapping", skill("x", "name: x\ndescription: d\nmetadata: text\n", ""), "SKILL.md", "metadata.type", "text"),
                Arguments.of("metadata value not a string", skill("x", "name: x\ndescription: d\nmetadata:\n  version: 1.0\n", ""), "SKILL.md", "metadata.type", "version: 1.0"),
                Arguments.of("allowed-tools as a list", skill("x", "name: x\ndescription: d\nallowed-tools:\n  - Read\n", ""), "SKILL.md", "allowed-tools.type", "[Read]"),
                Arguments.of("unknown key", skill("x", "name: x\ndescription: d\nversion: 2\n", ""), "SKILL.md", "front-matter.unknown-key", "version"),
                Arguments.of("501-line body", skill("x", "name: x\ndescription: d\n", lines(501)), "SKILL.md", "body.max-lines", "501"),
                Arguments.of("301-line reference", SkillBundle.ofText("x", Map.of("SKILL.md", "---\nname: x\ndescription: d\n---\n",
                        "references/long.md", lines(301))), "references/long.md", "reference.max-lines", "301")
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSkills")
    void reportsEachRuleWithFileRuleAndValue(String label, SkillBundle bundle, String file, String rule, String value) {
        List<Violation> violations = validator.validate(bundle);
        assertThat(violations).as(label).anySatisfy(v -> {
            assertThat(v.file()).isEqualTo(file);
            assertThat(v.rule()).isEqualTo(rule);
            if (value != null) {
                assertThat(v.value()).isEqualTo(value);
            }
            assertThat(v.message()).isNotBlank();
        });
    }

    @Test
    void reportsEveryViolationAtOnce() {
        SkillBundle bundle = SkillBundle.ofText("folder", Map.of(
                "SKILL.md", "---\nname: Bad_Name\ndescription: \"\"\nextra: 1\ncompatibility: \"\"\n---\n" + lines(600),
                "references/a.md", lines(400),
                "references/b.md", lines(301)));
        List<Violation> violations = validator.validate(bundle);
        assertThat(violations).extracting(Violation::rule).containsExactlyInAnyOrder(
                "front-matter.unknown-key", "name.pattern", "name.folder-mismatch", "description.length",
                "compatibility.length", "body.max-lines", "reference.max-lines", "reference.max-lines");
        assertThat(violations).filteredOn(v -> v.rule().equals("reference.max-lines"))
                .extracting(Violation::file).containsExactlyInAnyOrder("references/a.md", "references/b.md");
    }

    @Test
    void limitsAreConfigurable() {
        SkillValidator strict = new SkillValidator(new SkillLimits(10, 5));
        assertThat(strict.validate(skill("x", "name: x\ndescription: d\n", lines(11))))
                .extracting(Violation::rule).containsExactly("body.max-lines");
    }

    @Test
    void angleBracketsInTheDescriptionAndReadmeFilesAreWarningsNotErrors() {
        SkillBundle bundle = SkillBundle.ofText("sheets", Map.of(
                "SKILL.md", "---\nname: sheets\ndescription: Edit <xlsx> workbooks when asked for a -> b changes.\n---\n# Sheets\n",
                "README.md", "# About this skill\n",
                "references/CHANGELOG.md", "- v2\n",
                "references/readme-of-the-api.md", "kept: only README and changelog files themselves are flagged\n"));
        assertThat(validator.validate(bundle)).as("still a valid skill").isEmpty();
        List<Violation> review = validator.review(bundle);
        assertThat(review).allSatisfy(v -> {
            assertThat(v.severity()).isEqualTo(Violation.Severity.WARNING);
            assertThat(v.isError()).isFalse();
            assertThat(v.toString()).startsWith("warning: ");
        });
        assertThat(review).extracting(Violation::rule, Violation::file).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("description.angle-brackets", "SKILL.md"),
                org.assertj.core.groups.Tuple.tuple("file.not-guidance", "README.md"),
                org.assertj.core.groups.Tuple.tuple("file.not-guidance", "references/CHANGELOG.md"));
        assertThat(validator.warnings(skill("pdf", "name: pdf\ndescription: Reads PDFs.\n", "# PDF\n"))).isEmpty();
        // errors come first and keep their severity
        List<Violation> both = validator.review(skill("x", "name: Bad\ndescription: a <b>\n", ""));
        assertThat(both).extracting(Violation::severity).containsExactly(Violation.Severity.ERROR, Violation.Severity.ERROR,
                Violation.Severity.WARNING);
    }
}
