package dev.trace2skill.model;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompt templates from {@code src/main/resources/prompts/<name>.md} of the module that uses them; {@code {{name}}}
 * placeholders are filled in with the caller's values, except the shared parts kept in this module, which are
 * included by name ({@code {{edit_format}}}: {@code prompts/edit-format.md}).
 */
@ApplicationScoped
public class Prompts {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");
    /** Placeholders that stand for another prompt resource rather than a value. */
    private static final Map<String, String> SHARED = Map.of("edit_format", "edit-format");

    private final Map<String, String> templates = new ConcurrentHashMap<>();
    private final Map<String, Template> compiled = new ConcurrentHashMap<>();
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    private final Map<String, String> conversationVersions = new ConcurrentHashMap<>();

    public String render(String name, Map<String, String> values) {
        return compiled.computeIfAbsent(name, n -> Template.of(expanded(n))).fill(name, values);
    }

    public SystemMessage system(String name, Map<String, String> values) {
        return SystemMessage.from(render(name, values));
    }

    public UserMessage user(String name, Map<String, String> values) {
        return UserMessage.from(render(name, values));
    }

    /**
     * The version of a template: the first 12 hex digits of the SHA-256 of its text with the shared parts included,
     * before any value is filled in. It changes exactly when what the model is told changes, so a result can name the
     * prompt that produced it.
     */
    public String version(String name) {
        return versions.computeIfAbsent(name, n -> sha256(expanded(n)).substring(0, 12));
    }

    /** The template with the shared parts included and the caller's placeholders left in place. */
    private String expanded(String name) {
        String template = templates.computeIfAbsent(name, Prompts::load);
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String shared = SHARED.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(shared == null ? m.group() : templates.computeIfAbsent(shared, Prompts::load)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * A template split once into its literal text and its placeholders, so that filling it in is one pass that copies
     * each part (an analyst renders its prompts for every job).
     */
    private record Template(String[] literals, String[] names, int literalLength) {
        static Template of(String text) {
            java.util.List<String> literals = new java.util.ArrayList<>();
            java.util.List<String> names = new java.util.ArrayList<>();
            Matcher m = PLACEHOLDER.matcher(text);
            int at = 0;
            int length = 0;
            while (m.find()) {
                literals.add(text.substring(at, m.start()));
                length += m.start() - at;
                names.add(m.group(1));
                at = m.end();
            }
            literals.add(text.substring(at));
            length += text.length() - at;
            return new Template(literals.toArray(String[]::new), names.toArray(String[]::new), length);
        }

        String fill(String name, Map<String, String> values) {
            if (names.length == 0) {
                return literals[0];
            }
            String[] filled = new String[names.length];
            int length = literalLength;
            for (int i = 0; i < names.length; i++) {
                filled[i] = values.get(names[i]);
                if (filled[i] == null) {
                    throw new IllegalArgumentException("prompt " + name + " needs a value for {{" + names[i] + "}}");
                }
                length += filled[i].length();
            }
            StringBuilder out = new StringBuilder(length);
            for (int i = 0; i < names.length; i++) {
                out.append(literals[i]).append(filled[i]);
            }
            return out.append(literals[names.length]).toString();
        }
    }

    /**
     * The version of a conversation made of several templates (e.g. a system prompt, an input and a repair prompt): the
     * first 12 hex digits of the SHA-256 of their own versions in order. Recorded with what a model produced from them.
     */
    public String version(String first, String... more) {
        if (more.length == 0) {
            return version(first);
        }
        return conversationVersions.computeIfAbsent(first + "+" + String.join("+", more), key -> {
            StringBuilder joined = new StringBuilder(version(first));
            for (String name : more) {
                joined.append('\n').append(version(name));
            }
            return sha256(joined.toString()).substring(0, 12);
        });
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

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
