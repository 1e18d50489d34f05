package dev.trace2skill.core.patch;

import dev.trace2skill.core.patch.ResolvedPatch.Splice;
import dev.trace2skill.core.patch.ResolvedPatch.Touch;
import dev.trace2skill.core.patch.ResolvedPatch.TouchKind;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillPaths;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Edit resolution: finds where each edit of a patch lands in the frozen S0 (its file, section, target text or anchor
 * line) and turns it into splices at S0's offsets, never looking at another edit's output. An edit whose target is
 * missing, ambiguous, protected or malformed is rejected with the reason; the others resolve independently.
 */
final class EditResolver {
    private static final Pattern LIST_ITEM = Pattern.compile("^\\s*([-*+]|\\d+[.)])\\s.*");
    private static final int PREVIEW = 80;

    private final PatchPolicy policy;
    private final SkillBundle base;
    private final ResolvedPatch resolved;
    private final Map<String, List<Section>> sections = new HashMap<>();
    /** Sections added so far: file + "\n" + normalised title → add_section edit index. */
    private final Map<String, Integer> addedSections = new HashMap<>();
    /** Sections that add_section edits of this patch add: file + "\n" + normalised title → edit index. */
    private final Map<String, Integer> newSections = new HashMap<>();
    /** The text most recently appended to each new section (by add_section edit index). */
    private final Map<Integer, String> lastAppended = new HashMap<>();

    private EditResolver(PatchPolicy policy, SkillBundle base, List<Edit> edits) {
        this.policy = policy;
        this.base = base;
        this.resolved = new ResolvedPatch(base, edits);
    }

    /** Resolves every edit of {@code edits} against {@code base}. */
    static ResolvedPatch resolve(PatchPolicy policy, SkillBundle base, List<Edit> edits) {
        EditResolver resolver = new EditResolver(policy, base, edits);
        resolver.collectAddedSections();
        for (int i = 0; i < edits.size(); i++) {
            resolver.resolve(i, edits.get(i));
        }
        return resolver.resolved;
    }

    private void collectAddedSections() {
        List<Edit> edits = resolved.edits;
        for (int i = 0; i < edits.size(); i++) {
            Edit e = edits.get(i);
            if (e.op() == EditOp.ADD_SECTION && e.targetSection() != null && !e.targetSection().isBlank()) {
                newSections.putIfAbsent(e.path() + "\n" + Section.normalizeTitle(e.targetSection()), i);
            }
        }
    }

    private void reject(ConflictKind kind, int edit, Integer other, String file, String message) {
        resolved.reject(kind, edit, other, file, message);
    }

    private void resolve(int i, Edit e) {
        if (e.op() == null) {
            reject(ConflictKind.INVALID_EDIT, i, null, e.path(), "op is required");
            return;
        }
        String path;
        try {
            path = SkillPaths.normalize(e.path());
        } catch (IllegalArgumentException ex) {
            reject(ConflictKind.INVALID_EDIT, i, null, e.path(), "invalid file: " + ex.getMessage());
            return;
        }
        if (policy.isProtected(path)) {
            reject(ConflictKind.PROTECTED_FILE, i, null, path, path + " is protected and may not be edited");
            return;
        }
        switch (e.op()) {
            case CREATE -> resolveCreate(i, e, path);
            case DELETE_FILE -> resolveDeleteFile(i, path);
            default -> resolveTextEdit(i, e, path);
        }
    }

    private void resolveCreate(int i, Edit e, String path) {
        int slash = path.indexOf('/');
        if (slash < 0 || !SkillPaths.RESOURCE_DIRS.contains(path.substring(0, slash))) {
            reject(ConflictKind.INVALID_EDIT, i, null, path, "create may only add files under references/, scripts/ or assets/");
            return;
        }
        if (e.content() == null) {
            reject(ConflictKind.INVALID_EDIT, i, null, path, "create needs content");
            return;
        }
        if (base.has(path)) {
            reject(ConflictKind.FILE_EXISTS, i, null, path, path + " already exists; edit it instead of creating it");
            return;
        }
        Integer other = resolved.creations.get(path);
        if (other != null) {
            reject(ConflictKind.FILE_EXISTS, i, other, path, "edits " + other + " and " + i + " both create " + path);
            return;
        }
        resolved.creations.put(path, i);
        resolved.createdContent.put(path, e.content());
    }

    private void resolveDeleteFile(int i, String path) {
        if (path.equals(SkillBundle.SKILL_MD)) {
            reject(ConflictKind.INVALID_EDIT, i, null, path, "SKILL.md cannot be deleted");
            return;
        }
        if (!base.has(path)) {
            reject(ConflictKind.FILE_NOT_FOUND, i, null, path, path + " does not exist");
            return;
        }
        resolved.deletions.put(path, i);
        resolved.touches.add(new Touch(i, path, 0, Integer.MAX_VALUE, TouchKind.WHOLE_FILE));
    }

    private void resolveTextEdit(int i, Edit e, String path) {
        if (!base.has(path)) {
            String hint = resolved.creations.containsKey(path) ? "; a file created by the same patch cannot be edited: put the text in the create's content" : "";
            reject(ConflictKind.FILE_NOT_FOUND, i, null, path, path + " does not exist" + hint);
            return;
        }
        if (!base.isText(path)) {
            reject(ConflictKind.INVALID_EDIT, i, null, path, path + " is not a text file");
            return;
        }
        String text = resolved.baseText(path);
        EditOp op = e.op();
        boolean hasText = e.targetText() != null && !e.targetText().isEmpty();
        boolean hasSection = e.targetSection() != null && !e.targetSection().isBlank();
        if (!hasRequiredFields(i, e, path, hasText, hasSection)) {
            return;
        }
        if (op == EditOp.ADD_SECTION) {
            resolveAddSection(i, e, path, text);
            return;
        }
        Section section = null;
        if (op == EditOp.APPEND_TO_SECTION && appendToNewSection(i, e, path, text)) {
            return;
        }
        if (hasSection) {
            section = findSection(i, path, e.targetSection());
            if (section == null) {
                return;
            }
        }
        int scopeStart = section == null ? 0 : section.start();
        int scopeEnd = section == null ? text.length() : section.end();
        int[] match = null;
        if (hasText) {
            match = findUnique(i, path, text, e.targetText(), scopeStart, scopeEnd, e.targetSection());
            if (match == null) {
                return;
            }
        }
        switch (op) {
            case INSERT_AFTER -> {
                int p;
                if (match != null) {
                    p = lineEndAfter(text, match[1] - 1);
                    resolved.touches.add(new Touch(i, path, match[0], match[1], TouchKind.READ));
                } else {
                    p = section.headingEnd();
                    resolved.touches.add(new Touch(i, path, section.start(), section.headingEnd(), TouchKind.READ));
                }
                resolved.addSplice(path, new Splice(i, p, p, (needsNewlineAt(text, p) ? "\n" : "") + block(e.content())));
            }
            case INSERT_BEFORE -> {
                int p = match != null ? lineStart(text, match[0]) : section.start();
                resolved.touches.add(match != null ? new Touch(i, path, match[0], match[1], TouchKind.READ)
                        : new Touch(i, path, section.start(), section.headingEnd(), TouchKind.READ));
                resolved.addSplice(path, new Splice(i, p, p, block(e.content())));
            }
            case APPEND_TO_SECTION -> appendToSection(i, e, path, text, section);
            case REPLACE_IN_SECTION -> {
                resolved.touches.add(new Touch(i, path, match[0], match[1], TouchKind.REMOVE));
                resolved.addSplice(path, new Splice(i, match[0], match[1], e.content()));
            }
            case DELETE_SECTION -> {
                resolved.touches.add(new Touch(i, path, section.start(), section.end(), TouchKind.REMOVE));
                resolved.addSplice(path, new Splice(i, section.start(), section.end(), ""));
            }
            default -> throw new IllegalStateException(op.toString());
        }
    }

    /** Whether the edit carries the content and targets its op needs; rejects it with the reason otherwise. */
    private boolean hasRequiredFields(int i, Edit e, String path, boolean hasText, boolean hasSection) {
        EditOp op = e.op();
        if (op != EditOp.DELETE_SECTION && e.content() == null) {
            reject(ConflictKind.INVALID_EDIT, i, null, path, op.wire() + " needs content");
            return false;
        }
        switch (op) {
            case INSERT_AFTER, INSERT_BEFORE -> {
                if (!hasText && !hasSection) {
                    reject(ConflictKind.INVALID_EDIT, i, null, path, op.wire() + " needs target_text or target_section");
                    return false;
                }
                if (e.content().isBlank()) {
                    reject(ConflictKind.INVALID_EDIT, i, null, path, op.wire() + " needs non-blank content");
                    return false;
                }
            }
            case APPEND_TO_SECTION, DELETE_SECTION, ADD_SECTION -> {
                if (!hasSection) {
                    reject(ConflictKind.INVALID_EDIT, i, null, path, op.wire() + " needs target_section");
                    return false;
                }
            }
            case REPLACE_IN_SECTION -> {
                if (!hasText) {
                    reject(ConflictKind.INVALID_EDIT, i, null, path, "replace_in_section needs target_text");
                    return false;
                }
            }
            default -> throw new IllegalStateException(op.toString());
        }
        return true;
    }

    /**
     * After the last non-blank line of the section's own text, before any subsection; a blank line separates it,
     * except between list items.
     */
    private void appendToSection(int i, Edit e, String path, String text, Section section) {
        int bodyStart = section.headingEnd();
        int end = section.ownEnd();
        int last = end;
        while (last > bodyStart && Character.isWhitespace(text.charAt(last - 1))) {
            last--;
        }
        String prefix = "";
        int q;
        boolean hasContent = last > bodyStart;
        if (hasContent) {
            int nl = text.indexOf('\n', last);
            q = nl >= 0 ? nl + 1 : text.length();
        } else {
            q = bodyStart;
        }
        if (needsNewlineAt(text, q)) {
            prefix = "\n";
        }
        String previousLine = hasContent ? text.substring(lineStart(text, last - 1), last) : "";
        boolean listContinuation = hasContent && LIST_ITEM.matcher(previousLine).matches()
                && LIST_ITEM.matcher(firstLine(e.content())).matches();
        if (!listContinuation) {
            prefix += "\n";
        }
        String suffix = q < text.length() && q == end ? "\n" : "";
        resolved.touches.add(new Touch(i, path, section.start(), section.headingEnd(), TouchKind.READ));
        resolved.touches.add(new Touch(i, path, q, q, TouchKind.POINT));
        resolved.addSplice(path, new Splice(i, q, q, prefix + block(e.content()) + suffix));
    }

    /** An append into a section that an add_section of the same patch creates lands right after that section. */
    private boolean appendToNewSection(int i, Edit e, String path, String text) {
        String wanted = Section.normalizeTitle(e.targetSection());
        Integer add = newSections.get(path + "\n" + wanted);
        if (add == null || sectionsOf(path).stream().anyMatch(s -> Section.normalizeTitle(s.title()).equals(wanted))) {
            return false;
        }
        String addedContent = resolved.edits.get(add).content();
        String before = lastAppended.getOrDefault(add, addedContent == null ? "" : addedContent);
        String lastLine = before.isBlank() ? "" : before.strip().lines().reduce((a, b) -> b).orElse("");
        lastAppended.put(add, e.content());
        boolean listContinuation = LIST_ITEM.matcher(lastLine).matches() && LIST_ITEM.matcher(firstLine(e.content())).matches();
        resolved.dependsOn.put(i, add);
        resolved.addSplice(path, new Splice(i, text.length(), text.length(),
                (listContinuation ? "" : "\n") + block(e.content()), add, true));
        return true;
    }

    /** A new section (level 2 unless written as {@code ### Title}) at the end of the file. */
    private void resolveAddSection(int i, Edit e, String path, String text) {
        String wanted = Section.normalizeTitle(e.targetSection());
        for (Section s : sectionsOf(path)) {
            if (Section.normalizeTitle(s.title()).equals(wanted)) {
                reject(ConflictKind.SECTION_EXISTS, i, null, path, "a section titled '" + s.title() + "' already exists in " + path);
                return;
            }
        }
        Integer other = addedSections.putIfAbsent(path + "\n" + wanted, i);
        if (other != null) {
            reject(ConflictKind.SECTION_EXISTS, i, other, path, "edits " + other + " and " + i + " both add the section '" + e.targetSection().strip() + "'");
            return;
        }
        String heading = e.targetSection().strip();
        int level = 0;
        while (level < heading.length() && heading.charAt(level) == '#') {
            level++;
        }
        String title = heading.substring(level).strip();
        level = level == 0 ? 2 : level;
        String content = e.content();
        String first = firstLine(content.stripLeading());
        String sectionText;
        if (first.startsWith("#") && Section.normalizeTitle(first).equals(wanted)) {
            sectionText = block(content.stripLeading());
        } else {
            sectionText = "#".repeat(level) + " " + title + "\n" + (content.isBlank() ? "" : "\n" + block(content));
        }
        String prefix = text.isEmpty() || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
        resolved.addSplice(path, new Splice(i, text.length(), text.length(), prefix + sectionText));
    }

    private Section findSection(int i, String path, String targetSection) {
        String wanted = Section.normalizeTitle(targetSection);
        List<Section> all = sectionsOf(path);
        List<Section> found = all.stream().filter(s -> Section.normalizeTitle(s.title()).equals(wanted)).toList();
        if (found.isEmpty()) {
            reject(ConflictKind.SECTION_NOT_FOUND, i, null, path, "no section titled '" + targetSection.strip() + "' in " + path
                    + "; its sections are " + all.stream().map(Section::title).toList());
            return null;
        }
        if (found.size() > 1) {
            reject(ConflictKind.SECTION_AMBIGUOUS, i, null, path, found.size() + " sections are titled '" + targetSection.strip() + "' in " + path);
            return null;
        }
        return found.get(0);
    }

    /** S0's sections of a Markdown file, at offsets into the whole file (SKILL.md's body follows its front matter). */
    private List<Section> sectionsOf(String path) {
        return sections.computeIfAbsent(path, base::sections);
    }

    /** The one occurrence of {@code target} in {@code [from, to)}, as {@code {start, end}}; rejects the edit otherwise. */
    private int[] findUnique(int i, String path, String text, String target, int from, int to, String section) {
        String where = section == null ? path : "section '" + section.strip() + "' of " + path;
        int first = indexIn(text, target, from, to);
        if (first < 0) {
            reject(ConflictKind.TARGET_NOT_FOUND, i, null, path, "target_text not found in " + where + ": \"" + preview(target) + "\"");
            return null;
        }
        int count = 1;
        int next = first;
        while ((next = indexIn(text, target, next + 1, to)) >= 0) {
            count++;
        }
        if (count > 1) {
            reject(ConflictKind.TARGET_AMBIGUOUS, i, null, path, "target_text occurs " + count + " times in " + where
                    + "; quote more of it so it matches once: \"" + preview(target) + "\"");
            return null;
        }
        return new int[]{first, first + target.length()};
    }

    private static int indexIn(String text, String target, int from, int to) {
        int idx = text.indexOf(target, from);
        return idx >= 0 && idx + target.length() <= to ? idx : -1;
    }

    private static int lineStart(String text, int offset) {
        return offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
    }

    /** Offset just after the line containing {@code offset} (after its newline, or the text's end). */
    private static int lineEndAfter(String text, int offset) {
        int nl = text.indexOf('\n', Math.max(0, offset));
        return nl < 0 ? text.length() : nl + 1;
    }

    private static boolean needsNewlineAt(String text, int p) {
        return p > 0 && p == text.length() && text.charAt(p - 1) != '\n';
    }

    private static String block(String content) {
        return content.isEmpty() || content.endsWith("\n") ? content : content + "\n";
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static String preview(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() <= PREVIEW ? one : one.substring(0, PREVIEW) + "…";
    }
}
