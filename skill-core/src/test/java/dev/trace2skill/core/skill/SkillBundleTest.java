package dev.trace2skill.core.skill;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SkillBundleTest {
    static final String SKILL_MD = "---\nname: airline\ndescription: Handles airline customer service.\n---\n# Airline\n\n## Rules\n- Verify the user.\n";

    static SkillBundle sample() {
        return SkillBundle.ofText("airline", Map.of(
                "SKILL.md", SKILL_MD,
                "references/baggage.md", "# Baggage\nTwo bags.\n",
                "scripts/check.py", "print('ok')\n"));
    }

    @Test
    void parsesFrontMatterAndBody() {
        SkillMd md = sample().skillMd();
        assertThat(md.name()).isEqualTo("airline");
        assertThat(md.description()).isEqualTo("Handles airline customer service.");
        assertThat(md.body()).startsWith("# Airline");
        assertThat(md.bodyLineOffset()).isEqualTo(4);
        assertThat(SKILL_MD.substring(md.bodyOffset())).isEqualTo(md.body());
        assertThat(md.bodyLines()).isEqualTo(4);
    }

    @Test
    void writesAndReadsAFolder(@TempDir Path dir) throws IOException {
        Path folder = sample().writeTo(dir);
        assertThat(folder.getFileName().toString()).isEqualTo("airline");
        assertThat(Files.readString(folder.resolve("references/baggage.md"))).isEqualTo("# Baggage\nTwo bags.\n");
        SkillBundle back = SkillBundle.readFolder(folder);
        assertThat(back.contentHash()).isEqualTo(sample().contentHash());
        assertThat(back.paths()).containsExactly("SKILL.md", "references/baggage.md", "scripts/check.py");
    }

    @Test
    void refusesSymlinksInAFolder(@TempDir Path dir) throws IOException {
        Path folder = sample().writeTo(dir);
        Files.createSymbolicLink(folder.resolve("references/link.md"), Path.of("/etc/passwd"));
        assertThatThrownBy(() -> SkillBundle.readFolder(folder)).hasMessageContaining("symbolic links");
    }

    @Test
    void contentHashIsStableAndSensitive() {
        String h = sample().contentHash();
        assertThat(h).hasSize(64).isEqualTo(sample().contentHash());
        assertThat(sample().withText("references/baggage.md", "# Baggage\nThree bags.\n").contentHash()).isNotEqualTo(h);
        assertThat(sample().renamed("airline-2").contentHash()).isNotEqualTo(h);
        assertThat(sample().without("scripts/check.py").contentHash()).isNotEqualTo(h);
    }

    @Test
    void refusesUnsafePaths() {
        for (String bad : new String[]{"../x.md", "/etc/passwd", "a/../../b", "a\\b", "", "a//b", "C:/x", "./../x"}) {
            assertThatThrownBy(() -> SkillPaths.normalize(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SkillPaths.normalize("./references/a.md")).isEqualTo("references/a.md");
    }

    @Test
    void zipRoundTripWithTopLevelFolder() {
        byte[] zip = SkillArchive.write(sample());
        SkillBundle back = SkillArchive.read(zip, null, SkillArchive.Limits.DEFAULT);
        assertThat(back.name()).isEqualTo("airline");
        assertThat(back.contentHash()).isEqualTo(sample().contentHash());
    }

    @Test
    void zipWithFilesAtTheRootTakesTheFallbackOrFrontMatterName() throws IOException {
        byte[] zip = zip(Map.of("SKILL.md", SKILL_MD, "references/baggage.md", "b"));
        assertThat(SkillArchive.read(zip, null, SkillArchive.Limits.DEFAULT).name()).isEqualTo("airline");
        assertThat(SkillArchive.read(zip, "given", SkillArchive.Limits.DEFAULT).name()).isEqualTo("given");
    }

    @Test
    void zipRefusesTraversalAbsolutePathsAndMixedRoots() throws IOException {
        assertThatThrownBy(() -> SkillArchive.read(zip(Map.of("SKILL.md", SKILL_MD, "../evil.sh", "x")), null, SkillArchive.Limits.DEFAULT))
                .isInstanceOf(SkillArchive.InvalidArchiveException.class).hasMessageContaining("unsafe entry name");
        assertThatThrownBy(() -> SkillArchive.read(zip(Map.of("SKILL.md", SKILL_MD, "/etc/cron.d/x", "x")), null, SkillArchive.Limits.DEFAULT))
                .isInstanceOf(SkillArchive.InvalidArchiveException.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> SkillArchive.read(zip(Map.of("a/SKILL.md", SKILL_MD, "b/x.md", "x")), null, SkillArchive.Limits.DEFAULT))
                .isInstanceOf(SkillArchive.InvalidArchiveException.class).hasMessageContaining("one top-level folder");
    }

    @Test
    void zipRefusesBombsAndTooManyEntries() throws IOException {
        byte[] bomb = zip(Map.of("SKILL.md", SKILL_MD, "assets/zeros.bin", "\0".repeat(30 * 1024 * 1024)));
        assertThat(bomb.length).isLessThan(100_000);
        assertThatThrownBy(() -> SkillArchive.read(bomb, null, SkillArchive.Limits.DEFAULT))
                .isInstanceOf(SkillArchive.InvalidArchiveException.class).hasMessageContaining("zip bomb");
        java.util.Map<String, String> files = new java.util.HashMap<>();
        for (int i = 0; i < 20; i++) {
            files.put("assets/f" + i, "x");
        }
        assertThatThrownBy(() -> SkillArchive.read(zip(files), null, new SkillArchive.Limits(10, 1_000_000, 100)))
                .isInstanceOf(SkillArchive.InvalidArchiveException.class).hasMessageContaining("entries");
    }

    @Test
    void zipRefusesGarbage() {
        assertThatThrownBy(() -> SkillArchive.read("not a zip".getBytes(StandardCharsets.UTF_8), null, SkillArchive.Limits.DEFAULT))
                .isInstanceOf(SkillArchive.InvalidArchiveException.class);
    }

    @Test
    void zipRefusesSymbolicLinks() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var out = new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(bytes)) {
            var md = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("SKILL.md");
            out.putArchiveEntry(md);
            out.write(SKILL_MD.getBytes(StandardCharsets.UTF_8));
            out.closeArchiveEntry();
            var link = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("references/passwd.md");
            link.setUnixMode(0120777);
            out.putArchiveEntry(link);
            out.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
            out.closeArchiveEntry();
        }
        assertThatThrownBy(() -> SkillArchive.read(bytes.toByteArray(), null, SkillArchive.Limits.DEFAULT))
                .isInstanceOf(SkillArchive.InvalidArchiveException.class).hasMessageContaining("symbolic link");
    }

    static byte[] zip(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> e : files.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void whatIsParsedFromTheContentIsParsedOnceAndMatchesAFreshParse() {
        SkillBundle b = sample();
        assertThat(b.skillMd()).isSameAs(b.skillMd());
        assertThat(b.skillMd()).isEqualTo(SkillMd.parse(SKILL_MD));
        SkillMd md = SkillMd.parse(SKILL_MD);
        // SKILL.md's sections are at offsets into the whole file, as a parse of its body shifted past the front matter
        assertThat(b.sections("SKILL.md")).isSameAs(b.sections("SKILL.md"))
                .isEqualTo(MarkdownSections.parse(md.body()).stream().map(s -> s.shift(md.bodyOffset(), md.bodyLineOffset())).toList());
        assertThat(b.sections("SKILL.md")).extracting(Section::title).containsExactly("Airline", "Rules");
        assertThat(SKILL_MD.substring(b.sections("SKILL.md").get(1).start())).startsWith("## Rules");
        assertThat(b.sections("references/baggage.md")).extracting(Section::title).containsExactly("Baggage");
        assertThat(b.sections("scripts/check.py")).isEmpty();
        assertThat(b.contentHash()).isEqualTo(SkillBundle.ofText("airline", b.textFiles()).contentHash());
        // a changed bundle is a new bundle: nothing derived from the old content carries over
        SkillBundle changed = b.withText("SKILL.md", SKILL_MD.replace("## Rules", "## Policy"));
        assertThat(changed.sections("SKILL.md")).extracting(Section::title).containsExactly("Airline", "Policy");
        assertThat(changed.contentHash()).isNotEqualTo(b.contentHash());
    }
}
