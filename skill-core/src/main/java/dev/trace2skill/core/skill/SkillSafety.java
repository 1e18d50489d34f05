package dev.trace2skill.core.skill;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trace2skill.core.text.MarkdownLiteral;
import dev.trace2skill.core.text.TextRules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The safety check every S* passes before it is registered as a version. An evolved skill is built from trajectories,
 * and trajectories are untrusted: an agent's tool output, a user's message or a crafted log can carry text meant to
 * become an instruction. The check reads what S* <em>adds</em> to S0 (every line of a file that S0's file does not
 * have; every line of a new file) and reports:
 * <ul>
 *   <li>{@value #EXFILTRATION}: an e-mail address or a URL whose host S0 never mentions, or a host name S0 never
 *       mentions next to a verb of sending or contacting ("send", "email", "upload", "post", "forward", …) — in the
 *       files the agent reads as instructions ({@code SKILL.md}, {@code references/}, {@code scripts/}, any Markdown or
 *       text file);</li>
 *   <li>{@value #OVERRIDE}: a request to ignore, disregard, forget, override or bypass instructions, rules or policies,
 *       to take on a new role, to keep something from the user or to reveal the prompt or secrets (same files);</li>
 *   <li>{@value #HIDDEN_TEXT}: invisible characters (zero-width, bidirectional controls, Unicode tags, control
 *       characters), HTML comments, HTML or LaTeX that hides text (white on white, {@code display: none}, zero size),
 *       and Markdown link definitions used as comments ({@code [//]: # (...)}) — in every text file;</li>
 *   <li>{@value #SECRET}: what looks like a credential: private keys, API keys and tokens of well-known formats, JWTs,
 *       bearer tokens, {@code password=…} / {@code api_key: …} assignments — in every text file.</li>
 * </ul>
 * A skill with findings is not promoted to a version by itself: it is held as a candidate until a person approves it.
 * Pure and deterministic: the merger and trace-ingest run it on the same S0 and S* and reach the same findings.
 */
public final class SkillSafety {
    public static final String EXFILTRATION = "exfiltration";
    public static final String OVERRIDE = "override";
    public static final String HIDDEN_TEXT = "hidden-text";
    public static final String SECRET = "secret";
    /** Findings reported per skill (the rest are counted in the last one). */
    static final int MAX_FINDINGS = 50;
    static final int EXCERPT = 160;

    /**
     * One finding.
     *
     * @param kind    {@value #EXFILTRATION}, {@value #OVERRIDE}, {@value #HIDDEN_TEXT} or {@value #SECRET}
     * @param file    the file of S*
     * @param line    1-based line in that file
     * @param message what was found
     * @param excerpt the line, with invisible characters made visible, cut to 160 characters
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Finding(String kind, String file, int line, String message, String excerpt) {
        @Override
        public String toString() {
            return kind + " in " + file + ":" + line + ": " + message;
        }
    }

    private static final Pattern EMAIL = Pattern.compile("(?i)\\b[a-z0-9._%+-]{1,64}@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,24})\\b");
    private static final Pattern URL = Pattern.compile("(?i)\\b(https?|ftp|wss?|sftp)://([^\\s/?#`'\"<>)\\]]+)");
    private static final Pattern SCRIPT_URL = Pattern.compile("(?i)(?<![\\w-])(javascript|data|vbscript):[^\\s`]");
    private static final Pattern HOST = Pattern.compile("(?i)(?<![\\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,24}|\\d{1,3}(?:\\.\\d{1,3}){3})(?![\\w-])");
    private static final Pattern SENDING = Pattern.compile("(?i)\\b(send|sends|sending|sent|e-?mail|emailing|mail|forward|forwarding|post|posting|upload|uploading"
            + "|submit|transmit|exfiltrate|share|sharing|report|notify|contact|call|cc|bcc|copy|sync|leak|deliver|dump|export|fetch|download"
            + "|curl|wget|visit|open|navigate|browse|connect|webhook|ping|relay)\\b");
    /** Last labels that make a dotted word a file name, not a host. */
    private static final Set<String> FILE_EXTENSIONS = Set.of("md", "json", "jsonl", "ndjson", "py", "txt", "csv", "tsv", "yaml", "yml",
            "js", "ts", "tsx", "jsx", "java", "kt", "sh", "bash", "html", "htm", "xml", "log", "zip", "xlsx", "xls", "docx", "pptx", "pdf",
            "png", "jpg", "jpeg", "gif", "svg", "toml", "ini", "cfg", "conf", "sql", "rb", "go", "rs", "cpp", "hpp", "lock", "env", "css",
            "scss", "db", "tar", "gz", "tgz", "bz2", "jar", "class", "exe", "bin", "dll", "so", "whl", "ipynb", "parquet", "traj", "lst", "pem");

    private static final Pattern[] OVERRIDES = {
            Pattern.compile("(?i)\\b(ignore|disregard|forget|override|overrule|bypass|circumvent)\\b[^.\\n]{0,40}?\\b(previous|prior|above|earlier|preceding"
                    + "|all|any|every|other|the|your|these|those|its|system|original|existing|safety|security)\\b[^.\\n]{0,30}?\\b(instructions?|rules?"
                    + "|guidelines?|guidance|polic(?:y|ies)|prompts?|directives?|constraints?|safeguards?|restrictions?|skill)\\b"),
            Pattern.compile("(?i)\\b(you are now|from now on,? you (are|must|will)|new instructions?\\s*:|act as an? (unrestricted|unfiltered|jailbroken)"
                    + "|jailbreak|developer mode|do anything now)\\b"),
            Pattern.compile("(?i)\\b(do not|don't|never)\\s+(tell|inform|alert|warn|mention (?:this |it )?to|reveal (?:this |it )?to|let)\\s+(the )?(user|customer|operator|human)s?\\b"),
            Pattern.compile("(?i)\\b(reveal|print|show|output|leak|disclose|repeat)\\b[^.\\n]{0,30}?\\b(system prompt|your instructions|api[ _-]?keys?|credentials"
                    + "|passwords?|secrets?|access tokens?)\\b"),
    };

    private static final Pattern HTML_COMMENT = Pattern.compile("<!--");
    private static final Pattern HIDING_STYLE = Pattern.compile("(?i)(display\\s*:\\s*none|visibility\\s*:\\s*hidden|font-size\\s*:\\s*0(?![.\\d]*[1-9])"
            + "|opacity\\s*:\\s*0(?![.\\d]*[1-9])|color\\s*[:=]\\s*[\"']?\\s*(white|#fff\\b|#ffffff\\b|rgba?\\(\\s*255\\s*,\\s*255\\s*,\\s*255)"
            + "|\\\\(text)?color\\{white}|<[a-z][^>]*\\shidden(\\s|>|=))");
    private static final Pattern MARKDOWN_COMMENT = Pattern.compile("^\\s{0,3}\\[[^\\]]*]:\\s*(#|<>)(\\s|$)");

    private static final Pattern[] SECRETS = {
            Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
            Pattern.compile("\\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{20,}"),
            Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b"),
            Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{30,}\\b|\\bgithub_pat_[A-Za-z0-9_]{22,}"),
            Pattern.compile("\\bxox[abprs]-[A-Za-z0-9-]{10,}"),
            Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}\\b"),
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}"),
            Pattern.compile("(?i)\\bbearer\\s+[A-Za-z0-9._~+/-]{20,}=*"),
            Pattern.compile("(?i)\\b(?:api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|password|passwd|pwd)\\b"
                    + "[\"']?\\s*[:=]\\s*[\"']?[A-Za-z0-9/+_.~!$%^&*-]{12,}"),
    };

    private SkillSafety() {
    }

    /** The findings about what {@code sStar} adds to {@code s0}; empty when it adds nothing of concern. */
    public static List<Finding> check(SkillBundle s0, SkillBundle sStar) {
        Set<String> known = known(s0);
        List<Finding> out = new ArrayList<>();
        int dropped = 0;
        for (String path : sStar.paths()) {
            if (!sStar.isText(path)) {
                continue;
            }
            Set<String> before = new HashSet<>();
            if (s0.has(path) && s0.isText(path)) {
                before.addAll(s0.text(path).lines().toList());
            }
            boolean instructions = instructions(path);
            List<String> lines = sStar.text(path).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (before.contains(line)) {
                    continue;
                }
                List<Finding> found = new ArrayList<>();
                hidden(path, i + 1, line, i == 0, found);
                secrets(path, i + 1, line, found);
                if (instructions) {
                    addresses(path, i + 1, line, known, found);
                    overrides(path, i + 1, line, found);
                }
                for (Finding f : found) {
                    if (out.size() < MAX_FINDINGS) {
                        out.add(f);
                    } else {
                        dropped++;
                    }
                }
            }
        }
        if (dropped > 0) {
            Finding last = out.remove(out.size() - 1);
            out.add(new Finding(last.kind(), last.file(), last.line(), last.message() + " (and " + dropped + " more findings)", last.excerpt()));
        }
        return out;
    }

    /** One line per finding, for messages and logs. */
    public static String summary(List<Finding> findings) {
        if (findings.isEmpty()) {
            return "no findings";
        }
        StringBuilder s = new StringBuilder(findings.size() + (findings.size() == 1 ? " finding: " : " findings: "));
        for (int i = 0; i < Math.min(3, findings.size()); i++) {
            s.append(i == 0 ? "" : "; ").append(findings.get(i));
        }
        return findings.size() > 3 ? s.append("; …").toString() : s.toString();
    }

    /** The files an agent reads as guidance: SKILL.md, references, scripts, and any Markdown or text file. */
    static boolean instructions(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.equals(SkillBundle.SKILL_MD.toLowerCase(Locale.ROOT)) || p.startsWith("references/") || p.startsWith("scripts/")
                || p.endsWith(".md") || p.endsWith(".markdown") || p.endsWith(".txt");
    }

    /** Every e-mail domain, URL host and host name S0 mentions, lower case. */
    static Set<String> known(SkillBundle s0) {
        Set<String> known = new HashSet<>();
        for (String path : s0.paths()) {
            if (!s0.isText(path)) {
                continue;
            }
            String text = s0.text(path);
            Matcher m = EMAIL.matcher(text);
            while (m.find()) {
                known.add(m.group().toLowerCase(Locale.ROOT));
                known.add(m.group(1).toLowerCase(Locale.ROOT));
            }
            m = URL.matcher(text);
            while (m.find()) {
                known.add(host(m.group(2)));
            }
            m = HOST.matcher(text);
            while (m.find()) {
                known.add(m.group(1).toLowerCase(Locale.ROOT));
            }
        }
        return known;
    }

    private static void addresses(String file, int line, String text, Set<String> known, List<Finding> out) {
        Set<int[]> covered = new java.util.LinkedHashSet<>();
        Matcher m = EMAIL.matcher(text);
        while (m.find()) {
            covered.add(new int[]{m.start(), m.end()});
            String address = m.group().toLowerCase(Locale.ROOT);
            if (!known.contains(address) && !known.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                out.add(finding(EXFILTRATION, file, line, "names the e-mail address " + m.group() + ", which S0 does not mention", text));
            }
        }
        m = URL.matcher(text);
        while (m.find()) {
            covered.add(new int[]{m.start(), m.end()});
            String host = host(m.group(2));
            if (!known.contains(host)) {
                out.add(finding(EXFILTRATION, file, line, "links to " + host + ", a host S0 does not mention", text));
            }
        }
        m = SCRIPT_URL.matcher(text);
        if (m.find()) {
            out.add(finding(EXFILTRATION, file, line, "holds a " + m.group(1).toLowerCase(Locale.ROOT) + ": URL", text));
        }
        if (!SENDING.matcher(text).find()) {
            return;
        }
        m = HOST.matcher(text);
        while (m.find()) {
            if (inside(m.start(), covered)) {
                continue;
            }
            String host = m.group(1).toLowerCase(Locale.ROOT);
            String last = host.substring(host.lastIndexOf('.') + 1);
            if (FILE_EXTENSIONS.contains(last) || known.contains(host)) {
                continue;
            }
            out.add(finding(EXFILTRATION, file, line, "asks to send or connect to " + host + ", a host S0 does not mention", text));
        }
    }

    private static boolean inside(int at, Set<int[]> spans) {
        for (int[] s : spans) {
            if (at >= s[0] && at < s[1]) {
                return true;
            }
        }
        return false;
    }

    private static String host(String authority) {
        String a = authority.toLowerCase(Locale.ROOT);
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            a = a.substring(at + 1);
        }
        int colon = a.startsWith("[") ? a.indexOf(']') + 1 : a.indexOf(':');
        return colon > 0 && colon < a.length() ? a.substring(0, colon) : a;
    }

    private static void overrides(String file, int line, String text, List<Finding> out) {
        for (Pattern p : OVERRIDES) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                out.add(finding(OVERRIDE, file, line, "asks to set instructions aside: \"" + MarkdownLiteral.visible(m.group(), 80) + "\"", text));
                return;
            }
        }
    }

    private static void hidden(String file, int line, String text, boolean firstLine, List<Finding> out) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            boolean bom = cp == 0xFEFF && firstLine && i == 0;
            if ((TextRules.invisible(cp) && cp != '\t' && !bom) || Character.isSurrogate(text.charAt(i)) && Character.charCount(cp) == 1) {
                out.add(finding(HIDDEN_TEXT, file, line, "holds the invisible character " + TextRules.codePoint(cp) + " at column " + (i + 1), text));
                return;
            }
            i += Character.charCount(cp);
        }
        if (HTML_COMMENT.matcher(text).find()) {
            out.add(finding(HIDDEN_TEXT, file, line, "opens an HTML comment (text that is not shown)", text));
        } else if (HIDING_STYLE.matcher(text).find()) {
            out.add(finding(HIDDEN_TEXT, file, line, "hides text with HTML or styling (white text, display: none, zero size, hidden)", text));
        } else if (MARKDOWN_COMMENT.matcher(text).find()) {
            out.add(finding(HIDDEN_TEXT, file, line, "is a Markdown link definition used as a hidden comment", text));
        }
    }

    private static void secrets(String file, int line, String text, List<Finding> out) {
        for (Pattern p : SECRETS) {
            if (p.matcher(text).find()) {
                out.add(finding(SECRET, file, line, "looks like a credential (a key, token or password)", redact(text, p)));
                return;
            }
        }
    }

    /** The line with the secret-like part masked, so the finding itself does not spread it. */
    private static String redact(String text, Pattern p) {
        Matcher m = p.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String s = m.group();
            m.appendReplacement(sb, Matcher.quoteReplacement(s.substring(0, Math.min(6, s.length())) + "…[redacted]"));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Finding finding(String kind, String file, int line, String message, String text) {
        return new Finding(kind, file, line, message, MarkdownLiteral.visible(text, EXCERPT));
    }
}
