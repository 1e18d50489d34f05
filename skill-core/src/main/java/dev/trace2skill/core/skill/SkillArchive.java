package dev.trace2skill.core.skill;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.HexFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Zip archives of skill folders, read defensively from the central directory: path traversal, absolute paths,
 * symbolic links, too many entries and too many uncompressed bytes (zip bombs) are refused with
 * {@link InvalidArchiveException}, before and while decompressing.
 */
public final class SkillArchive {

    /**
     * @param maxEntries           most files in one archive
     * @param maxUncompressedBytes most bytes after decompression, all files together
     * @param maxRatio             most uncompressed/compressed ratio of one entry beyond 1 MiB
     */
    public record Limits(int maxEntries, long maxUncompressedBytes, int maxRatio) {
        public static final Limits DEFAULT = new Limits(1_000, 20L * 1024 * 1024, 100);
    }

    public static final class InvalidArchiveException extends RuntimeException {
        private final String entry;
        private final int status;

        public InvalidArchiveException(String entry, String message) {
            this(entry, message, message.contains("zip bomb") ? 413 : 400);
        }

        public InvalidArchiveException(String entry, String message, int status) {
            super(message);
            this.entry = entry;
            this.status = status;
        }

        /** The archive entry at fault, or null. */
        public String entry() {
            return entry;
        }

        /** The HTTP status the refusal maps to: 413 for a zip bomb, 422 for a name that is not UTF-8, else 400. */
        public int status() {
            return status;
        }
    }

    private SkillArchive() {
    }

    /**
     * Reads a zip of a skill folder. Entries may sit under one top-level folder (its name is then the skill
     * name) or at the root (then {@code fallbackName}, or else the front matter's name, is used).
     */
    public static SkillBundle read(byte[] zip, String fallbackName, Limits limits) {
        Map<String, byte[]> raw = new LinkedHashMap<>();
        try (ZipFile file = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
            List<ZipArchiveEntry> entries = Collections.list(file.getEntries());
            if (entries.size() > limits.maxEntries()) {
                throw new InvalidArchiveException(null, "the archive has " + entries.size() + " entries; at most " + limits.maxEntries() + " are allowed");
            }
            long declared = 0;
            for (ZipArchiveEntry entry : entries) {
                checkEntry(entry);
                if (entry.getSize() > 0) {
                    declared += entry.getSize();
                }
            }
            if (declared > limits.maxUncompressedBytes()) {
                throw new InvalidArchiveException(null, "the archive declares " + declared + " uncompressed bytes; at most "
                        + limits.maxUncompressedBytes() + " are allowed (zip bomb?)");
            }
            long total = 0;
            for (ZipArchiveEntry entry : entries) {
                if (entry.isDirectory()) {
                    continue;
                }
                String path = SkillPaths.normalize(entry.getName());
                byte[] content;
                try (InputStream in = file.getInputStream(entry)) {
                    content = readBounded(in, limits, total, entry);
                }
                total += content.length;
                if (raw.put(path, content) != null) {
                    throw new InvalidArchiveException(entry.getName(), "duplicate entry: " + entry.getName());
                }
            }
        } catch (IOException e) {
            throw new InvalidArchiveException(null, "not a readable zip archive: " + e.getMessage());
        }
        if (raw.isEmpty()) {
            throw new InvalidArchiveException(null, "the archive holds no files");
        }
        return toBundle(raw, fallbackName);
    }

    private static void checkEntry(ZipArchiveEntry entry) {
        String name = entry.getName();
        if (entry.getNameSource() != ZipArchiveEntry.NameSource.UNICODE_EXTRA_FIELD && !utf8(entry.getRawName())) {
            // decoding would replace the bad bytes and store a name the archive does not hold: refused, not altered
            throw new InvalidArchiveException(name, "the entry name " + HexFormat.of().formatHex(entry.getRawName())
                    + " (hex) is not valid UTF-8: zip the folder with UTF-8 file names", 422);
        }
        if (entry.isUnixSymlink()) {
            throw new InvalidArchiveException(name, "symbolic links are not allowed: " + name);
        }
        String path = entry.isDirectory() && name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        try {
            SkillPaths.normalize(path);
        } catch (IllegalArgumentException e) {
            throw new InvalidArchiveException(name, "unsafe entry name: " + e.getMessage());
        }
    }

    private static boolean utf8(byte[] raw) {
        if (raw == null) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static SkillBundle toBundle(Map<String, byte[]> raw, String fallbackName) {
        if (raw.containsKey(SkillBundle.SKILL_MD)) {
            String name = fallbackName;
            if (name == null) {
                SkillMd md = SkillMd.parse(new String(raw.get(SkillBundle.SKILL_MD), StandardCharsets.UTF_8));
                name = md.name() == null ? "skill" : md.name();
            }
            return SkillBundle.ofBytes(name, raw);
        }
        String top = null;
        for (String p : raw.keySet()) {
            int slash = p.indexOf('/');
            String first = slash < 0 ? "" : p.substring(0, slash);
            if (first.isEmpty() || (top != null && !top.equals(first))) {
                throw new InvalidArchiveException(p, "the archive must hold SKILL.md at its root or inside one top-level folder");
            }
            top = first;
        }
        Map<String, byte[]> inner = new LinkedHashMap<>();
        String prefix = top + "/";
        raw.forEach((p, b) -> inner.put(p.substring(prefix.length()), b));
        return SkillBundle.ofBytes(top, inner);
    }

    private static byte[] readBounded(InputStream in, Limits limits, long alreadyRead, ZipArchiveEntry entry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        long read = 0;
        long compressed = Math.max(1, entry.getCompressedSize());
        int n;
        while ((n = in.read(buf)) > 0) {
            read += n;
            if (alreadyRead + read > limits.maxUncompressedBytes()) {
                throw new InvalidArchiveException(entry.getName(), "the archive expands beyond " + limits.maxUncompressedBytes()
                        + " uncompressed bytes (zip bomb?)");
            }
            if (read > 1024 * 1024 && read / compressed > limits.maxRatio()) {
                throw new InvalidArchiveException(entry.getName(), "the entry expands more than " + limits.maxRatio()
                        + " times its compressed size (zip bomb?)");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Writes the bundle as a zip whose entries sit under the folder {@code <name>/}; timestamps are fixed for reproducibility. */
    public static byte[] write(SkillBundle bundle) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (String path : bundle.paths()) {
                ZipEntry e = new ZipEntry(bundle.name() + "/" + path);
                e.setTime(0L);
                out.putNextEntry(e);
                out.write(bundle.bytes(path));
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
