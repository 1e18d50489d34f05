package dev.trace2skill.env;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;

/** The finishing tool of text-answer domains: the agent submits its final answer and the episode ends. */
public final class AnswerTool {
    private volatile String answer;

    @Tool(name = "submit_answer", value = "Submit the final answer and finish")
    public String submitAnswer(@P("the final answer only; separate several values with |") String answer) {
        this.answer = answer;
        return "Answer recorded.";
    }

    public String answer() {
        return answer;
    }
}
