package dev.trace2skill.model;

import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Prompt templates from {@code src/main/resources/prompts/*.md}; {@code {{name}}} placeholders are filled in. */
@ApplicationScoped
public class Prompts {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    public String render(String name, Map<String, String> values) {
        String template = cache.computeIfAbsent(name, Prompts::load);
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String key = m.group(1);
            String value = key.equals("edit_format") ? cache.computeIfAbsent("edit-format", Prompts::load) : values.get(key);
            if (value == null) {
                throw new IllegalArgumentException("prompt " + name + " needs a value for {{" + key + "}}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The version of a set of templates: the first 12 hex digits of the SHA-256 of their names and raw text (the
     * shared edit format included when one of them uses it). Recorded with what a model produced from them.
     */
    public String version(String... names) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            boolean editFormat = false;
            for (String name : names) {
                String template = cache.computeIfAbsent(name, Prompts::load);
                editFormat |= template.contains("{{edit_format}}");
                sha.update((name + "\n" + template + "\n").getBytes(StandardCharsets.UTF_8));
            }
            if (editFormat) {
                sha.update(("edit-format\n" + cache.computeIfAbsent("edit-format", Prompts::load)).getBytes(StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String load(String name) {
        String path = "/prompts/" + name + ".md";
        try (InputStream in = Prompts.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing prompt resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
