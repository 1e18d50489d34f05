package dev.trace2skill.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.trace2skill.core.json.Json;
import dev.trace2skill.modelsim.ChatRequest;
import dev.trace2skill.modelsim.MergeFolds;
import dev.trace2skill.modelsim.Reply;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PipelineBench's world: arithmetic word problems (trajectories a math environment can replay: each carries its
 * question, expected answer and the {@code gsm8k} checker), the skill S0 they are evolved from, and a model that answers
 * every role of the pipeline validly:
 * <ul>
 *   <li>success analyst: a patch of one or two edits drawn from what the trajectory shows (the kind of problem and the
 *       calculator expression it used), in the section that kind belongs to — varied across trajectories, repeated
 *       across problems of the same kind, so the merge has duplicates to fold and different edits to keep;</li>
 *   <li>error analyst: read_steps, then {@code calculate} with the right expression, {@code check_output} with what the
 *       calculator answered (the task's checker accepts it: the patch is verified), then {@code propose_patch} with a
 *       warning about the mistake of that kind — four calls;</li>
 *   <li>merge operator: the input edits with identical op, section and content folded into one that names every
 *       source (as testkit's {@code ScriptedMerges}).</li>
 * </ul>
 * The model knows each problem's right expression from the generator (as a capable model would work it out).
 */
final class PipelineModel {
    static final String SKILL_NAME = "word-sums";
    static final String SKILL_MD = """
            ---
            name: word-sums
            description: Solves short arithmetic word problems (adding, taking away, equal groups, sharing) with a calculator.
            ---
            # Word sums

            ## Reading the problem
            Find every count the problem gives and what it asks for.

            ## Computing
            Write one expression for the answer and evaluate it with the calculator.

            ## Checking
            Check the result against the question before answering.

            ## Answering
            Submit the final number only.
            """;

    /** A kind of problem: its question, the right expression, the agent's mistake, and what analysts learn from it. */
    record Kind(String name, String section, String[] lessons, String warning) {
    }

    static final List<Kind> KINDS = List.of(
            new Kind("add", "Computing", new String[]{
                    "- When the problem says more were found or added, add the second count to the first with `calculate`.",
                    "- For counts that grow, write the sum of both counts as one expression before answering."},
                    "- Add exactly the counts the problem gives: an extra one carried into a sum made the answer wrong."),
            new Kind("take-away", "Computing", new String[]{
                    "- When some are given away, subtract the second count from the first.",
                    "- For counts that shrink, write the difference as one expression and evaluate it."},
                    "- Words like \"gave away\" mean subtract: adding the count given away failed the task."),
            new Kind("groups", "Reading the problem", new String[]{
                    "- Equal groups (boxes, packs, rows) call for multiplying the number of groups by the size of each.",
                    "- Read which number counts the groups and which counts the items in each group."},
                    "- Boxes with the same number in each are a product: adding the two counts failed the task."),
            new Kind("sharing", "Reading the problem", new String[]{
                    "- Sharing equally among friends is a division of the total by the number of friends.",
                    "- Find the total being shared before dividing it."},
                    "- Sharing equally means divide: subtracting the number of friends from the total failed the task."),
            new Kind("two-step", "Checking", new String[]{
                    "- For two changes in one problem, apply both in order in a single expression.",
                    "- Re-read the question after computing to make sure every change was applied."},
                    "- A count that was lost must be subtracted: adding every count in a two-step problem failed the task."),
            new Kind("difference", "Checking", new String[]{
                    "- \"How many more\" asks for the difference between the two counts, not their sum.",
                    "- Check that a comparison answer is smaller than the larger count."},
                    "- \"How many more\" is a difference: answering with the sum of both counts failed the task."),
            new Kind("doubling", "Answering", new String[]{
                    "- Doubling means multiplying by two; submit the product as a plain number.",
                    "- State the final count alone, without the working."},
                    "- Doubling is times two, not plus two: that slip failed the task."),
            new Kind("rate", "Answering", new String[]{
                    "- A rate per day over several days is the rate times the number of days.",
                    "- Give the total for the whole period, not for one day."},
                    "- A daily amount over several days is a product: adding the days to the rate failed the task."));

    static final String[] NAMES = {"Mia", "Noah", "Ava", "Liam", "Zoe", "Omar", "Ines", "Kenji"};
    static final String[] OBJECTS = {"marbles", "apples", "stamps", "shells", "cards", "beads", "coins", "stickers"};

    /** A generated trajectory and what the model knows about it. */
    record Problem(String id, int kind, String question, String rightExpression, String wrongExpression, long answer, long wrong) {
    }

    private final Map<String, Problem> problems = new ConcurrentHashMap<>();

    /** N trajectories as NDJSON lines: {@code failures} of them failed (spread at random), the rest succeeded. */
    List<String> trajectories(String prefix, int n, int failures, long seed) {
        Random random = new Random(seed);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        java.util.Set<Integer> failed = new java.util.HashSet<>(order.subList(0, Math.min(n, failures)));
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Problem p = problem(prefix + "-" + i, random.nextInt(KINDS.size()), random);
            problems.put(p.id(), p);
            lines.add(trajectory(p, !failed.contains(i), i));
        }
        return lines;
    }

    static Problem problem(String id, int kind, Random r) {
        String name = NAMES[r.nextInt(NAMES.length)];
        String obj = OBJECTS[r.nextInt(OBJECTS.length)];
        int a = 12 + r.nextInt(80);
        int b = 2 + r.nextInt(9);
        int c = 1 + r.nextInt(b);
        return switch (kind) {
            case 0 -> new Problem(id, kind, name + " had " + a + " " + obj + " and found " + b + " more. How many " + obj + " does " + name + " have now?",
                    a + " + " + b, a + " + " + b + " + 1", a + b, a + b + 1);
            case 1 -> new Problem(id, kind, name + " had " + a + " " + obj + " and gave away " + b + ". How many " + obj + " are left?",
                    a + " - " + b, a + " + " + b, a - b, a + b);
            case 2 -> new Problem(id, kind, name + " bought " + b + " boxes with " + a + " " + obj + " in each. How many " + obj + " did " + name + " buy?",
                    b + " * " + a, b + " + " + a, (long) a * b, a + b);
            case 3 -> new Problem(id, kind, name + " shared " + (a * b) + " " + obj + " equally among " + b + " friends. How many " + obj + " did each friend get?",
                    (a * b) + " / " + b, (a * b) + " - " + b, a, (long) a * b - b);
            case 4 -> new Problem(id, kind, name + " had " + a + " " + obj + ", found " + b + " more and lost " + c + ". How many " + obj + " are left?",
                    a + " + " + b + " - " + c, a + " + " + b + " + " + c, a + b - c, a + b + c);
            case 5 -> new Problem(id, kind, name + " has " + (a + b) + " " + obj + " and a friend has " + a + ". How many more does " + name + " have?",
                    (a + b) + " - " + a, (a + b) + " + " + a, b, 2L * a + b);
            case 6 -> new Problem(id, kind, name + " had " + a + " " + obj + " and then doubled them. How many " + obj + " does " + name + " have now?",
                    a + " * 2", a + " + 2", 2L * a, a + 2);
            default -> new Problem(id, kind, name + " reads " + a + " pages a day for " + b + " days. How many pages does " + name + " read?",
                    a + " * " + b, a + " + " + b, (long) a * b, a + b);
        };
    }

    static String trajectory(Problem p, boolean success, int i) {
        String expression = success ? p.rightExpression() : p.wrongExpression();
        long result = success ? p.answer() : p.wrong();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("id", p.id());
        t.put("taskId", p.id());
        t.put("query", p.question());
        t.put("steps", List.of(
                Map.of("reasoning", "Find the counts and what the question asks.", "action", Map.of("tool", "calculate",
                        "arguments", Map.of("expression", expression)), "observation", Long.toString(result)),
                Map.of("reasoning", "Submit the result.", "action", Map.of("tool", "submit_answer", "arguments", Map.of("answer", Long.toString(result))),
                        "observation", "submitted")));
        t.put("finalAnswer", Long.toString(result));
        t.put("outcome", Map.of("success", success, "reward", success ? 1.0 : 0.0));
        t.put("expectedAnswer", Long.toString(p.answer()));
        t.put("model", "bench-agent");
        t.put("metadata", Map.of("checker", "gsm8k", "source", "PipelineBench", "kind", KINDS.get(p.kind()).name()));
        return Json.write(t);
    }

    // ---- the model ------------------------------------------------------------------------------------------------

    static final String SUCCESS = "success";
    static final String ERROR = "error";
    static final String MERGE = "merge";
    private static final Pattern TRAJECTORY_ID = Pattern.compile("Trajectory (\\S+)\n");
    private static final Pattern NUMBER = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*$");

    /** The role of a request: from the system prompt (the merge operator's, the analysts' own). */
    static String role(ChatRequest r) {
        String system = r.systemPrompt();
        if (system.contains("merge operator")) {
            return MERGE;
        }
        if (system.contains("Error Analyst")) {
            return ERROR;
        }
        if (system.contains("Success Analyst")) {
            return SUCCESS;
        }
        return r.toolNames().contains("propose_patch") ? ERROR : "other";
    }

    Reply answer(ChatRequest r) {
        return switch (role(r)) {
            case MERGE -> merge(r);
            case SUCCESS -> success(r);
            case ERROR -> error(r);
            default -> Reply.error(400);
        };
    }

    private Problem problemOf(ChatRequest r) {
        String input = r.messages().size() > 1 ? r.messages().get(1).path("content").asText() : "";
        Matcher m = TRAJECTORY_ID.matcher(input);
        return m.find() ? problems.get(m.group(1)) : null;
    }

    private Reply success(ChatRequest r) {
        Problem p = problemOf(r);
        if (p == null) {
            return Reply.text("{\"edits\": []}");
        }
        Kind k = KINDS.get(p.kind());
        int h = Math.floorMod(p.id().hashCode(), 4);
        List<Map<String, Object>> edits = new ArrayList<>();
        edits.add(edit(k.section(), k.lessons()[h % 2], "the trajectory solved a " + k.name() + " problem with `calculate`"));
        if (h >= 2) {
            edits.add(edit("Checking", "- Evaluate the whole expression with `calculate` rather than in your head.", "the trajectory computed with the tool"));
        }
        return Reply.text(Json.write(Map.of("edits", edits)));
    }

    private Reply error(ChatRequest r) {
        Problem p = problemOf(r);
        String last = lastToolResult(r);
        int turns = r.toolResults();
        if (p == null) {
            return Reply.text("{\"edits\": []}");
        }
        if (turns == 0) {
            return Reply.toolCall("read_steps", "{\"from\": 1, \"to\": 2}");
        }
        if (turns == 1 && r.toolNames().contains("calculate")) {
            return Reply.toolCall("calculate", Json.write(Map.of("expression", p.rightExpression())));
        }
        if (last != null && !last.startsWith("PASS") && !last.startsWith("ACCEPTED") && !last.startsWith("FAIL") && !last.startsWith("REFUSED")
                && r.toolNames().contains("check_output") && turns == 2) {
            Matcher n = NUMBER.matcher(last.strip());
            if (n.find()) {
                return Reply.toolCall("check_output", Json.write(Map.of("answer", n.group(1))));
            }
        }
        Kind k = KINDS.get(p.kind());
        String patch = Json.write(Map.of("edits", List.of(edit(k.section(), k.warning(), "reproduced: the right expression passes the task's checker"))));
        return Reply.toolCall("propose_patch", "{\"patch\": " + TextNode.valueOf(patch) + "}");
    }

    private static Map<String, Object> edit(String section, String content, String rationale) {
        return Map.of("op", "append_to_section", "target_section", section, "content", content, "rationale", rationale);
    }

    private static String lastToolResult(ChatRequest r) {
        List<JsonNode> ms = r.messages();
        for (int i = ms.size() - 1; i >= 0; i--) {
            if ("tool".equals(ms.get(i).path("role").asText())) {
                return ms.get(i).path("content").asText();
            }
        }
        return null;
    }

    /** Folds identical input edits (op, file, section, anchor, content; case aside) into one naming every source. */
    static Reply merge(ChatRequest request) {
        return MergeFolds.foldIdentical(request, true);
    }
}
