package dev.trace2skill.core.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An experiment report as Markdown (its tables) and as an SVG chart (success rates on D_test per user model). */
public final class ExperimentRendering {
    private ExperimentRendering() {
    }

    /**
     * @param title the heading
     * @param links name → URL or path (the run's diff, changelog, provenance, …), listed under the rounds
     */
    public static String markdown(String title, ExperimentReport r, Map<String, String> links) {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        if (r.split() != null) {
            md.append("Split (seed ").append(r.split().seed()).append("): ").append(r.split().evolve()).append(" tasks in D_evolve, ")
                    .append(r.split().test()).append(" held out in D_test, disjoint by task id. Skill author (Stage 1): ")
                    .append(r.author()).append(".\n\n");
        }
        md.append("## Rounds\n\n| round | S0 | S* | run | Stage 1: S0 on D_evolve (95% CI) | Stage 1 tokens |\n|---:|---|---|---|---|---:|\n");
        for (ExperimentReport.Round round : r.rounds()) {
            md.append("| ").append(round.round()).append(" | ").append(round.s0()).append(" | ").append(dash(round.sStar())).append(" | ")
                    .append(dash(round.runId())).append(" | ")
                    .append(round.stage1() == null ? "—" : rate(round.stage1()) + " of " + round.stage1().episodes())
                    .append(" | ").append(round.stage1() == null ? "—" : Long.toString(round.stage1().tokens())).append(" |\n");
        }
        if (links != null && !links.isEmpty()) {
            md.append('\n');
            links.forEach((name, url) -> md.append("- ").append(name).append(": ").append(url).append('\n'));
        }
        for (ExperimentReport.User u : r.users()) {
            md.append("\n## Skill user ").append(u.model()).append(" on D_test\n\n")
                    .append("| condition | role | episodes | errors | success rate (95% CI) | tokens/task | cost |\n|---|---|---:|---:|---|---:|---:|\n");
            for (ExperimentReport.Rate c : u.rates()) {
                md.append("| ").append(c.condition()).append(" | ").append(c.role()).append(" | ").append(c.episodes()).append(" | ")
                        .append(c.errors()).append(" | ").append(rate(c)).append(" | ")
                        .append(String.format(Locale.ROOT, "%.0f", c.meanTokens())).append(" | ")
                        .append(c.cost() == null ? "—" : String.format(Locale.ROOT, "$%.4f", c.cost())).append(" |\n");
            }
            if (!u.deltas().isEmpty()) {
                md.append("\n| round | delta | treatment − baseline | pairs | Δ success rate (95% CI) | McNemar p | only treatment / only baseline | Δ tokens/task |\n")
                        .append("|---:|---|---|---:|---|---:|---:|---:|\n");
                for (ExperimentReport.Delta d : u.deltas()) {
                    md.append("| ").append(d.round() == 0 ? "all" : Integer.toString(d.round())).append(" | ").append(d.kind()).append(" | ")
                            .append(d.treatment()).append(" − ").append(d.baseline()).append(" | ").append(d.pairs()).append(" | ")
                            .append(d.delta() == null ? "—" : signed(d.delta()) + " [" + signed(d.deltaLow()) + ", " + signed(d.deltaHigh()) + "]")
                            .append(" | ").append(d.mcnemarP() == null ? "—" : String.format(Locale.ROOT, "%.3g", d.mcnemarP()))
                            .append(" | ").append(d.onlyTreatment()).append(" / ").append(d.onlyBaseline())
                            .append(" | ").append(d.tokenChange() == null ? "—" : String.format(Locale.ROOT, "%+.0f", d.tokenChange())).append(" |\n");
                }
            }
        }
        if (r.matrix() != null) {
            md.append("\n## Author × user (last S*)\n\n| author | user | S* | Δ vs first S0 (95% CI) | Δ vs no skill (95% CI) | pairs |\n|---|---|---|---|---|---:|\n");
            for (ExperimentReport.MatrixCell m : r.matrix()) {
                md.append("| ").append(m.author()).append(" | ").append(m.user()).append(" | ").append(m.skill()).append(" | ")
                        .append(interval(m.vsS0(), m.vsS0Low(), m.vsS0High())).append(" | ")
                        .append(interval(m.vsNoSkill(), m.vsNoSkillLow(), m.vsNoSkillHigh())).append(" | ").append(m.pairs()).append(" |\n");
            }
        }
        return md.toString();
    }

    /** Success rates on D_test with their 95% intervals, one group of bars per skill-user model. */
    public static String svg(String title, ExperimentReport r) {
        List<ExperimentReport.Rate> rows = new ArrayList<>();
        r.users().forEach(u -> rows.addAll(u.rates()));
        int rowHeight = 26;
        int left = 300;
        int width = 800;
        int plot = width - left - 40;
        int height = 60 + rows.size() * rowHeight + r.users().size() * 10 + 30;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.append("<title>").append(escape(title)).append("</title>\n");
        s.append("<text x=\"10\" y=\"22\" font-size=\"15\">").append(escape(title)).append("</text>\n");
        for (int t = 0; t <= 10; t += 2) {
            int x = left + plot * t / 10;
            s.append("<line x1=\"").append(x).append("\" y1=\"40\" x2=\"").append(x).append("\" y2=\"").append(height - 30)
                    .append("\" stroke=\"#ddd\"/><text x=\"").append(x - 10).append("\" y=\"").append(height - 12).append("\">")
                    .append(t * 10).append("%</text>\n");
        }
        int y = 46;
        for (ExperimentReport.User u : r.users()) {
            for (ExperimentReport.Rate c : u.rates()) {
                double rate = c.rate() == null ? 0 : c.rate();
                String colour = c.role().equals("no skill") ? "#9e9e9e" : c.role().equals("S0") ? "#e0a040" : "#3f7fbf";
                s.append("<text x=\"10\" y=\"").append(y + 14).append("\">").append(escape(u.model() + " · " + c.role() + " · " + c.condition()))
                        .append("</text>\n");
                s.append("<rect x=\"").append(left).append("\" y=\"").append(y).append("\" width=\"").append((int) (plot * rate))
                        .append("\" height=\"18\" fill=\"").append(colour).append("\"/>\n");
                int lo = left + (int) (plot * c.rateLow());
                int hi = left + (int) (plot * c.rateHigh());
                s.append("<line x1=\"").append(lo).append("\" y1=\"").append(y + 9).append("\" x2=\"").append(hi).append("\" y2=\"")
                        .append(y + 9).append("\" stroke=\"#000\"/>\n");
                s.append("<text x=\"").append(left + (int) (plot * rate) + 6).append("\" y=\"").append(y + 14).append("\">")
                        .append(pct(c.rate())).append(" (n=").append(c.episodes()).append(")</text>\n");
                y += rowHeight;
            }
            y += 10;
        }
        return s.append("</svg>\n").toString();
    }

    private static String rate(ExperimentReport.Rate c) {
        return pct(c.rate()) + " [" + pct(c.rateLow()) + ", " + pct(c.rateHigh()) + "]";
    }

    private static String interval(Double d, Double low, Double high) {
        return d == null ? "—" : signed(d) + " [" + signed(low) + ", " + signed(high) + "]";
    }

    private static String dash(String s) {
        return s == null ? "—" : s;
    }

    private static String pct(Double d) {
        return d == null || Double.isNaN(d) ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * d);
    }

    private static String signed(Double d) {
        return d == null ? "—" : String.format(Locale.ROOT, "%+.1f pp", 100 * d);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
