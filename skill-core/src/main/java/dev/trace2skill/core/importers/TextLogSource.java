package dev.trace2skill.core.importers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trace2skill.core.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a plain-text agent log (many questions in one file, as ReAct and Reflexion runs write them) into records,
 * streaming, one record's bytes at a time:
 * <ul>
 *   <li>a record starts at a {@code Question:} line (numbered or not), or at an instruction template's opening
 *       ("Below is an instruction…", {@code ### Instruction:}); inside a template's prompt (before its
 *       {@code ### Response:}) a {@code Question:} line belongs to the same record;</li>
 *   <li>header lines are context, not content: {@code BEGIN TRIAL n} / {@code Trial n} sets the trial,
 *       {@code BEGIN CORRECT AGENTS} / {@code INCORRECT} / {@code HALTED} / {@code RUNTIME ERROR} the section (a
 *       correctness hint), {@code Trial summary:} and separator lines ({@code ####…}, {@code ----…}, {@code ====…})
 *       are dropped;</li>
 *   <li>text before the first record (a preamble) is skipped; a log with no record boundary at all is reported.</li>
 * </ul>
 * Each record reaches the {@code react} importer as {@code {"text": …, "_textLog": {"trial": n, "section": s}}}. A
 * record larger than the limit is skipped unread and reported as too large; bytes that are not UTF-8 are replaced.
 */
public final class TextLogSource {
    public static final String CONTEXT_FIELD = "_textLog";
    private static final Pattern QUESTION = Pattern.compile("^\\s*Question(?:\\s*\\d+)?\\s*:", Pattern.CASE_INSENSITIVE);
    private static final Pattern TEMPLATE_OPEN = Pattern.compile("^\\s*(?:Below is an instruction\\b|###\\s*Instruction\\s*:?\\s*$)", Pattern.CASE_INSENSITIVE);
    private static final Pattern TEMPLATE_RESPONSE = Pattern.compile("^\\s*###\\s*(?:Response|Assistant|Answer)\\s*:?", Pattern.CASE_INSENSITIVE);
    private static final Pattern TRIAL = Pattern.compile("^[\\s#=*-]*(?:BEGIN\\s+)?TRIAL\\s+(\\d+)[\\s#=*-]*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern SECTION = Pattern.compile(
            "^[\\s#=*-]*BEGIN\\s+(CORRECT|INCORRECT|HALTED|RUNTIME ERROR|FAILED|SUCCESSFUL)\\s+AGENTS[\\s#=*-]*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern SUMMARY = Pattern.compile("^\\s*Trial summary\\s*:", Pattern.CASE_INSENSITIVE);
    private static final Pattern SEPARATOR = Pattern.compile("^\\s*(?:#{5,}|-{10,}|={10,}|\\*{10,})\\s*$");

    private final long max;
    private final Consumer<RawRecord> sink;
    private final StringBuilder record = new StringBuilder();
    private long recordBytes;
    private boolean open;
    private boolean overflow;
    private boolean templatePrompt;
    private Integer trial;
    private String section;
    private int index;
    private boolean preamble;

    private TextLogSource(long max, Consumer<RawRecord> sink) {
        this.max = max;
        this.sink = sink;
    }

    public static void read(InputStream in, long maxRecordBytes, Consumer<RawRecord> sink) throws IOException {
        TextLogSource s = new TextLogSource(maxRecordBytes, sink);
        s.lines(in);
        s.flush();
        if (s.index == 0 && s.preamble) {
            sink.accept(new RawRecord(0, null, null, 0, "no record found: a text log's records start at 'Question:' lines"
                    + " (or at an instruction template's '### Instruction:')", false));
        }
    }

    /** Reads lines, each bounded: a line that would take the record past the limit is counted, not kept. */
    private void lines(InputStream in) throws IOException {
        BoundedLines.read(in, max, (line, bytes, newline) ->
                line(line == null ? null : line.toString(StandardCharsets.UTF_8), newline ? bytes + 1 : bytes));
    }

    /** @param text the line without its newline, or null when it alone is over the limit */
    private void line(String text, long bytes) {
        if (text != null) {
            String t = text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            Matcher m;
            if ((m = TRIAL.matcher(t)).matches()) {
                flush();
                trial = Integer.parseInt(m.group(1));
                section = null;
                return;
            }
            if ((m = SECTION.matcher(t)).matches()) {
                flush();
                section = m.group(1).toLowerCase(Locale.ROOT);
                return;
            }
            if (SUMMARY.matcher(t).find() || SEPARATOR.matcher(t).matches()) {
                return;
            }
            boolean question = QUESTION.matcher(t).find();
            boolean template = TEMPLATE_OPEN.matcher(t).find();
            if ((question && !(open && templatePrompt)) || (template && !(open && templatePrompt))) {
                flush();
                open = true;
                templatePrompt = template;
            } else if (open && templatePrompt && TEMPLATE_RESPONSE.matcher(t).find()) {
                templatePrompt = false;
            }
            if (!open) {
                if (!t.isBlank()) {
                    preamble = true;
                }
                return;
            }
            append(t, bytes);
        } else if (open) {
            append(null, bytes);
        } else {
            preamble = true;
        }
    }

    private void append(String line, long bytes) {
        recordBytes += bytes;
        if (overflow) {
            return;
        }
        if (line == null || recordBytes > max) {
            overflow = true;
            record.setLength(0);
            record.trimToSize();
            return;
        }
        record.append(line).append('\n');
    }

    private void flush() {
        if (!open) {
            return;
        }
        int i = index++;
        if (overflow) {
            sink.accept(RecordSource.tooLarge(i, null, recordBytes, max));
        } else {
            ObjectNode node = Json.mapper().createObjectNode();
            node.put("text", record.toString().strip());
            ObjectNode ctx = node.putObject(CONTEXT_FIELD);
            if (trial != null) {
                ctx.put("trial", trial);
            }
            if (section != null) {
                ctx.put("section", section);
            }
            sink.accept(new RawRecord(i, null, node, recordBytes, null, false));
        }
        record.setLength(0);
        if (record.capacity() > 1024 * 1024) {
            record.trimToSize();
        }
        recordBytes = 0;
        open = false;
        overflow = false;
        templatePrompt = false;
    }
}
