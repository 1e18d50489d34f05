package dev.trace2skill.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptsTest {
    final Prompts prompts = new Prompts();

    @Test
    void placeholdersAreFilledAndSharedPartsIncluded() {
        assertThat(prompts.render("test-plain", Map.of("language", "French"))).isEqualTo("Answer in French.\n");
        assertThat(prompts.render("test-with-format", Map.of())).startsWith("Write a patch.\n\nA skill patch is a JSON object")
                .contains("\"append_to_section\"");
        // a value is inserted as it is, never read as a placeholder itself
        assertThat(prompts.render("test-plain", Map.of("language", "{{edit_format}}"))).isEqualTo("Answer in {{edit_format}}.\n");
        assertThat(prompts.user("test-plain", Map.of("language", "Dutch")).singleText()).isEqualTo("Answer in Dutch.\n");
    }

    @Test
    void aMissingValueOrResourceIsAClearError() {
        assertThatThrownBy(() -> prompts.render("test-plain", Map.of())).hasMessage("prompt test-plain needs a value for {{language}}");
        assertThatThrownBy(() -> prompts.render("no-such-prompt", Map.of())).hasMessageContaining("missing prompt resource /prompts/no-such-prompt.md");
    }

    @Test
    void theVersionIsAHashOfTheTemplatesContent() {
        String plain = prompts.version("test-plain");
        assertThat(plain).matches("[0-9a-f]{12}");
        assertThat(new Prompts().version("test-plain")).isEqualTo(plain);
        // by content, not by name
        assertThat(prompts.version("test-plain-copy")).isEqualTo(plain);
        assertThat(prompts.version("test-repair")).isNotEqualTo(plain);
        // the shared parts are part of what the model is told, so part of the version
        assertThat(prompts.version("test-with-format")).isNotEqualTo(prompts.version("edit-format"));
        // sha256("Answer in {{language}}.\n"), computed with sha256sum
        assertThat(plain).isEqualTo(SHA_OF_PLAIN);
    }

    static final String SHA_OF_PLAIN = "8fbded293a0d";
}
