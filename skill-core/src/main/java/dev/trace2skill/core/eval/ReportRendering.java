package dev.trace2skill.core.eval;

import java.util.List;
import java.util.Locale;

/** A report as Markdown, and its success rates with intervals as an SVG chart. */
public final class ReportRendering {
    private ReportRendering() {
    }

    public static String markdown(String title, Report r) {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        md.append("| condition | model | episodes | errors | success rate (95% CI) | Δ vs no skill (95% CI) | McNemar p | tokens/task | Δ tokens | cost |\n");
        md.append("|---|---|---:|---:|---|---|---:|---:|---:|---:|\n");
        for (Report.ConditionResult c : r.conditions()) {
            md.append("| ").append(c.label()).append(" | ").append(c.model()).append(" | ").append(c.episodes()).append(" | ")
                    .append(c.errors()).append(" | ").append(pct(c.rate())).append(" [").append(pct(c.rateLow())).append(", ")
                    .append(pct(c.rateHigh())).append("] | ")
                    .append(c.delta() == null ? "—" : signed(c.delta()) + " [" + signed(c.deltaLow()) + ", " + signed(c.deltaHigh()) + "] on " + c.pairs())
                    .append(" | ").append(c.mcnemarP() == null ? "—" : String.format(Locale.ROOT, "%.3g", c.mcnemarP()))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0f", c.meanTokens()))
                    .append(" | ").append(c.tokenChange() == null ? "—" : String.format(Locale.ROOT, "%+.0f", c.tokenChange()))
                    .append(" | ").append(c.cost() == null ? "—" : String.format(Locale.ROOT, "$%.4f", c.cost())).append(" |\n");
        }
        if (r.matrix() != null) {
            md.append("\n## Author model × user model (Δ success rate vs no skill)\n\n| author \\ user | user | Δ | pairs |\n|---|---|---:|---:|\n");
            for (Report.MatrixCell m : r.matrix()) {
                md.append("| ").append(m.author()).append(" | ").append(m.user()).append(" | ").append(signed(m.delta())).append(" | ").append(m.pairs()).append(" |\n");
            }
        }
        if (r.comparisons() != null) {
            md.append("\n## Head to head (paired on task and seed)\n\n| treatment − baseline | model | pairs | Δ (95% CI) | McNemar p | only treatment / only baseline | Δ tokens |\n|---|---|---:|---|---:|---:|---:|\n");
            for (Report.Comparison c : r.comparisons()) {
                md.append("| ").append(c.treatment()).append(" − ").append(c.baseline()).append(" | ").append(c.model()).append(" | ")
                        .append(c.pairs()).append(" | ")
                        .append(c.delta() == null ? "—" : signed(c.delta()) + " [" + signed(c.deltaLow()) + ", " + signed(c.deltaHigh()) + "]")
                        .append(" | ").append(c.mcnemarP() == null ? "—" : String.format(Locale.ROOT, "%.3g", c.mcnemarP()))
                        .append(" | ").append(c.onlyTreatment()).append(" / ").append(c.onlyBaseline())
                        .append(" | ").append(c.tokenChange() == null ? "—" : String.format(Locale.ROOT, "%+.0f", c.tokenChange())).append(" |\n");
            }
        }
        if (r.ablations() != null) {
            md.append("\n## Section ablation (marginal effect = full skill − skill without the section)\n\n| skill | model | section | effect (95% CI) | McNemar p | pairs |\n|---|---|---|---|---:|---:|\n");
            for (Report.Ablation a : r.ablations()) {
                md.append("| ").append(a.skill()).append(" | ").append(a.model()).append(" | ").append(a.section()).append(" | ")
                        .append(signed(a.effect())).append(" [").append(signed(a.low())).append(", ").append(signed(a.high())).append("] | ")
                        .append(String.format(Locale.ROOT, "%.3g", a.mcnemarP())).append(" | ").append(a.pairs()).append(" |\n");
            }
        }
        return md.toString();
    }

    /** Horizontal bars of success rate with the 95% interval as whiskers. */
    public static String svg(String title, Report r) {
        List<Report.ConditionResult> rows = r.conditions();
        int rowHeight = 28;
        int left = 260;
        int width = 760;
        int plot = width - left - 40;
        int height = 60 + rows.size() * rowHeight + 30;
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
        for (int i = 0; i < rows.size(); i++) {
            Report.ConditionResult c = rows.get(i);
            int y = 48 + i * rowHeight;
            double rate = Double.isNaN(c.rate()) ? 0 : c.rate();
            s.append("<text x=\"10\" y=\"").append(y + 14).append("\">").append(escape(c.label() + " · " + c.model())).append("</text>\n");
            s.append("<rect x=\"").append(left).append("\" y=\"").append(y).append("\" width=\"").append((int) (plot * rate))
                    .append("\" height=\"18\" fill=\"").append(c.skill() == null ? "#9e9e9e" : "#3f7fbf").append("\"/>\n");
            int lo = left + (int) (plot * c.rateLow());
            int hi = left + (int) (plot * c.rateHigh());
            s.append("<line x1=\"").append(lo).append("\" y1=\"").append(y + 9).append("\" x2=\"").append(hi).append("\" y2=\"")
                    .append(y + 9).append("\" stroke=\"#000\"/>\n");
            s.append("<text x=\"").append(left + (int) (plot * rate) + 6).append("\" y=\"").append(y + 14).append("\">")
                    .append(pct(c.rate())).append(" (n=").append(c.episodes()).append(")</text>\n");
        }
        return s.append("</svg>\n").toString();
    }

    private static String pct(double d) {
        return Double.isNaN(d) ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * d);
    }

    private static String signed(Double d) {
        return d == null ? "—" : String.format(Locale.ROOT, "%+.1f pp", 100 * d);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
