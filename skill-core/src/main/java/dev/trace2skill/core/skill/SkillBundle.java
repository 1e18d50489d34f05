package dev.trace2skill.core.skill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A skill folder: {@code SKILL.md} plus optional {@code references/}, {@code scripts/} and {@code assets/}.
 * Immutable; every change returns a new bundle. The folder name is the skill's name.
 */
public final class SkillBundle {
    public static final String SKILL_MD = "SKILL.md";

    private final String name;
    private final TreeMap<String, byte[]> files;
    /**
     * What is derived from the (immutable) content, computed once per bundle: decoded texts, the parsed SKILL.md, the
     * sections of each Markdown file and the content hash. A worker checks many patches against one S0; without this
     * it decoded and parsed S0 again for every check.
     */
    private final java.util.concurrent.ConcurrentHashMap<Object, Object> derived = new java.util.concurrent.ConcurrentHashMap<>();

    private SkillBundle(String name, TreeMap<String, byte[]> files) {
        this.name = name;
        this.files = files;
    }

    public static SkillBundle ofBytes(String folderName, Map<String, byte[]> files) {
        TreeMap<String, byte[]> copy = new TreeMap<>();
        files.forEach((path, bytes) -> {
            String p = SkillPaths.normalize(path);
            if (copy.put(p, bytes.clone()) != null) {
                throw new IllegalArgumentException("duplicate path: " + p);
            }
        });
        return new SkillBundle(folderName, copy);
    }

    /**
     * A bundle from text files, each written as UTF-8. Text that UTF-8 cannot carry as given (a lone surrogate) or
     * that no store keeps (NUL) is refused with {@link IllegalArgumentException} naming the file, never altered.
     */
    public static SkillBundle ofText(String folderName, Map<String, String> files) {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        files.forEach((path, text) -> {
            String problem = dev.trace2skill.core.text.TextRules.text(text);
            if (problem != null) {
                throw new IllegalArgumentException("file " + path + " " + problem);
            }
            bytes.put(path, text.getBytes(StandardCharsets.UTF_8));
        });
        return ofBytes(folderName, bytes);
    }

    /** Reads a skill folder from disk; the folder's own name becomes the bundle name. Symbolic links are refused. */
    public static SkillBundle readFolder(Path folder) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p)) {
                    throw new IllegalArgumentException("symbolic links are not allowed in a skill folder: " + folder.relativize(p));
                }
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(folder.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ofBytes(folder.getFileName().toString(), files);
    }

    /** Writes the bundle as {@code parent/<name>/...} and returns that folder. */
    public Path writeTo(Path parent) {
        Path root = parent.resolve(name);
        try {
            Files.createDirectories(root);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path target = root.resolve(e.getKey()).normalize();
                if (!target.startsWith(root)) {
                    throw new IllegalStateException("path escapes the skill folder: " + e.getKey());
                }
                Files.createDirectories(target.getParent());
                Files.write(target, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    public String name() {
        return name;
    }

    public Set<String> paths() {
        return Collections.unmodifiableSet(files.keySet());
    }

    public boolean has(String path) {
        return files.containsKey(path);
    }

    public byte[] bytes(String path) {
        byte[] b = files.get(path);
        if (b == null) {
            throw new NoSuchElementException("no file " + path + " in skill " + name);
        }
        return b.clone();
    }

    public int size(String path) {
        byte[] b = files.get(path);
        return b == null ? 0 : b.length;
    }

    /** True when the file decodes as UTF-8. */
    public boolean isText(String path) {
        byte[] b = files.get(path);
        if (b == null) {
            return false;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    public String text(String path) {
        byte[] b = files.get(path);
        if (b == null) {
            throw new NoSuchElementException("no file " + path + " in skill " + name);
        }
        return derived("text:" + path, bundle -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * The sections of a Markdown file at offsets into the whole file (SKILL.md's body follows its front matter); empty
     * for other files. Parsed once per bundle.
     */
    public java.util.List<Section> sections(String path) {
        return derived("sections:" + path, bundle -> {
            if (!SkillPaths.isMarkdown(path)) {
                return java.util.List.of();
            }
            if (path.equals(SKILL_MD)) {
                SkillMd md = skillMd();
                return MarkdownSections.parse(md.body()).stream().map(s -> s.shift(md.bodyOffset(), md.bodyLineOffset())).toList();
            }
            return MarkdownSections.parse(text(path));
        });
    }

    /** All text files as path → content (binary files are left out). */
    public Map<String, String> textFiles() {
        Map<String, String> out = new TreeMap<>();
        for (String p : files.keySet()) {
            if (isText(p)) {
                out.put(p, text(p));
            }
        }
        return out;
    }

    public SkillMd skillMd() {
        return derived("skill-md", bundle -> SkillMd.parse(text(SKILL_MD)));
    }

    public SkillBundle withText(String path, String content) {
        return withBytes(path, content.getBytes(StandardCharsets.UTF_8));
    }

    public SkillBundle withBytes(String path, byte[] content) {
        TreeMap<String, byte[]> copy = new TreeMap<>(files);
        copy.put(SkillPaths.normalize(path), content.clone());
        return new SkillBundle(name, copy);
    }

    public SkillBundle without(String path) {
        TreeMap<String, byte[]> copy = new TreeMap<>(files);
        copy.remove(path);
        return new SkillBundle(name, copy);
    }

    public SkillBundle renamed(String newName) {
        return new SkillBundle(newName, new TreeMap<>(files));
    }

    /**
     * The content-addressed version: SHA-256 over the folder name and every (path, bytes) pair in path order,
     * each length-prefixed so that no two different bundles share a hash input.
     */
    public String contentHash() {
        return derived("hash", SkillBundle::hash);
    }

    /**
     * A value computed from this bundle's content at most once per key and kept with the bundle (which is immutable),
     * e.g. its violations under given limits. {@code compute} must be a pure function of the content; the value is
     * shared, so it must be immutable.
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(Object key, java.util.function.Function<SkillBundle, T> compute) {
        Object known = derived.get(key);
        if (known == null) {
            known = compute.apply(this); // not inside computeIfAbsent: computing one value may need another
            Object raced = derived.putIfAbsent(key, known);
            if (raced != null) {
                known = raced;
            }
        }
        return (T) known;
    }

    private String hash() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, name.getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                update(digest, e.getKey().getBytes(StandardCharsets.UTF_8));
                update(digest, e.getValue());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest digest, byte[] bytes) {
        digest.update(ByteBuffer.allocate(8).putLong(bytes.length).array());
        digest.update(bytes);
    }

    public int totalBytes() {
        return files.values().stream().mapToInt(b -> b.length).sum();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SkillBundle other && other.contentHash().equals(contentHash());
    }

    @Override
    public int hashCode() {
        return contentHash().hashCode();
    }

    @Override
    public String toString() {
        return "SkillBundle[" + name + ", " + files.keySet() + "]";
    }
}
