package dev.trace2skill.core.patch;

import dev.trace2skill.core.skill.MarkdownSections;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;
import dev.trace2skill.core.skill.SkillMd;
import dev.trace2skill.core.skill.SkillPaths;
import dev.trace2skill.core.skill.SkillValidator;
import dev.trace2skill.core.skill.Violation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies a patch to a skill programmatically, and finds every reason it cannot be applied.
 *
 * <p>Every edit is resolved against the unchanged base (the frozen S0), never against another edit's output:
 * <ul>
 *   <li>{@code insert_after} / {@code insert_before}: the content's lines go right after the line where
 *       {@code target_text} ends / right before the line where it starts; without {@code target_text}, after / before
 *       the heading line of {@code target_section}.</li>
 *   <li>{@code append_to_section}: after the last non-blank line of the section's own text, before any subsection
 *       (a blank line separates it, except between list items).</li>
 *   <li>{@code replace_in_section}: the exact {@code target_text} inside the section (or the file) becomes
 *       {@code content}.</li>
 *   <li>{@code add_section}: a new section {@code target_section} (level 2 unless written as {@code ### Title}) at the
 *       end of the file.</li>
 *   <li>{@code delete_section}: the heading and everything up to the next heading of the same or a higher level.</li>
 *   <li>{@code create} / {@code delete_file}: whole files under {@code references/}, {@code scripts/} or {@code assets/}.</li>
 * </ul>
 * A target must match exactly once in its scope. Two edits conflict when one removes text the other touches.
 */
public final class PatchApplier {
    private static final Pattern LIST_ITEM = Pattern.compile("^\\s*([-*+]|\\d+[.)])\\s.*");
    private static final Pattern REFERENCE_LINK = Pattern.compile("(?<![A-Za-z0-9_./-])references/[A-Za-z0-9_./-]*[A-Za-z0-9_-]");
    private static final int PREVIEW = 80;

    private final PatchPolicy policy;
    private final SkillValidator validator;

    public PatchApplier(PatchPolicy policy) {
        this.policy = policy;
        this.validator = new SkillValidator(policy.limits());
    }

    public PatchPolicy policy() {
        return policy;
    }

    /**
     * @param skill     the result, or null when there is any conflict
     * @param conflicts every reason the patch cannot be applied (empty when it applies cleanly)
     * @param spans     where each edit's new text landed in the result
     */
    public record Result(SkillBundle skill, List<Conflict> conflicts, List<EditSpan> spans) {
        public boolean ok() {
            return conflicts.isEmpty();
        }

        /** Indexes of the edits named by at least one conflict. */
        public Set<Integer> conflictingEdits() {
            Set<Integer> out = new TreeSet<>();
            for (Conflict c : conflicts) {
                if (c.edit() != null) {
                    out.add(c.edit());
                }
                if (c.otherEdit() != null) {
                    out.add(c.otherEdit());
                }
            }
            return out;
        }
    }

    public List<Conflict> check(SkillBundle base, Patch patch) {
        return apply(base, patch).conflicts();
    }

    public Result apply(SkillBundle base, Patch patch) {
        Resolution r = new Resolution(base);
        List<Edit> edits = patch.edits();
        r.collectAddedSections(edits);
        for (int i = 0; i < edits.size(); i++) {
            r.resolve(i, edits.get(i));
        }
        r.checkDependencies();
        r.checkOverlaps();
        SkillBundle result = r.build();
        r.checkResult(result);
        List<Conflict> conflicts = List.copyOf(r.conflicts);
        return new Result(conflicts.isEmpty() ? result : null, conflicts, List.copyOf(r.spans));
    }

    private enum TouchKind { REMOVE, READ, POINT, WHOLE_FILE }

    private record Touch(int edit, String file, int start, int end, TouchKind kind) {
    }

    /**
     * A text change at original offsets. Splices at the same offset are ordered by {@code order} (the edit that
     * anchors them), then sections before the items appended to them, then edit index.
     */
    private record Splice(int edit, int start, int end, String text, int order, boolean dependent) {
        Splice(int edit, int start, int end, String text) {
            this(edit, start, end, text, edit, false);
        }
    }

    private final class Resolution {
        final SkillBundle base;
        final List<Conflict> conflicts = new ArrayList<>();
        final Set<Integer> failed = new HashSet<>();
        final Map<String, String> texts = new HashMap<>();
        final Map<String, List<Section>> sections = new HashMap<>();
        final List<Touch> touches = new ArrayList<>();
        final Map<String, List<Splice>> splices = new LinkedHashMap<>();
        final Map<String, Integer> creations = new LinkedHashMap<>();
        final Map<String, String> createdContent = new HashMap<>();
        final Map<String, Integer> deletions = new LinkedHashMap<>();
        final Map<String, Integer> addedSections = new HashMap<>();
        final List<EditSpan> spans = new ArrayList<>();
        final List<Edit> edits = new ArrayList<>();
        /** Sections that add_section edits of this patch add: file + "\n" + normalised title → edit index. */
        final Map<String, Integer> newSections = new HashMap<>();
        /** append_to_section edits into a new section → the add_section edit they depend on. */
        final Map<Integer, Integer> dependsOn = new HashMap<>();
        /** The text most recently appended to each new section (by add_section edit index). */
        final Map<Integer, String> lastAppended = new HashMap<>();
        List<Edit> all = List.of();

        void collectAddedSections(List<Edit> patchEdits) {
            all = patchEdits;
            for (int i = 0; i < patchEdits.size(); i++) {
                Edit e = patchEdits.get(i);
                if (e.op() == EditOp.ADD_SECTION && e.targetSection() != null && !e.targetSection().isBlank()) {
                    newSections.putIfAbsent(e.path() + "\n" + Section.normalizeTitle(e.targetSection()), i);
                }
            }
        }

        void checkDependencies() {
            dependsOn.forEach((append, add) -> {
                if (failed.contains(add) && !failed.contains(append)) {
                    conflict(ConflictKind.SECTION_NOT_FOUND, append, add, edits.get(append).path(), "edit " + append
                            + " appends to the section added by edit " + add + ", which cannot be applied");
                }
            });
        }

        Resolution(SkillBundle base) {
            this.base = base;
        }

        void conflict(ConflictKind kind, int edit, Integer other, String file, String message) {
            conflicts.add(new Conflict(kind, edit, other, file, message));
            failed.add(edit);
        }

        void resolve(int i, Edit e) {
            edits.add(e);
            if (e.op() == null) {
                conflict(ConflictKind.INVALID_EDIT, i, null, e.path(), "op is required");
                return;
            }
            String path;
            try {
                path = SkillPaths.normalize(e.path());
            } catch (IllegalArgumentException ex) {
                conflict(ConflictKind.INVALID_EDIT, i, null, e.path(), "invalid file: " + ex.getMessage());
                return;
            }
            if (policy.isProtected(path)) {
                conflict(ConflictKind.PROTECTED_FILE, i, null, path, path + " is protected and may not be edited");
                return;
            }
            switch (e.op()) {
                case CREATE -> resolveCreate(i, e, path);
                case DELETE_FILE -> resolveDeleteFile(i, path);
                default -> resolveTextEdit(i, e, path);
            }
        }

        void resolveCreate(int i, Edit e, String path) {
            int slash = path.indexOf('/');
            if (slash < 0 || !SkillPaths.RESOURCE_DIRS.contains(path.substring(0, slash))) {
                conflict(ConflictKind.INVALID_EDIT, i, null, path, "create may only add files under references/, scripts/ or assets/");
                return;
            }
            if (e.content() == null) {
                conflict(ConflictKind.INVALID_EDIT, i, null, path, "create needs content");
                return;
            }
            if (base.has(path)) {
                conflict(ConflictKind.FILE_EXISTS, i, null, path, path + " already exists; edit it instead of creating it");
                return;
            }
            Integer other = creations.get(path);
            if (other != null) {
                conflict(ConflictKind.FILE_EXISTS, i, other, path, "edits " + other + " and " + i + " both create " + path);
                return;
            }
            creations.put(path, i);
            createdContent.put(path, e.content());
        }

        void resolveDeleteFile(int i, String path) {
            if (path.equals(SkillBundle.SKILL_MD)) {
                conflict(ConflictKind.INVALID_EDIT, i, null, path, "SKILL.md cannot be deleted");
                return;
            }
            if (!base.has(path)) {
                conflict(ConflictKind.FILE_NOT_FOUND, i, null, path, path + " does not exist");
                return;
            }
            deletions.put(path, i);
            touches.add(new Touch(i, path, 0, Integer.MAX_VALUE, TouchKind.WHOLE_FILE));
        }

        void resolveTextEdit(int i, Edit e, String path) {
            if (!base.has(path)) {
                String hint = creations.containsKey(path) ? "; a file created by the same patch cannot be edited: put the text in the create's content" : "";
                conflict(ConflictKind.FILE_NOT_FOUND, i, null, path, path + " does not exist" + hint);
                return;
            }
            if (!base.isText(path)) {
                conflict(ConflictKind.INVALID_EDIT, i, null, path, path + " is not a text file");
                return;
            }
            String text = texts.computeIfAbsent(path, base::text);
            EditOp op = e.op();
            boolean hasText = e.targetText() != null && !e.targetText().isEmpty();
            boolean hasSection = e.targetSection() != null && !e.targetSection().isBlank();
            if (op != EditOp.DELETE_SECTION && e.content() == null) {
                conflict(ConflictKind.INVALID_EDIT, i, null, path, op.wire() + " needs content");
                return;
            }
            switch (op) {
                case INSERT_AFTER, INSERT_BEFORE -> {
                    if (!hasText && !hasSection) {
                        conflict(ConflictKind.INVALID_EDIT, i, null, path, op.wire() + " needs target_text or target_section");
                        return;
                    }
                    if (e.content().isBlank()) {
                        conflict(ConflictKind.INVALID_EDIT, i, null, path, op.wire() + " needs non-blank content");
                        return;
                    }
                }
                case APPEND_TO_SECTION, DELETE_SECTION, ADD_SECTION -> {
                    if (!hasSection) {
                        conflict(ConflictKind.INVALID_EDIT, i, null, path, op.wire() + " needs target_section");
                        return;
                    }
                }
                case REPLACE_IN_SECTION -> {
                    if (!hasText) {
                        conflict(ConflictKind.INVALID_EDIT, i, null, path, "replace_in_section needs target_text");
                        return;
                    }
                }
                default -> throw new IllegalStateException(op.toString());
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
                        touches.add(new Touch(i, path, match[0], match[1], TouchKind.READ));
                    } else {
                        p = section.headingEnd();
                        touches.add(new Touch(i, path, section.start(), section.headingEnd(), TouchKind.READ));
                    }
                    addSplice(path, i, p, p, (needsNewlineAt(text, p) ? "\n" : "") + block(e.content()));
                }
                case INSERT_BEFORE -> {
                    int p = match != null ? lineStart(text, match[0]) : section.start();
                    touches.add(match != null ? new Touch(i, path, match[0], match[1], TouchKind.READ)
                            : new Touch(i, path, section.start(), section.headingEnd(), TouchKind.READ));
                    addSplice(path, i, p, p, block(e.content()));
                }
                case APPEND_TO_SECTION -> appendToSection(i, e, path, text, section);
                case REPLACE_IN_SECTION -> {
                    touches.add(new Touch(i, path, match[0], match[1], TouchKind.REMOVE));
                    addSplice(path, i, match[0], match[1], e.content());
                }
                case DELETE_SECTION -> {
                    touches.add(new Touch(i, path, section.start(), section.end(), TouchKind.REMOVE));
                    addSplice(path, i, section.start(), section.end(), "");
                }
                default -> throw new IllegalStateException(op.toString());
            }
        }

        void appendToSection(int i, Edit e, String path, String text, Section section) {
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
            touches.add(new Touch(i, path, section.start(), section.headingEnd(), TouchKind.READ));
            touches.add(new Touch(i, path, q, q, TouchKind.POINT));
            addSplice(path, i, q, q, prefix + block(e.content()) + suffix);
        }

        /** An append into a section that an add_section of the same patch creates lands right after that section. */
        boolean appendToNewSection(int i, Edit e, String path, String text) {
            String wanted = Section.normalizeTitle(e.targetSection());
            Integer add = newSections.get(path + "\n" + wanted);
            if (add == null || sectionsOf(path).stream().anyMatch(s -> Section.normalizeTitle(s.title()).equals(wanted))) {
                return false;
            }
            String before = lastAppended.getOrDefault(add, all.get(add).content() == null ? "" : all.get(add).content());
            String lastLine = before.isBlank() ? "" : before.strip().lines().reduce((a, b) -> b).orElse("");
            lastAppended.put(add, e.content());
            boolean listContinuation = LIST_ITEM.matcher(lastLine).matches() && LIST_ITEM.matcher(firstLine(e.content())).matches();
            dependsOn.put(i, add);
            splices.computeIfAbsent(path, k -> new ArrayList<>()).add(new Splice(i, text.length(), text.length(),
                    (listContinuation ? "" : "\n") + block(e.content()), add, true));
            return true;
        }

        void resolveAddSection(int i, Edit e, String path, String text) {
            String wanted = Section.normalizeTitle(e.targetSection());
            for (Section s : sectionsOf(path)) {
                if (Section.normalizeTitle(s.title()).equals(wanted)) {
                    conflict(ConflictKind.SECTION_EXISTS, i, null, path, "a section titled '" + s.title() + "' already exists in " + path);
                    return;
                }
            }
            Integer other = addedSections.putIfAbsent(path + "\n" + wanted, i);
            if (other != null) {
                conflict(ConflictKind.SECTION_EXISTS, i, other, path, "edits " + other + " and " + i + " both add the section '" + e.targetSection().strip() + "'");
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
            addSplice(path, i, text.length(), text.length(), prefix + sectionText);
        }

        Section findSection(int i, String path, String targetSection) {
            String wanted = Section.normalizeTitle(targetSection);
            List<Section> all = sectionsOf(path);
            List<Section> found = all.stream().filter(s -> Section.normalizeTitle(s.title()).equals(wanted)).toList();
            if (found.isEmpty()) {
                conflict(ConflictKind.SECTION_NOT_FOUND, i, null, path, "no section titled '" + targetSection.strip() + "' in " + path
                        + "; its sections are " + all.stream().map(Section::title).toList());
                return null;
            }
            if (found.size() > 1) {
                conflict(ConflictKind.SECTION_AMBIGUOUS, i, null, path, found.size() + " sections are titled '" + targetSection.strip() + "' in " + path);
                return null;
            }
            return found.get(0);
        }

        List<Section> sectionsOf(String path) {
            return sections.computeIfAbsent(path, p -> {
                if (!SkillPaths.isMarkdown(p)) {
                    return List.of();
                }
                String text = texts.computeIfAbsent(p, base::text);
                if (p.equals(SkillBundle.SKILL_MD)) {
                    SkillMd md = SkillMd.parse(text);
                    return MarkdownSections.parse(md.body()).stream()
                            .map(s -> s.shift(md.bodyOffset(), md.bodyLineOffset())).toList();
                }
                return MarkdownSections.parse(text);
            });
        }

        int[] findUnique(int i, String path, String text, String target, int from, int to, String section) {
            String where = section == null ? path : "section '" + section.strip() + "' of " + path;
            int first = indexIn(text, target, from, to);
            if (first < 0) {
                conflict(ConflictKind.TARGET_NOT_FOUND, i, null, path, "target_text not found in " + where + ": \"" + preview(target) + "\"");
                return null;
            }
            int count = 1;
            int next = first;
            while ((next = indexIn(text, target, next + 1, to)) >= 0) {
                count++;
            }
            if (count > 1) {
                conflict(ConflictKind.TARGET_AMBIGUOUS, i, null, path, "target_text occurs " + count + " times in " + where
                        + "; quote more of it so it matches once: \"" + preview(target) + "\"");
                return null;
            }
            return new int[]{first, first + target.length()};
        }

        void addSplice(String path, int edit, int start, int end, String text) {
            splices.computeIfAbsent(path, k -> new ArrayList<>()).add(new Splice(edit, start, end, text));
        }

        void checkOverlaps() {
            for (int a = 0; a < touches.size(); a++) {
                for (int b = a + 1; b < touches.size(); b++) {
                    Touch x = touches.get(a);
                    Touch y = touches.get(b);
                    if (x.edit() == y.edit() || !x.file().equals(y.file())) {
                        continue;
                    }
                    if (overlaps(x, y) || overlaps(y, x)) {
                        String what = x.kind() == TouchKind.WHOLE_FILE || y.kind() == TouchKind.WHOLE_FILE
                                ? "one deletes " + x.file() + " which the other edits"
                                : "they touch overlapping text in " + x.file();
                        int first = Math.min(x.edit(), y.edit());
                        int second = Math.max(x.edit(), y.edit());
                        boolean seen = conflicts.stream().anyMatch(c -> c.kind() == ConflictKind.OVERLAPPING_EDITS
                                && Objects.equals(c.edit(), first) && Objects.equals(c.otherEdit(), second));
                        if (!seen) {
                            conflict(ConflictKind.OVERLAPPING_EDITS, first, second, x.file(), "edits " + first + " ("
                                    + edits.get(first).describe() + ") and " + second + " (" + edits.get(second).describe() + ") conflict: " + what);
                            failed.add(second);
                        }
                    }
                }
            }
        }

        /** True when {@code r} removes text that {@code t} touches. */
        boolean overlaps(Touch r, Touch t) {
            if (r.kind() == TouchKind.WHOLE_FILE) {
                return true;
            }
            if (r.kind() != TouchKind.REMOVE) {
                return false;
            }
            if (t.kind() == TouchKind.POINT) {
                return r.start() < t.start() && t.start() < r.end();
            }
            return r.start() < t.end() && t.start() < r.end();
        }

        SkillBundle build() {
            SkillBundle result = base;
            for (Map.Entry<String, List<Splice>> entry : splices.entrySet()) {
                String path = entry.getKey();
                List<Splice> valid = entry.getValue().stream().filter(s -> !failed.contains(s.edit())).toList();
                if (!valid.isEmpty()) {
                    result = result.withText(path, splice(path, texts.get(path), valid));
                }
            }
            for (Map.Entry<String, Integer> c : creations.entrySet()) {
                if (!failed.contains(c.getValue())) {
                    String content = createdContent.get(c.getKey());
                    result = result.withText(c.getKey(), content);
                    spans.add(new EditSpan(c.getValue(), c.getKey(), 0, SkillMd.lineCount(content)));
                }
            }
            for (Map.Entry<String, Integer> d : deletions.entrySet()) {
                if (!failed.contains(d.getValue())) {
                    result = result.without(d.getKey());
                }
            }
            return result;
        }

        String splice(String path, String text, List<Splice> list) {
            List<Splice> sorted = new ArrayList<>(list);
            sorted.sort(Comparator.comparingInt(Splice::start)
                    .thenComparingInt(s -> s.end() > s.start() ? 1 : 0)
                    .thenComparingInt(Splice::order)
                    .thenComparing(Splice::dependent)
                    .thenComparingInt(Splice::edit));
            StringBuilder out = new StringBuilder(text.length() + 256);
            List<int[]> raw = new ArrayList<>();
            int cursor = 0;
            for (Splice s : sorted) {
                if (s.start() < cursor) {
                    throw new IllegalStateException("overlapping splices slipped through in " + path);
                }
                out.append(text, cursor, s.start());
                int outStart = out.length();
                out.append(s.text());
                if (!s.text().isBlank()) {
                    int lead = 0;
                    while (lead < s.text().length() && s.text().charAt(lead) == '\n') {
                        lead++;
                    }
                    raw.add(new int[]{s.edit(), outStart + lead, out.length()});
                }
                cursor = s.end();
            }
            out.append(text, cursor, text.length());
            String result = out.toString();
            for (int[] r : raw) {
                spans.add(new EditSpan(r[0], path, lineOf(result, r[1]), lineOf(result, Math.max(r[1], r[2] - 1)) + 1));
            }
            return result;
        }

        void checkResult(SkillBundle result) {
            Set<String> before = new HashSet<>();
            for (Violation v : validator.validate(base)) {
                before.add(v.file() + "\n" + v.rule());
            }
            for (Violation v : validator.validate(result)) {
                if (before.contains(v.file() + "\n" + v.rule())) {
                    continue;
                }
                boolean size = v.rule().endsWith("max-lines");
                conflicts.add(new Conflict(size ? ConflictKind.SIZE_LIMIT : ConflictKind.INVALID_SKILL,
                        size ? null : firstEditOn(v.file()), null, v.file(), v.message()));
            }
            if (base.has(SkillBundle.SKILL_MD) && result.has(SkillBundle.SKILL_MD)) {
                checkFrontMatter(base.skillMd(), result.skillMd());
                checkLinks(result);
            }
        }

        void checkFrontMatter(SkillMd before, SkillMd after) {
            Integer culprit = firstEditBefore(SkillBundle.SKILL_MD, before.bodyOffset());
            if (!Objects.equals(before.name(), after.name())) {
                conflicts.add(new Conflict(ConflictKind.FRONT_MATTER_CHANGE, culprit, null, SkillBundle.SKILL_MD,
                        "the front matter's name may not change ('" + before.name() + "' -> '" + after.name() + "')"));
            }
            if (!policy.allowsDescriptionChange() && !Objects.equals(before.description(), after.description())) {
                conflicts.add(new Conflict(ConflictKind.FRONT_MATTER_CHANGE, culprit, null, SkillBundle.SKILL_MD,
                        "the front matter's description may not change in " + policy.mode().wire() + " mode"));
            }
        }

        void checkLinks(SkillBundle result) {
            Set<String> baseLinks = referenceLinks(base.text(SkillBundle.SKILL_MD));
            Set<String> links = referenceLinks(result.text(SkillBundle.SKILL_MD));
            for (Map.Entry<String, Integer> c : creations.entrySet()) {
                String path = c.getKey();
                if (!failed.contains(c.getValue()) && SkillPaths.isReference(path) && !links.contains(path)) {
                    conflicts.add(new Conflict(ConflictKind.UNLINKED_REFERENCE, c.getValue(), null, path,
                            path + " is created but SKILL.md does not link it; add an edit to SKILL.md that mentions " + path));
                }
            }
            for (String link : links) {
                boolean danglingBefore = baseLinks.contains(link) && !base.has(link);
                if (!result.has(link) && !danglingBefore) {
                    Integer culprit = deletions.get(link);
                    if (culprit == null) {
                        culprit = firstEditMentioning(link);
                    }
                    conflicts.add(new Conflict(ConflictKind.DANGLING_LINK, culprit, null, SkillBundle.SKILL_MD,
                            "SKILL.md links " + link + " but the file does not exist; create it in the same patch or drop the link"));
                }
            }
        }

        Integer firstEditOn(String file) {
            for (int i = 0; i < edits.size(); i++) {
                if (edits.get(i).path().equals(file)) {
                    return i;
                }
            }
            return null;
        }

        Integer firstEditBefore(String file, int offset) {
            List<Splice> list = splices.getOrDefault(file, List.of());
            return list.stream().filter(s -> s.start() < offset).map(Splice::edit).min(Integer::compare).orElse(null);
        }

        Integer firstEditMentioning(String text) {
            for (int i = 0; i < edits.size(); i++) {
                String c = edits.get(i).content();
                if (c != null && c.contains(text)) {
                    return i;
                }
            }
            return null;
        }
    }

    /** Paths under {@code references/} that a SKILL.md text mentions (links or inline paths). */
    public static Set<String> referenceLinks(String skillMd) {
        Set<String> out = new TreeSet<>();
        Matcher m = REFERENCE_LINK.matcher(skillMd);
        while (m.find()) {
            String link = m.group();
            if (link.length() > "references/".length()) {
                out.add(link);
            }
        }
        return out;
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

    private static int lineOf(String text, int offset) {
        int line = 0;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String preview(String s) {
        String one = s.replace("\n", "\\n");
        return one.length() <= PREVIEW ? one : one.substring(0, PREVIEW) + "…";
    }
}
