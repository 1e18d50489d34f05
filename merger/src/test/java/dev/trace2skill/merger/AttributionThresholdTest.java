package dev.trace2skill.merger;

import dev.trace2skill.core.data.SharedData;
import dev.trace2skill.core.merge.TextEmbedder;
import dev.trace2skill.testkit.InfraTestResource;
import dev.trace2skill.testkit.ModelServerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How the attribution threshold was chosen, with the real model (all-MiniLM-L6-v2, quantized) on real text: the
 * tau-bench airline policy (human-written rules). A merged edit is a policy bullet; its true sources are the bullet's
 * own sentences (a merge that folds several edits into one says each of them) and hand-written paraphrases of single
 * rules; fabricated sources are sentences of bullets in other sections (same domain, other rule) and, harder, of other
 * bullets in the same section. The test prints each distribution and the acceptance rates around the threshold, and
 * holds the configured threshold to them.
 */
@QuarkusTest
@QuarkusTestResource(value = InfraTestResource.class, initArgs = @ResourceArg(name = "database", value = "t2s_merger"))
@QuarkusTestResource(ModelServerResource.class)
class AttributionThresholdTest {
    // a Quarkus test, so that the model is the merger's own bean in the application's class loader (the tokenizer's
    // native library can be loaded by one class loader only)
    @Inject
    EditEmbeddings injected;
    @Inject
    MergerConfig config;

    static EditEmbeddings embeddings;
    static List<Bullet> bullets;
    static double threshold;

    record Bullet(String section, String text, List<String> sentences) {
    }

    /** A rule of the policy (abridged) and how an analyst or merge operator might restate it. */
    static final String[][] PARAPHRASES = {
            {"Each reservation can have at most five passengers.", "- Never book more than 5 passengers on a single reservation."},
            {"Each reservation can use at most one travel certificate, at most one credit card, and at most three gift cards.",
                    "- Payment limits per booking: one travel certificate, one credit card, up to three gift cards."},
            {"All payment methods must already be in user profile for safety reasons.",
                    "- Only accept payment methods that are already saved in the user's profile."},
            {"Basic economy flights cannot be modified.", "- Do not change the flights of a basic economy reservation."},
            {"The user can add but not remove checked bags.", "- Checked bags can be added to a reservation but never removed."},
            {"The user cannot add insurance after initial booking.", "- Travel insurance can only be bought at booking time, not added later."},
            {"The agent can only cancel the whole trip that is not flown.", "- Cancel only entire trips with no segment flown yet."},
            {"Travel insurance is 30 dollars per passenger and enables full refund if the user needs to cancel the flight given health or weather reasons.",
                    "- Insurance costs $30 per passenger and gives a full refund for cancellations due to health or weather."},
            {"You should only make one tool call at a time, and if you make a tool call, you should not respond to the user simultaneously.",
                    "- Make a single tool call per turn and do not message the user in the same turn."},
            {"Before taking any actions that update the booking database, you must list the action details and obtain explicit user confirmation (yes) to proceed.",
                    "- Before any booking change, summarise the action and wait for the user to say yes."},
            {"You should transfer the user to a human agent if and only if the request cannot be handled within the scope of your actions.",
                    "- Hand over to a human agent only when the request is outside what your tools can do."},
            {"Cabin class must be the same across all the flights in the same reservation.",
                    "- All flights of one reservation must be in the same cabin class."},
    };

    @BeforeEach
    void load() throws Exception {
        var wiki = SharedData.find("trajectories/tau-bench/airline_wiki.md");
        assumeTrue(wiki.isPresent(), "shared tau-bench data not found beside the repository");
        bullets = parse(Files.readString(wiki.get()));
        embeddings = injected;
        threshold = config.similarity().attributionThreshold();
    }

    static List<Bullet> parse(String md) {
        List<Bullet> out = new ArrayList<>();
        String section = "(intro)";
        StringBuilder current = null;
        String currentSection = null;
        for (String line : (md + "\n").lines().toList()) {
            boolean top = line.startsWith("- ");
            boolean nested = line.startsWith("  ") && current != null && !line.isBlank();
            if (line.startsWith("## ") || top || (line.isBlank() && current != null && false)) {
                if (current != null) {
                    out.add(bullet(currentSection, current.toString()));
                    current = null;
                }
            }
            if (line.startsWith("## ")) {
                section = line.substring(3).strip();
            } else if (top) {
                current = new StringBuilder(line.substring(2).strip());
                currentSection = section;
            } else if (nested) {
                current.append(' ').append(line.strip().replaceFirst("^- ", ""));
            }
        }
        if (current != null) {
            out.add(bullet(currentSection, current.toString()));
        }
        return out;
    }

    static Bullet bullet(String section, String text) {
        List<String> sentences = Arrays.stream(text.split("(?<=[.!?])\\s+(?=[A-Z])")).map(String::strip)
                .filter(s -> s.split("\\s+").length >= 4).toList();
        return new Bullet(section, "- " + text, sentences);
    }

    static double sim(String a, String b) {
        List<float[]> v = embeddings.embed(List.of(a, b));
        return TextEmbedder.cosine(v.get(0), v.get(1));
    }

    @Test
    void theConfiguredThresholdSeparatesTrueFromFabricatedAttributions() {
        Map<String, List<Double>> d = new LinkedHashMap<>();
        List<String> missed = new ArrayList<>();
        for (Bullet merged : bullets) {
            if (merged.sentences().size() >= 2) {
                for (String s : merged.sentences()) {
                    double sim = sim(merged.text(), "- " + s);
                    d.computeIfAbsent("true: sentence of the merged bullet", k -> new ArrayList<>()).add(sim);
                    if (sim < threshold) {
                        missed.add(String.format(Locale.ROOT, "%.3f  \"%s\" in a bullet of %d sentences", sim, s, merged.sentences().size()));
                    }
                }
            }
            for (Bullet other : bullets) {
                if (other == merged) {
                    continue;
                }
                String kind = other.section().equals(merged.section()) ? "fabricated: other bullet, same section" : "fabricated: other section";
                for (String s : other.sentences()) {
                    d.computeIfAbsent(kind, k -> new ArrayList<>()).add(sim(merged.text(), "- " + s));
                }
            }
        }
        for (String[] p : PARAPHRASES) {
            d.computeIfAbsent("true: paraphrase of one rule", k -> new ArrayList<>()).add(sim(p[1], "- " + p[0]));
        }
        System.out.printf(Locale.ROOT, "%n%d policy bullets; attribution threshold %.2f (t2s.merger.similarity.attribution-threshold)%n",
                bullets.size(), threshold);
        System.out.printf(Locale.ROOT, "%-42s %5s %6s %6s %6s %6s %6s %6s %6s%n", "pairs", "n", "min", "p5", "p25", "p50", "p75", "p95", "max");
        d.forEach((k, v) -> {
            double[] x = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-42s %5d %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f%n", k, x.length, x[0], q(x, 0.05), q(x, 0.25),
                    q(x, 0.5), q(x, 0.75), q(x, 0.95), x[x.length - 1]);
        });
        System.out.printf(Locale.ROOT, "%nthreshold  accepted: sentence  paraphrase | rejected: other section  same section%n");
        for (double t = 0.30; t <= 0.701; t += 0.05) {
            System.out.printf(Locale.ROOT, "%9.2f  %18.3f %11.3f | %26.3f %13.3f%n", t, above(d.get("true: sentence of the merged bullet"), t),
                    above(d.get("true: paraphrase of one rule"), t), 1 - above(d.get("fabricated: other section"), t),
                    1 - above(d.get("fabricated: other bullet, same section"), t));
        }
        System.out.printf(Locale.ROOT, "%ntrue attributions below %.2f:%n", threshold);
        missed.forEach(m -> System.out.println("  " + m));

        List<Double> trueAll = new ArrayList<>(d.get("true: sentence of the merged bullet"));
        trueAll.addAll(d.get("true: paraphrase of one rule"));
        List<Double> fabricated = d.get("fabricated: other section");
        double bestJ = Double.NEGATIVE_INFINITY;
        double best = 0;
        for (double t = 0.30; t <= 0.701; t += 0.05) {
            double j = above(trueAll, t) - above(fabricated, t);
            if (j > bestJ + 1e-9) {
                bestJ = j;
                best = t;
            }
        }
        double j = above(trueAll, threshold) - above(fabricated, threshold);
        System.out.printf(Locale.ROOT, "%nYouden's J (true accepted - fabricated accepted): %.3f at %.2f; best on the grid %.3f at %.2f%n",
                j, threshold, bestJ, best);
        assertThat(j).as("the configured threshold is the best of the grid 0.30-0.70").isGreaterThanOrEqualTo(bestJ - 1e-9);
        assertThat(above(trueAll, threshold)).as("true attributions kept").isGreaterThanOrEqualTo(0.85);
        assertThat(1 - above(fabricated, threshold)).as("fabricated attributions (other section) rejected").isGreaterThanOrEqualTo(0.95);
    }

    static double above(List<Double> v, double t) {
        return v.stream().filter(x -> x >= t).count() / (double) v.size();
    }

    static double q(double[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))];
    }
}
