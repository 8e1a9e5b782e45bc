package io.lifeboat.source;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a database's transaction log (WAL, binlogs) is safe in the repository: problems is empty
 * when all is well, notes say what is worth knowing anyway.
 */
public record LogReport(List<String> problems, List<String> notes, String newestArchived, int archivedFiles) {
    public boolean ok() {
        return problems.isEmpty();
    }

    public String summary() {
        List<String> all = new ArrayList<>(problems);
        all.addAll(notes);
        return String.join("; ", all);
    }
}
