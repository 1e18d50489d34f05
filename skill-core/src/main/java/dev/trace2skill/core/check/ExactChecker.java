package dev.trace2skill.core.check;

/** Equal after trimming surrounding white space. */
public final class ExactChecker implements AnswerChecker {
    @Override
    public String name() {
        return "exact";
    }

    @Override
    public Verdict check(String candidate, String expected) {
        String c = candidate == null ? "" : candidate.strip();
        String e = expected == null ? "" : expected.strip();
        return new Verdict(c.equals(e), c, e, c.equals(e) ? "identical" : "differs");
    }
}
