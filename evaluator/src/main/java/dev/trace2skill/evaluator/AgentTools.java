package dev.trace2skill.evaluator;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.trace2skill.core.skill.SkillBundle;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The skill-user agent's own tools: load a reference file of the skill on demand (progressive disclosure, as agents
 * load skills) and submit the final answer.
 */
@RegisterForReflection // ToolBox reads the @Tool methods and calls them reflectively, also in a native image
public final class AgentTools {
    private final SkillBundle skill;
    String answer;
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

    @Tool(name = "submit_answer", value = "Submit the final answer and finish")
    public String submitAnswer(@P("the final answer only; separate several values with |") String answer) {
        this.answer = answer;
        return "Answer recorded.";
    }
}
