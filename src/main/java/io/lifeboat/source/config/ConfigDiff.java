package io.lifeboat.source.config;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.lifeboat.source.files.PathOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changed between two states of a configuration source (two backups, or a backup and what is
 * on disk now), piece by piece, as a unified diff of what may be shown: masked text, never a
 * secret; for a sealed piece only that its content changed and its certificates.
 */
public final class ConfigDiff {
    private static final int CONTEXT = 3;

    /** One piece that differs: added, removed or changed, and the lines that show how. */
    public record Change(String path, String change, List<String> lines) {
    }

    private ConfigDiff() {
    }

    public static List<Change> between(Map<String, StoredItem> before, Map<String, StoredItem> after) {
        Set<String> paths = new TreeSet<>(PathOrder.INSTANCE);
        paths.addAll(before.keySet());
        paths.addAll(after.keySet());
        List<Change> changes = new ArrayList<>();
        for (String path : paths) {
            StoredItem a = before.get(path);
            StoredItem b = after.get(path);
            List<String> was = a == null ? List.of() : shown(a);
            List<String> is = b == null ? List.of() : shown(b);
            List<String> lines = new ArrayList<>();
            if (a != null && b != null && (a.mode() != b.mode() || a.uid() != b.uid() || a.gid() != b.gid())) {
                lines.add(String.format("metadata: mode %04o owner %d:%d -> mode %04o owner %d:%d", a.mode(), a.uid(),
                        a.gid(), b.mode(), b.uid(), b.gid()));
            }
            if (!was.equals(is)) {
                lines.addAll(UnifiedDiffUtils.generateUnifiedDiff(a == null ? "/dev/null" : "a" + path,
                        b == null ? "/dev/null" : "b" + path, was, DiffUtils.diff(was, is), CONTEXT));
            }
            if (!lines.isEmpty()) {
                changes.add(new Change(path, a == null ? "added" : b == null ? "removed" : "changed", lines));
            }
        }
        return changes;
    }

    /** The lines a piece shows: its masked text, or what can be said of it without its content. */
    static List<String> shown(StoredItem item) {
        if (item.link()) {
            return List.of("symbolic link to " + item.target());
        }
        if (item.dir()) {
            return List.of("directory");
        }
        List<String> lines = new ArrayList<>();
        String text = item.sealed() ? null : ConfigSnapshots.text(item.stored());
        if (text != null) {
            lines.addAll(text.lines().toList());
        } else {
            lines.add((item.sealed() ? "sealed" : "binary") + ", " + item.size() + " bytes, content " + item.tag());
        }
        if (item.sealed()) {
            Objects.requireNonNullElse(item.certificates(), List.<Certificates.Certificate>of()).forEach(c ->
                    lines.add("certificate " + c.subject() + ", valid until " + c.notAfter()));
        }
        return lines;
    }
}
