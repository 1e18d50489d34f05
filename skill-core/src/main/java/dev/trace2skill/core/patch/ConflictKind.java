package dev.trace2skill.core.patch;

/** Why an edit (or a whole patch) cannot be applied. */
public enum ConflictKind {
    /** A required field is missing or malformed for the op. */
    INVALID_EDIT,
    FILE_NOT_FOUND,
    FILE_EXISTS,
    SECTION_NOT_FOUND,
    SECTION_AMBIGUOUS,
    SECTION_EXISTS,
    TARGET_NOT_FOUND,
    TARGET_AMBIGUOUS,
    /** Two edits touch overlapping text. */
    OVERLAPPING_EDITS,
    PROTECTED_FILE,
    /** A created reference file is not linked from SKILL.md. */
    UNLINKED_REFERENCE,
    /** SKILL.md links a reference file that does not exist. */
    DANGLING_LINK,
    /** The front matter's name or description changed where the mode forbids it. */
    FRONT_MATTER_CHANGE,
    /** SKILL.md body or a reference file is over its line limit after applying. */
    SIZE_LIMIT,
    /** The result breaks another Agent Skills rule that S0 did not break. */
    INVALID_SKILL
}
