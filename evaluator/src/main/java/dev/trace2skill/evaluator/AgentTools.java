package dev.trace2skill.evaluator;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.trace2skill.core.skill.SkillBundle;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The skill-user agent's own tool: load a reference file of the skill on demand (progressive disclosure, as agents
 * load skills). The finishing tool ({@code submit_answer}, or {@code finish} for a workbook) comes with the task's
 * environment.
 */
@RegisterForReflection // ToolBox reads the @Tool methods and calls them reflectively, also in a native image
public final class AgentTools {
    private final SkillBundle skill;
    int referencesRead;

    AgentTools(SkillBundle skill) {
        this.skill = skill;
    }

    @Tool(name = "read_reference", value = "Read a reference file of the skill, e.g. references/rules.md")
    public String readReference(@P("path inside the skill folder") String path) {
        if (skill == null) {
            return "There is no skill loaded.";
        }
        if (!skill.has(path) || !skill.isText(path)) {
            return "No such file. Files: " + skill.paths();
        }
        referencesRead++;
        return skill.text(path);
    }
}
