package io.lifeboat.source.config;

import io.lifeboat.crypto.MasterKey;
import java.nio.charset.StandardCharsets;
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
 * the placeholder says nothing about the value without the sealing key. What is found: values of
 * names with PASSWORD, PASSWD, PWD, SECRET, TOKEN, KEY, CREDENTIAL or AUTH in them (KEY=VALUE,
 * KEY: VALUE, "key": "value", also inside a line); private-key PEM blocks; passwords in URLs (scheme://user:pass@);
 * well-known credential shapes (AWS access key ids, GitHub and Slack tokens, JWTs); and the
 * values under data/stringData of a Kubernetes Secret.
 */
public final class SecretMasker {
    private static final String SECRET_NAME = "(?i:[A-Za-z0-9_.\\-]*(?:password|passwd|pwd|secret|token|key|credential"
            + "|auth)[A-Za-z0-9_.\\-]*)";
    /** NAME=VALUE, NAME: VALUE, "NAME": "VALUE", NAME = VALUE; the value up to the line's end, quotes kept. */
    private static final Pattern ASSIGNMENT = Pattern.compile("^(\\s*(?:export\\s+)?[\"']?" + SECRET_NAME
            + "[\"']?\\s*[:=]\\s*)([\"']?)([^\\s\"'#,][^\"'\\n]*?)\\2(\\s*,?\\s*)$", Pattern.MULTILINE);
    /** "NAME": "VALUE" anywhere in a line: JSON on one line, YAML flow mappings with quotes. */
    private static final Pattern QUOTED_PAIR = Pattern.compile("([\"']" + SECRET_NAME + "[\"']\\s*[:=]\\s*)([\"'])"
            + "([^\"'\\n]+?)\\2");
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\\s\\S]*?-----END \\1PRIVATE KEY-----");
    private static final Pattern URL_PASSWORD = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.\\-]*://[^\\s:/@]+:)([^\\s@/]+)(@)");
    private static final Pattern KNOWN_SHAPES = Pattern.compile("\\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}"
            + "|xox[abprs]-[A-Za-z0-9\\-]{10,}|eyJ[A-Za-z0-9_\\-]{8,}\\.eyJ[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]{8,})\\b");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{lifeboat-secret:([0-9a-f]{16})}}");
    private static final Pattern SECRET_KIND = Pattern.compile("^kind:\\s*Secret\\s*$", Pattern.MULTILINE);
    private static final Pattern SECRET_DATA = Pattern.compile("^(\\s*)(data|stringData):\\s*$");
    private static final Pattern MAPPING = Pattern.compile("^(\\s*[^\\s:#][^:]*:\\s+)(\\S.*?)\\s*$");

    /** Text with its secrets replaced, and the secrets by tag (to be sealed). */
    public record Masked(String text, Map<String, String> secrets) {
    }

    private final MasterKey key;

    public SecretMasker(MasterKey key) {
        this.key = key;
    }

    public Masked mask(String text) {
        Map<String, String> found = new LinkedHashMap<>();
        String out = replace(PRIVATE_KEY, text, m -> placeholder(m.group(), found));
        out = kubernetesSecrets(out, found);
        out = replace(ASSIGNMENT, out, m -> PLACEHOLDER.matcher(m.group(3)).matches() ? m.group()
                : m.group(1) + m.group(2) + placeholder(m.group(3), found) + m.group(2) + m.group(4));
        out = replace(QUOTED_PAIR, out, m -> PLACEHOLDER.matcher(m.group(3)).matches() ? m.group()
                : m.group(1) + m.group(2) + placeholder(m.group(3), found) + m.group(2));
        out = replace(URL_PASSWORD, out, m -> m.group(1) + placeholder(m.group(2), found) + m.group(3));
        out = replace(KNOWN_SHAPES, out, m -> placeholder(m.group(), found));
        return new Masked(out, found);
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

    /** How many placeholders the text holds. */
    public static long placeholders(String text) {
        return PLACEHOLDER.matcher(text).results().count();
    }

    /** A keyed hash of the content, to compare without showing it. */
    public String tag(byte[] content) {
        return HexFormat.of().formatHex(key.id(content, 0, content.length), 0, 8);
    }

    private String placeholder(String value, Map<String, String> found) {
        String tag = tag(value.getBytes(StandardCharsets.UTF_8));
        found.put(tag, value);
        return "{{lifeboat-secret:" + tag + "}}";
    }

    /** The values under data: and stringData: of each YAML document that is a Kubernetes Secret. */
    private String kubernetesSecrets(String text, Map<String, String> found) {
        if (!SECRET_KIND.matcher(text).find()) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        for (String document : text.split("(?m)(?=^---)", -1)) {
            if (!SECRET_KIND.matcher(document).find()) {
                out.append(document);
                continue;
            }
            int dataIndent = -1;
            List<String> lines = document.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                int indent = line.length() - line.stripLeading().length();
                Matcher data = SECRET_DATA.matcher(line);
                Matcher mapping = MAPPING.matcher(line);
                if (data.matches()) {
                    dataIndent = data.group(1).length();
                } else if (dataIndent >= 0 && !line.isBlank() && indent <= dataIndent) {
                    dataIndent = -1;
                }
                if (dataIndent >= 0 && indent > dataIndent && mapping.matches()
                        && !PLACEHOLDER.matcher(mapping.group(2)).matches()) {
                    line = mapping.group(1) + placeholder(mapping.group(2), found);
                }
                out.append(line);
                if (i < lines.size() - 1 || document.endsWith("\n")) {
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String replace(Pattern pattern, String text, Function<Matcher, String> with) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(with.apply(m)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
