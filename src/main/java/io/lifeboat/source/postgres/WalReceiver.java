package io.lifeboat.source.postgres;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.LogStreamer;
import io.lifeboat.source.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Continuous WAL: pg_receivewal streams WAL over a replication slot into a local spool as the
 * server writes it (--synchronous: flushed at once), and every interval what arrived goes into the
 * repository — finished segments under their name, the segment being written as SEGMENT.partial,
 * replaced as it grows. The repository is thus seconds behind the server, not a segment or an
 * archive_timeout behind, and a restore can end at the last transaction received. The slot makes
 * the server keep WAL the receiver has not yet taken, so nothing is lost while it is down
 * (bound it with max_slot_wal_keep_size).
 */
public final class WalReceiver extends LogStreamer {
    private final PgSource source;
    private final Path spool;

    public WalReceiver(Repository repository, PgSource source, Path spool, Compression.Setting compression,
                       Duration interval) {
        super("WAL of " + source.name(), new LogArchive(repository, source.name()), compression, interval);
        this.source = source;
        this.spool = spool;
    }

    /** The replication slot's name: lifeboat_ and the source name in PostgreSQL's slot alphabet. */
    public static String slotName(String source) {
        return "lifeboat_" + source.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    @Override
    protected String program() {
        return "pg_receivewal";
    }

    private void createSlot() throws IOException, InterruptedException {
        Tool.Result created = Tool.run("pg_receivewal", source.tool("pg_receivewal", List.of("--create-slot",
                "--if-not-exists", "-S", slotName(source.name()))), java.time.Duration.ofMinutes(2));
        if (!created.ok()) {
            throw new IOException("creating replication slot " + slotName(source.name()) + ": " + created.failure());
        }
    }

    @Override
    protected Process start() throws IOException, InterruptedException {
        Files.createDirectories(spool);
        createSlot();
        return source.tool("pg_receivewal", List.of("-D", spool.toAbsolutePath().toString(), "-S", slotName(source.name()),
                "--synchronous", "-n")).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * Moves what arrived into the repository: finished segments and timeline history files (then
     * removed from the spool), and the growing partial segment when it changed.
     */
    @Override
    public void sweep() throws IOException, InterruptedException {
        List<Path> files;
        try (Stream<Path> list = Files.list(spool)) {
            files = list.sorted().toList();
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (WalChain.isSegment(name) || name.matches("[0-9A-F]{8}\\.history")) {
                storeComplete(f, name);
            }
        }
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.endsWith(LogArchive.PARTIAL) && Files.exists(f)) {
                storePartial(f, name.substring(0, name.length() - LogArchive.PARTIAL.length()));
            }
        }
    }
}
