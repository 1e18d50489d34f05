package dev.trace2skill.worker;

import dev.trace2skill.core.pipeline.SkillSnapshot;
import dev.trace2skill.core.skill.SkillBundle;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frozen S0 of the runs in progress, one {@link SkillBundle} per skill version: every job of a run inlines the same
 * S0, and the bundle keeps what it parsed (SKILL.md's front matter, the sections), so checking a patch no longer
 * decodes and parses S0 again. Keyed by the name and the files themselves (not the hash the message claims), at most
 * {@value #CAPACITY} versions, least recently used out first.
 */
@ApplicationScoped
public class SkillVersions {
    static final int CAPACITY = 32;

    private record Key(String name, Map<String, String> files) {
    }

    private final Map<Key, SkillBundle> bundles = new LinkedHashMap<>(CAPACITY * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, SkillBundle> eldest) {
            return size() > CAPACITY;
        }
    };

    public SkillBundle of(SkillSnapshot snapshot) {
        Key key = new Key(snapshot.name(), snapshot.files());
        synchronized (bundles) {
            SkillBundle known = bundles.get(key);
            if (known != null) {
                return known;
            }
        }
        SkillBundle bundle = snapshot.bundle();
        synchronized (bundles) {
            bundles.putIfAbsent(key, bundle);
            return bundles.get(key);
        }
    }

    int size() {
        synchronized (bundles) {
            return bundles.size();
        }
    }
}
