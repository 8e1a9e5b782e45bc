package io.lifeboat.catalog.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The tables of Quartz's JDBC job store, where several service nodes sharing a PostgreSQL catalog
 * keep their schedules (the embedded catalog serves one node, which schedules in memory). The
 * statements are those Quartz ships for PostgreSQL, read from its jar, so the schema is always the
 * one the Quartz on the class path expects.
 */
public class V4__scheduler_tables extends BaseJavaMigration {
    private static final String SCRIPT = "/org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        if (!"PostgreSQL".equals(connection.getMetaData().getDatabaseProductName())) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements()) {
                statement.execute(sql);
            }
        }
    }

    /** The script's statements, without comments and without its COMMIT (Flyway commits the migration). */
    static List<String> statements() throws IOException {
        String script;
        try (InputStream in = org.quartz.Scheduler.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException("Quartz's " + SCRIPT + " is not on the class path");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder text = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                text.append(line).append('\n');
            }
        }
        return Arrays.stream(text.toString().split(";")).map(String::strip)
                .filter(s -> !s.isEmpty() && !s.equalsIgnoreCase("commit")).toList();
    }
}
