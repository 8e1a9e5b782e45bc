package io.lifeboat.source.config;

import io.lifeboat.crypto.MasterKey;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the values in configuration text that look like secrets and replaces each with a
 * placeholder, {{lifeboat-secret:TAG}}, where TAG is a keyed hash of the value: the same value
 * always gives the same placeholder (so a diff shows a secret changed without showing it), and
 * the placeholder says nothing about the value without the sealing key. What is found:
 * <ul>
 * <li>values of names with PASSWORD, PASSWD, PWD, SECRET, TOKEN, KEY, CREDENTIAL or AUTH in them:
 * NAME=VALUE, NAME: VALUE, "NAME": "VALUE" at the start of a line (also after "export ", "- ",
 * "ENV " or "Environment="), "NAME": "VALUE" and --NAME=VALUE or NAME=VALUE; inside a line, and
 * YAML block scalars (NAME: |) whole;</li>
 * <li>the value after "name: NAME" in an env list (name: DB_PASSWORD / value: ...);</li>
 * <li>every value under data: and stringData: of a Kubernetes Secret, whatever its name;</li>
 * <li>private-key PEM blocks, passwords in URLs (scheme://user:pass@, scheme://:pass@), and
 * well-known credential shapes (AWS access key ids, GitHub and Slack tokens, JWTs).</li>
 * </ul>
 * Every pattern is linear in the text (names and values are matched possessively and split in
 * code), so a long line costs no more than its length.
 */
public final class SecretMasker {
    private static final Pattern SECRET_WORD = Pattern.compile("(?i)password|passwd|pwd|secret|token|key|credential|auth");
    private static final String NAME = "[A-Za-z0-9_.\\-]++";
    /** A line that assigns: its prefix, the name, the separator, and the rest of the line. */
    private static final Pattern ASSIGNMENT = Pattern.compile("^([ \\t]*+(?:export[ \\t]++|-[ \\t]++|ENV[ \\t]++"
            + "|Environment=)?[\"']?)(" + NAME + ")([\"']?[ \\t]*+[:=][ \\t]*+)([^\\n]++)$",
            Pattern.MULTILINE | Pattern.UNIX_LINES); // \r stays in the rest of the line, and so in its tail
    /** "NAME": "VALUE" anywhere in a line: JSON on one line, YAML flow mappings with quotes. */
    private static final Pattern QUOTED_PAIR = Pattern.compile("([\"'])(" + NAME + ")\\1([ \\t]*+[:=][ \\t]*+)"
            + "(?:(\")((?:[^\"\\\\\\n]|\\\\.)++)\"|(')((?:[^'\\n]|'')++)')");
    /** --NAME=VALUE or NAME=VALUE inside a line: command flags, connection strings, query strings. */
    private static final Pattern INLINE = Pattern.compile("(?<=[\\s;,?&(\"']|^)(-{0,2}+" + NAME + "=)([^\\s;,&\"')]++)");
    private static final Pattern PRIVATE_KEY_BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]{0,40})PRIVATE KEY-----");
    private static final Pattern URL_PASSWORD = Pattern.compile(
            "\\b([a-zA-Z][a-zA-Z0-9+.\\-]{0,30}+://[^\\s:/@]*+:)([^\\s@/]++)(@)");
    /**
     * Each alternative takes its whole run of characters possessively; a JWT's second and third part
     * are optional here and checked in code (group 1), so a long run that is not one costs its length.
     */
    private static final Pattern KNOWN_SHAPES = Pattern.compile("\\b(?:AKIA[0-9A-Z]{16}+|gh[pousr]_[A-Za-z0-9]{36,}+"
            + "|xox[abprs]-[A-Za-z0-9\\-]{10,}+|eyJ[A-Za-z0-9_\\-]{8,}+(\\.eyJ[A-Za-z0-9_\\-]{8,}+\\.[A-Za-z0-9_\\-]{8,}+)?)");
    /** Each of KNOWN_SHAPES starts with one of these: a text without any is not searched. */
    private static final List<String> SHAPE_STARTS = List.of("AKIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "eyJ");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{lifeboat-secret:([0-9a-f]{16})}}");
    private static final Pattern SECRET_KIND = Pattern.compile("^[ \\t]*+kind:[ \\t]*+([\"']?)Secret\\1[ \\t]*+"
            + "(?:#[^\\n]*+)?$", Pattern.MULTILINE);
    /** A YAML mapping line: indentation, "- " maybe, the key (quoted or not), the separator, the rest. */
    private static final Pattern MAPPING = Pattern.compile("([ \\t]*+)(-[ \\t]++)?([\"']?)([^\\s:\"'#][^:\"'\\n]*+)\\3"
            + "(:[ \\t]*+)([^\\n]*+)");
    private static final Pattern BLOCK_INDICATOR = Pattern.compile("[|>][-+0-9]*+[ \\t]*+(?:#.*)?");

    /** Text with its secrets replaced, and the secrets by tag (to be sealed). */
    public record Masked(String text, Map<String, String> secrets) {
    }

    private final MasterKey key;

    public SecretMasker(MasterKey key) {
        this.key = key;
    }

    public Masked mask(String text) {
        Map<String, String> found = new LinkedHashMap<>();
        String out = privateKeys(text, found);
        out = yamlLines(out, found);
        out = replace(ASSIGNMENT, out, m -> secretName(m.group(2)) ? m.group(1) + m.group(2) + m.group(3)
                + maskValue(m.group(4), found) : m.group());
        out = replace(QUOTED_PAIR, out, m -> {
            String quote = m.group(4) != null ? m.group(4) : m.group(6);
            String value = m.group(4) != null ? m.group(5) : m.group(7);
            return secretName(m.group(2)) && !placeholder(value) ? m.group(1) + m.group(2) + m.group(1) + m.group(3)
                    + quote + placeholder(value, found) + quote : m.group();
        });
        out = replace(INLINE, out, m -> secretName(m.group(1)) && !placeholder(m.group(2))
                ? m.group(1) + placeholder(m.group(2), found) : m.group());
        if (out.contains("://")) {
            out = replace(URL_PASSWORD, out, m -> placeholder(m.group(2)) ? m.group()
                    : m.group(1) + placeholder(m.group(2), found) + m.group(3));
        }
        if (SHAPE_STARTS.stream().anyMatch(out::contains)) {
            out = replace(KNOWN_SHAPES, out, m -> m.group().startsWith("eyJ") && m.group(1) == null ? m.group()
                    : placeholder(m.group(), found));
        }
        return new Masked(out, found);
    }

    /** Text for a message (an error a program printed): what looks secret replaced by ********. */
    public static String redact(String message) {
        String masked = new SecretMasker(MasterKey.generate()).mask(message).text();
        return PLACEHOLDER.matcher(masked).replaceAll("********");
    }

    /** The text with each placeholder replaced by its secret; IllegalStateException naming a tag it lacks. */
    public static String unmask(String text, Map<String, String> secrets) {
        return replace(PLACEHOLDER, text, m -> {
            String value = secrets.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("the sealed secrets hold no value for {{lifeboat-secret:" + m.group(1)
                        + "}}");
            }
            return value;
        });
    }

    /** A keyed hash of the content, to compare without showing it. */
    public String tag(byte[] content) {
        return HexFormat.of().formatHex(key.id(content, 0, content.length), 0, 8);
    }

    private static boolean secretName(String name) {
        return SECRET_WORD.matcher(name).find();
    }

    private static boolean placeholder(String value) {
        return PLACEHOLDER.matcher(value).matches();
    }

    private String placeholder(String value, Map<String, String> found) {
        String tag = tag(value.getBytes(StandardCharsets.UTF_8));
        found.put(tag, value);
        return "{{lifeboat-secret:" + tag + "}}";
    }

    /**
     * The value at the start of rest masked, what follows it kept: a quoted value up to its closing
     * quote; else up to a comment (" #"), without trailing blanks and a trailing comma.
     */
    private String maskValue(String rest, Map<String, String> found) {
        char first = rest.charAt(0);
        if (first == '"' || first == '\'') {
            int close = closingQuote(rest, first);
            if (close > 1) {
                String value = rest.substring(1, close);
                return placeholder(value) ? rest : first + placeholder(value, found) + rest.substring(close);
            }
        }
        int end = rest.indexOf(" #");
        end = end < 0 ? rest.length() : end;
        while (end > 0 && (Character.isWhitespace(rest.charAt(end - 1)) || rest.charAt(end - 1) == ',')) {
            end--;
        }
        String value = rest.substring(0, end);
        if (value.isEmpty() || placeholder(value) || BLOCK_INDICATOR.matcher(value).matches()
                || "#".equals(value.substring(0, 1))) {
            return rest;
        }
        return placeholder(value, found) + rest.substring(end);
    }

    /** Where the quoted value that opens text ends: "..." with backslash escapes, '...' with '' for a quote; -1 if not. */
    private static int closingQuote(String text, char quote) {
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == '"' && c == '\\') {
                i++;
            } else if (c == quote) {
                if (quote == '\'' && i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    /**
     * Private-key PEM blocks whole, each from its BEGIN line to the next END line of its label; a
     * BEGIN without one is passed over (a comment that names the marker), and the search goes on.
     */
    private String privateKeys(String text, Map<String, String> found) {
        if (!text.contains("PRIVATE KEY-----")) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        Matcher begin = PRIVATE_KEY_BEGIN.matcher(text);
        Map<String, Integer> noEndAfter = new HashMap<>();
        int from = 0;
        int search = 0;
        while (begin.find(search)) {
            String label = begin.group(1);
            search = begin.end();
            if (begin.start() < from || begin.end() > noEndAfter.getOrDefault(label, Integer.MAX_VALUE)) {
                continue; // inside a block already taken, or no END of this label comes after it
            }
            String end = "-----END " + label + "PRIVATE KEY-----";
            int at = text.indexOf(end, begin.end());
            if (at < 0) {
                noEndAfter.put(label, begin.end()); // each label is searched to the end once at most
                continue;
            }
            int stop = at + end.length();
            out.append(text, from, begin.start()).append(placeholder(text.substring(begin.start(), stop), found));
            from = stop;
            search = stop;
        }
        return out.append(text, from, text.length()).toString();
    }

    /**
     * What needs the lines around it (YAML): the values under data: and stringData: of a Kubernetes
     * Secret, the value that follows "name: SECRET_NAME" in an env list, and block scalars of a
     * secret name (or under a Secret's data:) whole. Line endings are kept as they are.
     */
    private String yamlLines(String text, Map<String, String> found) {
        boolean secretDocuments = SECRET_KIND.matcher(text).find();
        if (!secretDocuments && !text.contains("|") && !text.contains(">") && !text.contains("name:")) {
            return text;
        }
        String[] lines = text.split("(?<=\\n)", -1);
        StringBuilder out = new StringBuilder(text.length());
        boolean secretDocument = false;
        int dataIndent = -1;
        int envIndent = -1;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String body = line.endsWith("\r\n") ? line.substring(0, line.length() - 2)
                    : line.endsWith("\n") ? line.substring(0, line.length() - 1) : line;
            String ending = line.substring(body.length());
            if (body.startsWith("---") || i == 0) {
                secretDocument = secretDocuments && documentIsSecret(lines, body.startsWith("---") ? i + 1 : i);
                dataIndent = -1;
            }
            Matcher m = MAPPING.matcher(body);
            if (!m.matches()) {
                out.append(line);
                continue;
            }
            int indent = m.group(1).length() + (m.group(2) == null ? 0 : m.group(2).length());
            String name = m.group(4).strip();
            String rest = m.group(6);
            if (dataIndent >= 0 && indent <= dataIndent) {
                dataIndent = -1;
            }
            boolean underData = dataIndent >= 0;
            if (secretDocument && rest.isBlank() && ("data".equals(name) || "stringData".equals(name))) {
                dataIndent = indent;
            }
            boolean envValue = envIndent >= 0 && "value".equals(name) && indent == envIndent;
            envIndent = "name".equals(name) && secretName(unquote(rest.strip())) ? indent : -1;
            boolean secret = underData || envValue || secretName(name);
            if (secret && BLOCK_INDICATOR.matcher(rest).matches()) {
                int last = blockEnd(lines, i, m.group(1).length());
                if (last > i) {
                    String block = String.join("", List.of(lines).subList(i + 1, last + 1));
                    String blockEnding = block.endsWith("\r\n") ? "\r\n" : block.endsWith("\n") ? "\n" : "";
                    out.append(line).append(placeholder(block.substring(0, block.length() - blockEnding.length()),
                            found)).append(blockEnding);
                    i = last;
                    continue;
                }
            }
            if ((underData || envValue) && !rest.isBlank()) {
                String head = body.substring(0, m.start(6));
                out.append(head).append(maskValue(rest, found)).append(ending);
            } else {
                out.append(line);
            }
        }
        return out.toString();
    }

    private static boolean documentIsSecret(String[] lines, int from) {
        for (int i = from; i < lines.length && !lines[i].startsWith("---"); i++) {
            if (SECRET_KIND.matcher(lines[i].strip()).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The last line of the block scalar after line header: those indented deeper, blank ones between them. */
    private static int blockEnd(String[] lines, int header, int indent) {
        int last = header;
        for (int i = header + 1; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank()) {
                continue;
            }
            int lineIndent = l.length() - l.stripLeading().length();
            if (lineIndent <= indent) {
                break;
            }
            last = i;
        }
        return last;
    }

    private static String unquote(String s) {
        return s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'') && s.charAt(s.length() - 1) == s.charAt(0)
                ? s.substring(1, s.length() - 1) : s;
    }

    private static String replace(Pattern pattern, String text, Function<Matcher, String> with) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        do {
            m.appendReplacement(out, Matcher.quoteReplacement(with.apply(m)));
        } while (m.find());
        m.appendTail(out);
        return out.toString();
    }
}
