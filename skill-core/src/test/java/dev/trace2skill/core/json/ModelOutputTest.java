package dev.trace2skill.core.json;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ModelOutputTest {
    @Test
    void jsonIsFoundInsideAFenceOrProse() {
        assertThat(ModelOutput.extractJson("```json\n{\"edits\": []}\n```")).isEqualTo("{\"edits\": []}");
        assertThat(ModelOutput.extractJson("Here it is: {\"edits\": []} hope it helps")).isEqualTo("{\"edits\": []}");
        assertThat(ModelOutput.extractJson("```\n[1, 2]\n```\nThat is all.")).isEqualTo("[1, 2]");
        // the closing fence right after the JSON, on the same line
        assertThat(ModelOutput.extractJson("```json\n{\"a\": 1}```")).isEqualTo("{\"a\": 1}");
        assertThat(ModelOutput.extractJson(null)).isEmpty();
        assertThat(ModelOutput.extractJson("no json here")).isEqualTo("no json here");
    }

    @Test
    void aCodeBlockQuotedInsideTheJsonDoesNotCloseTheFence() throws Exception {
        String patch = "{\"edits\": [{\"op\": \"append_to_section\", \"content\": \"```bash\\nls -l\\n```\"}]}";
        assertThat(ModelOutput.extractJson("```json\n" + patch + "\n```")).isEqualTo(patch);
        assertThat(Json.mapper().readTree(ModelOutput.extractJson("Patch:\n```json\n" + patch + "\n```\nDone."))
                .path("edits").get(0).path("content").asText()).isEqualTo("```bash\nls -l\n```");
    }

    @Test
    void onlyTheFirstFencedBlockIsTheAnswer() {
        assertThat(ModelOutput.fenced("```json\n{\"a\": 1}\n```\nAn example of use:\n```\n{\"b\": 2}\n```")).isEqualTo("{\"a\": 1}");
    }

    @Test
    void aDocumentKeepsItsOwnCodeBlocksWhetherFencedOrNot() {
        String skill = "---\nname: x\n---\n# X\n\n```bash\nls\n```\n\nDone.";
        assertThat(ModelOutput.document("Sure:\n```markdown\n" + skill + "\n```\n", "---")).isEqualTo(skill);
        assertThat(ModelOutput.document(skill, "---")).isEqualTo(skill);
        assertThat(ModelOutput.document("Here is the skill.\n\n" + skill, "---")).isEqualTo(skill);
        // an opening fence that is never closed leaves the answer as it is
        assertThat(ModelOutput.document("```markdown\n# X", "---")).isEqualTo("```markdown\n# X");
    }
}
