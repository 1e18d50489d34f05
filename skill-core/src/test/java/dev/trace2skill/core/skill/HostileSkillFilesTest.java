package dev.trace2skill.core.skill;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Front matter and archives built to crash a parser: each is refused with a reason, never a StackOverflowError. */
class HostileSkillFilesTest {
    static String skillMd(String frontMatter) {
        return "---\n" + frontMatter + "\n---\n# Body\n";
    }

    static String laughs() {
        StringBuilder y = new StringBuilder("name: bomb\ndescription: d\nmetadata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char p = (char) (c - 1);
            y.append("  ").append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p)
                    .append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append("]\n");
        }
        return y.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"recursive list", "recursive map", "billion laughs", "deep nesting", "deep flow nesting"})
    void hostileFrontMatterIsAnInvalidFrontMatterNotACrash(String which) {
        String yaml = switch (which) {
            case "recursive list" -> "name: loop\ndescription: d\nmetadata: &a [*a]";
            case "recursive map" -> "name: loop\ndescription: d\nmetadata: &m {self: *m}";
            case "billion laughs" -> laughs();
            case "deep nesting" -> "name: deep\ndescription: d\nmetadata:\n" + nested(200);
            default -> "name: deep\ndescription: d\nmetadata: " + "[".repeat(5_000) + "]".repeat(5_000);
        };
        SkillBundle bundle = SkillBundle.ofText("loop", Map.of("SKILL.md", skillMd(yaml)));
        SkillMd md = bundle.skillMd();
        assertThat(md.frontMatterError()).as(which).startsWith("the front matter is not valid YAML");
        List<Violation> violations = new SkillValidator().validate(bundle);
        assertThat(violations).extracting(Violation::rule).containsExactly("front-matter.invalid");
        assertThat(bundle.contentHash()).isNotBlank();
    }

    @Test
    void recursiveAliasesAreNamedAsTheReason() {
        SkillMd md = SkillMd.parse(skillMd("name: loop\ndescription: d\nmetadata: &a [*a]"));
        assertThat(md.frontMatterError()).contains("anchors and aliases of mappings or lists are not allowed");
        // a scalar alias is harmless and stays allowed
        assertThat(SkillMd.parse(skillMd("name: &n ok\ndescription: *n")).frontMatterError()).isNull();
    }

    static String nested(int depth) {
        StringBuilder y = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            y.append("  ".repeat(i + 1)).append("k").append(i).append(":\n");
        }
        return y.append("  ".repeat(depth + 1)).append("v").toString();
    }

    @Test
    void zipEntryNamesThatAreNotUtf8AreRefusedNotAltered() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(bytes)) {
            out.setEncoding("ISO-8859-1");
            out.setUseLanguageEncodingFlag(false);
            out.setCreateUnicodeExtraFields(ZipArchiveOutputStream.UnicodeExtraFieldPolicy.NEVER);
            for (String name : List.of("SKILL.md", "references/caf\u00e9.md")) {
                out.putArchiveEntry(new ZipArchiveEntry(name));
                out.write("---\nname: x\ndescription: d\n---\n".getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        assertThatThrownBy(() -> SkillArchive.read(bytes.toByteArray(), "x", SkillArchive.Limits.DEFAULT))
                .isInstanceOfSatisfying(SkillArchive.InvalidArchiveException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("7265666572656e6365732f636166e92e6d64").contains("not valid UTF-8");
                });
    }

    @Test
    void utf8NamesAreRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(bytes)) {
            for (String name : List.of("SKILL.md", "references/caf\u00e9.md")) {
                out.putArchiveEntry(new ZipArchiveEntry(name));
                out.write("---\nname: x\ndescription: d\n---\n".getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        assertThat(SkillArchive.read(bytes.toByteArray(), "x", SkillArchive.Limits.DEFAULT).paths()).contains("references/caf\u00e9.md");
    }

    @Test
    void textThatUtf8CannotCarryIsRefusedNamingTheFile() {
        assertThatThrownBy(() -> SkillBundle.ofText("x", Map.of("SKILL.md", "a\uD800b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("file SKILL.md contains a lone surrogate U+D800");
        assertThatThrownBy(() -> SkillBundle.ofText("x", Map.of("references/a\u200b.md", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+200B");
    }
}
