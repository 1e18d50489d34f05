package dev.trace2skill.testkit;

import dev.trace2skill.modelsim.ChatRequest;
import dev.trace2skill.modelsim.MergeFolds;
import dev.trace2skill.modelsim.Reply;

/**
 * A deterministic stand-in for the LLM merge operator, for tests: it reads the input patches from the merge prompt,
 * folds identical edits (same op, section and content) into one, and names every input edit it came from — a valid
 * merge answer that depends only on the patches, so the same pool always merges to the same S*.
 */
public final class ScriptedMerges {
    private ScriptedMerges() {
    }

    public static boolean isMerge(ChatRequest r) {
        return MergeFolds.isMerge(r);
    }

    public static Reply foldIdentical(ChatRequest request) {
        Reply folded = MergeFolds.foldIdentical(request, false);
        String text = request.lastMessage();
        return folded.status() != 200 ? folded
                : folded.withUsage(Math.max(1, text.length() / 4), Math.max(1, folded.content().length() / 4));
    }
}
