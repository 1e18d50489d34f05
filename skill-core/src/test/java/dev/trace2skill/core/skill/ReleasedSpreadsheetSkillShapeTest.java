package dev.trace2skill.core.skill;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Registering the method's released spreadsheet skills as S0 (issue 13). Qwen-Applications/Trace2Skill publishes
 * them as folders named {@code trace2skill-xlsx-35B-combined}, {@code xlsx-35B}, {@code trace2skill-xlsx-122B-combined}
 * and {@code xlsx-122B}, derived from the {@code xlsx} skill ({@code name: xlsx}, a proprietary licence, LICENSE.txt
 * and recalc.py beside SKILL.md). Their text is not copied here; this test builds the same shape with our own text and
 * shows what trace-ingest's upload (SkillArchive + SkillValidator) answers: the folder names have upper-case letters,
 * which the Agent Skills name rule forbids, so a name that matches the folder breaks the pattern and a name that keeps
 * "xlsx" differs from the folder. Renaming the folder (and name) to lower case registers it.
 */
class ReleasedSpreadsheetSkillShapeTest {
    static byte[] zip(String folder, String name) throws IOException {
        Map<String, String> files = Map.of(
                "SKILL.md", "---\nname: " + name + "\ndescription: \"Spreadsheet creation, editing and analysis with formulas.\"\n"
                        + "license: Proprietary. LICENSE.txt has complete terms\n---\n\n# Requirements for Outputs\n\nRecalculate after writing formulas.\n",
                "LICENSE.txt", "terms\n",
                "recalc.py", "print('recalc')\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                z.putNextEntry(new ZipEntry(folder + "/" + f.getKey()));
                z.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    static List<Violation> register(String folder, String name) throws IOException {
        SkillBundle bundle = SkillArchive.read(zip(folder, name), null, SkillArchive.Limits.DEFAULT);
        assertThat(bundle.name()).isEqualTo(folder);
        return new SkillValidator().validate(bundle);
    }

    @Test
    void theReleasedFolderNamesAreRefusedWithAClearReport() throws IOException {
        for (String folder : List.of("trace2skill-xlsx-35B-combined", "xlsx-35B", "trace2skill-xlsx-122B-combined", "xlsx-122B")) {
            List<Violation> keepsXlsx = register(folder, "xlsx");
            assertThat(keepsXlsx).extracting(Violation::rule).containsExactly("name.folder-mismatch");
            assertThat(keepsXlsx.get(0).message()).isEqualTo("'name' must equal the folder name '" + folder + "'");
            List<Violation> matchesFolder = register(folder, folder);
            assertThat(matchesFolder).extracting(Violation::rule).containsExactly("name.pattern");
        }
        // the workaround: a lower-case folder and name
        assertThat(register("xlsx-35b", "xlsx-35b")).isEmpty();
    }
}
