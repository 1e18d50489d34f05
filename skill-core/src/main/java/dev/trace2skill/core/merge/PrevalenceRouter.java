package dev.trace2skill.core.merge;

import dev.trace2skill.core.patch.Edit;
import dev.trace2skill.core.patch.EditOp;
import dev.trace2skill.core.patch.Patch;
import dev.trace2skill.core.skill.MarkdownSections;
import dev.trace2skill.core.skill.Section;
import dev.trace2skill.core.skill.SkillBundle;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Routes niche quirks out of the SKILL.md body (Trace2Skill: prevalent patterns generalise, idiosyncratic ones go to
 * supplementary references). Support is counted over distinct tasks ({@link TaskSupport}): an additive SKILL.md edit
 * supported by fewer than {@code minSupport} tasks moves into {@code references/niche-cases.md}, which SKILL.md links
 * from a "Niche cases" section; a destructive one (replace, delete) that weakly supported is dropped, because one task
 * is no reason to remove guidance. Five trials of one task are one task.
 */
public final class PrevalenceRouter {
    public static final String NICHE_SECTION = "Niche cases";

    private PrevalenceRouter() {
    }

    public record Output(Patch patch, List<EditDecision> decisions) {
    }

    public static Output route(Patch pStar, SkillBundle s0, int minSupport) {
        return route(pStar, s0, minSupport, TaskSupport.PER_TRAJECTORY);
    }

    public static Output route(Patch pStar, SkillBundle s0, int minSupport, TaskSupport tasks) {
        List<EditDecision> decisions = new ArrayList<>();
        if (minSupport <= 1) {
            return new Output(pStar, decisions);
        }
        Set<String> routedSections = new HashSet<>();
        for (Edit e : pStar.edits()) {
            if (isBody(e) && e.op() == EditOp.ADD_SECTION && !tasks.count(e.support()).atLeast(minSupport)) {
                routedSections.add(Section.normalizeTitle(e.targetSection()));
            }
        }
        List<Edit> kept = new ArrayList<>();
        Map<String, List<Edit>> niche = new LinkedHashMap<>();
        for (Edit e : pStar.edits()) {
            boolean intoRoutedSection = isBody(e) && e.op() == EditOp.APPEND_TO_SECTION && e.targetSection() != null
                    && routedSections.contains(Section.normalizeTitle(e.targetSection()));
            if (!isBody(e) || (tasks.count(e.support()).atLeast(minSupport) && !intoRoutedSection)) {
                kept.add(e);
            } else if (e.op() == EditOp.REPLACE_IN_SECTION || e.op() == EditOp.DELETE_SECTION) {
                decisions.add(EditDecision.dropped(e.id(), "destructive edit supported by " + tasks.count(e.support()).describe()
                        + ", fewer than " + minSupport + " tasks"));
            } else {
                String heading = e.targetSection() == null || e.targetSection().isBlank() ? "General" : e.targetSection().strip().replaceAll("^#+\\s*", "");
                niche.computeIfAbsent(heading, k -> new ArrayList<>()).add(e);
            }
        }
        if (niche.isEmpty()) {
            return new Output(new Patch(pStar.id(), kept), decisions);
        }
        String file = freeName(s0);
        StringBuilder content = new StringBuilder("# Niche cases\n\nSituations seen in fewer than ").append(minSupport)
                .append(" tasks. They may not generalise: apply one only when a case clearly matches.\n");
        SortedSet<String> support = new TreeSet<>();
        List<String> sources = new ArrayList<>();
        niche.forEach((heading, edits) -> {
            content.append("\n## ").append(heading).append("\n\n");
            for (Edit e : edits) {
                content.append(e.content().strip()).append("\n");
                support.addAll(e.support());
                sources.add(e.id());
            }
        });
        String createId = pStar.id() + "#niche";
        String linkId = pStar.id() + "#niche-link";
        Edit create = new Edit(createId, EditOp.CREATE, file, null, null, content.toString(),
                "edits below the prevalence threshold of " + minSupport, support, sources);
        String linkText = "Rarely seen situations are collected in " + file + "; read it when a case is not covered above.";
        boolean hasSection = s0.has(SkillBundle.SKILL_MD) && MarkdownSections.parse(s0.skillMd().body()).stream()
                .anyMatch(s -> Section.normalizeTitle(s.title()).equals(Section.normalizeTitle(NICHE_SECTION)));
        Edit link = new Edit(linkId, hasSection ? EditOp.APPEND_TO_SECTION : EditOp.ADD_SECTION, SkillBundle.SKILL_MD,
                NICHE_SECTION, null, linkText, "link to " + file, support, sources);
        kept.add(create);
        kept.add(link);
        niche.values().forEach(edits -> edits.forEach(e -> decisions.add(new EditDecision(e.id(), EditDecision.Action.ROUTED,
                createId, "supported by " + tasks.count(e.support()).describe() + ", fewer than " + minSupport + " tasks: moved to " + file))));
        return new Output(new Patch(pStar.id(), kept), decisions);
    }

    private static boolean isBody(Edit e) {
        return e.path().equals(SkillBundle.SKILL_MD);
    }

    private static String freeName(SkillBundle s0) {
        String name = "references/niche-cases.md";
        for (int i = 2; s0.has(name); i++) {
            name = "references/niche-cases-" + i + ".md";
        }
        return name;
    }
}
