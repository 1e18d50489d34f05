package dev.trace2skill.core.importers;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Unwraps the instruction-tuning templates fine-tuned agents' logs carry, so the query is the task itself rather than
 * the template around it:
 * <ul>
 *   <li>{@code alpaca}: an optional preamble ("Below is an instruction that describes a task…"), then
 *       {@code ### Instruction:}, an optional {@code ### Input:} (appended to the task after a blank line) and
 *       {@code ### Response:}; also the {@code ### Human:}/{@code ### User:}/{@code ### Question:} …
 *       {@code ### Assistant:}/{@code ### Answer:} variants;</li>
 *   <li>{@code chatml} ({@code <|im_start|>role … <|im_end|>}), {@code llama3}
 *       ({@code <|start_header_id|>role<|end_header_id|> … <|eot_id|>}), {@code gemma}
 *       ({@code <start_of_turn>user … <end_of_turn>});</li>
 *   <li>{@code llama2} ({@code [INST] <<SYS>> system <</SYS>> task [/INST] response});</li>
 *   <li>{@code vicuna} ({@code USER: task ASSISTANT: response}, after an optional system line).</li>
 * </ul>
 * The first user turn is the task; the system part goes where the import's {@code system} option says; what follows
 * the first assistant marker is the response (for a ReAct log: the Thought/Action/Observation transcript).
 */
public final class InstructionTemplates {
    /**
     * @param template the template recognised, or null when the text is not wrapped
     * @param system   the system part, or null
     * @param user     the task (the whole text when not wrapped)
     * @param response what the model answered within the template, or null
     */
    public record Unwrapped(String template, String system, String user, String response) {
        public boolean wrapped() {
            return template != null;
        }
    }

    private static final Pattern ALPACA_HEADER = Pattern.compile(
            "(?mi)^[ \\t]*###[ \\t]*(Instruction|Input|Response|Human|User|Assistant|Question|Answer|System)[ \\t]*:?[ \\t]*$\\n?"
                    + "|(?mi)^[ \\t]*###[ \\t]*(Instruction|Input|Response|Human|User|Assistant|Question|Answer|System)[ \\t]*:[ \\t]*");
    private static final Pattern CHATML = Pattern.compile("(?s)<\\|im_start\\|>[ \\t]*(\\w+)[ \\t]*\\n?(.*?)(?:<\\|im_end\\|>|(?=<\\|im_start\\|>)|$)");
    private static final Pattern LLAMA3 = Pattern.compile(
            "(?s)<\\|start_header_id\\|>[ \\t]*(\\w+)[ \\t]*<\\|end_header_id\\|>\\s*(.*?)(?:<\\|eot_id\\|>|(?=<\\|start_header_id\\|>)|$)");
    private static final Pattern GEMMA = Pattern.compile("(?s)<start_of_turn>[ \\t]*(\\w+)[ \\t]*\\n?(.*?)(?:<end_of_turn>|(?=<start_of_turn>)|$)");
    private static final Pattern LLAMA2 = Pattern.compile("(?s)^\\s*(?:<s>)?\\s*\\[INST]\\s*(?:<<SYS>>(.*?)<</SYS>>)?(.*?)\\[/INST](.*)$");
    private static final Pattern VICUNA = Pattern.compile("(?s)^(.*?)\\bUSER:\\s*(.*?)\\s*\\bASSISTANT:(.*)$");

    private InstructionTemplates() {
    }

    public static Unwrapped unwrap(String text) {
        if (text == null) {
            return new Unwrapped(null, null, null, null);
        }
        if (text.contains("###")) {
            Unwrapped u = alpaca(text);
            if (u != null) {
                return u;
            }
        }
        if (text.contains("<|im_start|>")) {
            Unwrapped u = turns("chatml", CHATML, text, "assistant");
            if (u != null) {
                return u;
            }
        }
        if (text.contains("<|start_header_id|>")) {
            Unwrapped u = turns("llama3", LLAMA3, text, "assistant");
            if (u != null) {
                return u;
            }
        }
        if (text.contains("<start_of_turn>")) {
            Unwrapped u = turns("gemma", GEMMA, text, "model");
            if (u != null) {
                return u;
            }
        }
        if (text.contains("[INST]") && text.contains("[/INST]")) {
            Matcher m = LLAMA2.matcher(text);
            if (m.matches() && !m.group(2).isBlank()) {
                return new Unwrapped("llama2", blankToNull(m.group(1)), m.group(2).strip(), blankToNull(m.group(3)));
            }
        }
        if (text.contains("USER:") && text.contains("ASSISTANT:")) {
            Matcher m = VICUNA.matcher(text);
            if (m.matches() && !m.group(2).isBlank()) {
                return new Unwrapped("vicuna", blankToNull(m.group(1)), m.group(2).strip(), blankToNull(m.group(3)));
            }
        }
        return new Unwrapped(null, null, text, null);
    }

    private record Section(String name, int start, int end) {
    }

    /** Alpaca and its "### Role:" relatives: needs a task header (Instruction/Human/User/Question) to count. */
    private static Unwrapped alpaca(String text) {
        Matcher m = ALPACA_HEADER.matcher(text);
        List<Section> headers = new ArrayList<>();
        List<Integer> bodyStarts = new ArrayList<>();
        while (m.find()) {
            String name = (m.group(1) != null ? m.group(1) : m.group(2)).toLowerCase(java.util.Locale.ROOT);
            headers.add(new Section(name, m.start(), m.end()));
            bodyStarts.add(m.end());
        }
        if (headers.isEmpty()) {
            return null;
        }
        String preamble = text.substring(0, headers.get(0).start()).strip();
        String system = preamble.isEmpty() ? null : preamble;
        String task = null;
        String input = null;
        String response = null;
        for (int i = 0; i < headers.size(); i++) {
            Section h = headers.get(i);
            boolean last = i + 1 == headers.size();
            int end = last ? text.length() : headers.get(i + 1).start();
            String body = text.substring(h.end(), end);
            switch (h.name()) {
                case "instruction", "human", "user", "question" -> {
                    if (task == null && response == null) {
                        task = body.strip();
                    }
                }
                case "input" -> {
                    if (input == null && response == null) {
                        input = body.strip();
                    }
                }
                case "system" -> {
                    if (task == null) {
                        system = system == null ? body.strip() : system + "\n\n" + body.strip();
                    }
                }
                case "response", "assistant", "answer" -> {
                    if (response == null && task != null) {
                        // the response runs to the end: a transcript may itself contain '###' lines
                        response = text.substring(h.end());
                        i = headers.size();
                    }
                }
                default -> {
                }
            }
        }
        if (task == null || task.isEmpty()) {
            return null;
        }
        String user = input == null || input.isEmpty() ? task : task + "\n\n" + input;
        return new Unwrapped("alpaca", system, user, response);
    }

    /** Role-tagged turns: the system turn(s), the first user turn, and the text from the first reply on. */
    private static Unwrapped turns(String template, Pattern p, String text, String assistantRole) {
        Matcher m = p.matcher(text);
        StringBuilder system = new StringBuilder();
        String user = null;
        String response = null;
        while (m.find()) {
            String role = m.group(1).toLowerCase(java.util.Locale.ROOT);
            String body = m.group(2).strip();
            if (role.equals("system")) {
                if (user == null) {
                    system.append(system.isEmpty() ? "" : "\n\n").append(body);
                }
            } else if (role.equals("user") && user == null) {
                user = body;
            } else if (role.equals(assistantRole) && user != null) {
                response = text.substring(m.start(2));
                response = stripMarkers(response);
                break;
            }
        }
        if (user == null || user.isEmpty()) {
            return null;
        }
        return new Unwrapped(template, system.isEmpty() ? null : system.toString(), user, response);
    }

    private static String stripMarkers(String s) {
        return s.replaceAll("<\\|im_end\\|>|<\\|eot_id\\|>|<end_of_turn>|<\\|end_of_text\\|>|</s>", "").strip();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
