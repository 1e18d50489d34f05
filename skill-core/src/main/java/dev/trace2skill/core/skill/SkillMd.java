package dev.trace2skill.core.skill;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code SKILL.md}: YAML front matter between two {@code ---} lines, then the Markdown body.
 *
 * @param frontMatter   parsed front matter, empty when absent or unparseable
 * @param frontMatterError why the front matter could not be read, or null
 * @param body          the Markdown after the closing {@code ---} line
 * @param bodyOffset    character offset of the body in the whole file
 * @param bodyLineOffset 0-based line of the body's first line in the whole file
 */
public record SkillMd(Map<String, Object> frontMatter, String frontMatterError, String body, int bodyOffset,
                      int bodyLineOffset) {

    public static final String DELIMITER = "---";

    public static SkillMd parse(String text) {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        int bom = text.length() - t.length();
        if (!(t.startsWith(DELIMITER + "\n") || t.startsWith(DELIMITER + "\r\n"))) {
            return new SkillMd(Map.of(), "SKILL.md must start with a '---' line opening the YAML front matter", t, bom, 0);
        }
        int firstNl = t.indexOf('\n');
        int pos = firstNl + 1;
        int line = 1;
        while (pos <= t.length()) {
            int nl = t.indexOf('\n', pos);
            int lineEnd = nl < 0 ? t.length() : nl;
            String current = t.substring(pos, lineEnd).stripTrailing();
            if (current.equals(DELIMITER)) {
                String yaml = t.substring(firstNl + 1, pos);
                int bodyStart = nl < 0 ? t.length() : nl + 1;
                ParsedYaml parsed = parseYaml(yaml);
                return new SkillMd(parsed.map, parsed.error, t.substring(bodyStart), bodyStart + bom, line + 1);
            }
            if (nl < 0) {
                break;
            }
            pos = nl + 1;
            line++;
        }
        return new SkillMd(Map.of(), "the YAML front matter is not closed by a '---' line", t, bom, 0);
    }

    public Optional<Object> field(String key) {
        return Optional.ofNullable(frontMatter.get(key));
    }

    public String name() {
        return frontMatter.get("name") instanceof String s ? s : null;
    }

    public String description() {
        return frontMatter.get("description") instanceof String s ? s : null;
    }

    /** Number of lines of the body, not counting a final newline. */
    public int bodyLines() {
        return lineCount(body);
    }

    public static int lineCount(String text) {
        if (text.isEmpty()) {
            return 0;
        }
        int lines = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' && i + 1 < text.length()) {
                lines++;
            }
        }
        return lines;
    }

    private record ParsedYaml(Map<String, Object> map, String error) {
    }

    /** Deepest nesting of the front matter (the Agent Skills keys need 2: {@code metadata: {key: value}}). */
    static final int MAX_DEPTH = 20;

    /**
     * Front matters read lately: a worker checks thousands of patched SKILL.md files whose front matter is S0's, and
     * SnakeYAML took a large share of that check. Only front matters of immutable scalar values are kept (nothing in
     * a shared value can be changed), at most 64, of at most 4 KiB each.
     */
    private static final Map<String, ParsedYaml> RECENT_YAML = Collections.synchronizedMap(new LinkedHashMap<>(128, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ParsedYaml> eldest) {
            return size() > 64;
        }
    });

    /**
     * The front matter, read defensively: at most 64 K characters, {@value #MAX_DEPTH} levels deep, no duplicate keys,
     * and no alias of a mapping or list ({@code &a [*a]} builds a structure that contains itself, and every later walk
     * of it would recurse without end; a "billion laughs" document multiplies one). Scalar aliases stay allowed. A
     * document that breaks any of this is an unreadable front matter — a validation error, never a crash.
     */
    private static ParsedYaml parseYaml(String yaml) {
        ParsedYaml known = RECENT_YAML.get(yaml);
        if (known != null) {
            return known;
        }
        ParsedYaml parsed = loadYaml(yaml);
        if (yaml.length() <= 4096 && parsed.map.values().stream().allMatch(v -> v == null || v instanceof String || v instanceof Number
                || v instanceof Boolean)) {
            RECENT_YAML.put(yaml, parsed);
        }
        return parsed;
    }

    private static ParsedYaml loadYaml(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(0);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(64 * 1024);
        try {
            Object loaded = new Yaml(new SafeConstructor(options)).load(yaml);
            if (loaded == null) {
                return new ParsedYaml(Map.of(), null);
            }
            if (!(loaded instanceof Map<?, ?> map)) {
                return new ParsedYaml(Map.of(), "the front matter must be a YAML mapping, not " + loaded.getClass().getSimpleName());
            }
            Map<String, Object> result = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                result.put(String.valueOf(e.getKey()), e.getValue());
            }
            return new ParsedYaml(Collections.unmodifiableMap(result), null);
        } catch (YAMLException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            if (msg.contains("aliases for non-scalar nodes")) {
                msg = "anchors and aliases of mappings or lists are not allowed";
            }
            return new ParsedYaml(Map.of(), "the front matter is not valid YAML: " + msg);
        } catch (StackOverflowError | RuntimeException e) {
            return new ParsedYaml(Map.of(), "the front matter cannot be read: " + e.getClass().getSimpleName());
        }
    }
}
