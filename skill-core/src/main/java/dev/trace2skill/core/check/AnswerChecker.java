package dev.trace2skill.core.check;

/** Decides 1[answer = y*] for one kind of task. */
public interface AnswerChecker {
    String name();

    Verdict check(String candidate, String expected);
}
