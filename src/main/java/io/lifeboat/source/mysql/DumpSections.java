package io.lifeboat.source.mysql;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Picks tables out of a mariadb-dump file. The dump marks each part with a comment line: "--
 * Current Database: `db`" (a dump of several databases), "-- Table structure for table `t`",
 * "-- Dumping data for table `t`", and others for views, routines and events. What comes before the
 * first mark (session settings) is kept; of the rest only the chosen tables' parts, without their
 * DROP TABLE. Bytes pass through unchanged (read as ISO-8859-1, one byte a character).
 */
final class DumpSections {
    private DumpSections() {
    }

    /** Copies the chosen tables' parts; returns the tables of the chosen database found (and copied). */
    static Set<String> copyTables(InputStream dump, OutputStream out, String database, Set<String> tables)
            throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(dump, StandardCharsets.ISO_8859_1), 1 << 20);
        Set<String> found = new HashSet<>();
        boolean header = true;
        boolean copying = false;
        String current = database;
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("-- Current Database: ")) {
                current = quoted(line);
                header = false;
                copying = false;
                continue;
            }
            String table = line.startsWith("-- Table structure for table ") || line.startsWith("-- Dumping data for table ")
                    ? quoted(line) : null;
            if (table != null) {
                header = false;
                copying = database.equals(current) && tables.contains(table);
                if (copying) {
                    found.add(table);
                }
                continue;
            }
            if (line.startsWith("-- Dumping events for database") || line.startsWith("-- Dumping routines for database")
                    || line.startsWith("-- Temporary table structure for view") || line.startsWith("-- Final view structure")) {
                header = false;
                copying = false;
                continue;
            }
            if ((header || copying) && !line.startsWith("DROP TABLE IF EXISTS ")) {
                out.write(line.getBytes(StandardCharsets.ISO_8859_1));
                out.write('\n');
            }
        }
        out.flush();
        return found;
    }

    /** The name between the first and last backquote of a mark, a doubled backquote undone. */
    private static String quoted(String line) {
        int first = line.indexOf('`');
        int last = line.lastIndexOf('`');
        return first < 0 || last <= first ? "" : line.substring(first + 1, last).replace("``", "`");
    }
}
