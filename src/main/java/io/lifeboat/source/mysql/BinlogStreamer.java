package io.lifeboat.source.mysql;

import io.lifeboat.compress.Compression;
import io.lifeboat.repository.LogArchive;
import io.lifeboat.repository.Repository;
import io.lifeboat.source.LogStreamer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Continuous binlog: mariadb-binlog connects as a replica (--read-from-remote-server --raw
 * --stop-never) and writes exact copies of the server's binary logs into a local spool as they are
 * written; every interval what arrived goes into the repository — files the server has moved past
 * under their name, the file being written as NAME.partial, replaced as it grows — so the
 * repository is seconds behind the server. It starts again from the newest file the repository
 * has; when the server has purged that one, from the oldest the server still has (the check
 * reports the files lost between).
 */
public final class BinlogStreamer extends LogStreamer {
    private final MySqlSource source;
    private final LogArchive archive;
    private final Path spool;
    private String heldName;
    private long heldSize;
    /** The stored partial of heldName's file, which the next store of it goes on from. */
    private LogArchive.Segment partial;

    public BinlogStreamer(Repository repository, MySqlSource source, Path spool, Compression.Setting compression,
                          Duration interval) {
        this(new LogArchive(repository, source.name()), source, spool, compression, interval);
    }

    private BinlogStreamer(LogArchive archive, MySqlSource source, Path spool, Compression.Setting compression,
                           Duration interval) {
        super("binlogs of " + source.name(), archive, compression, interval);
        this.archive = archive;
        this.source = source;
        this.spool = spool;
    }

    @Override
    protected String program() {
        return "mariadb-binlog";
    }

    @Override
    protected Process start() throws IOException, InterruptedException {
        Files.createDirectories(spool);
        // the last run's files are stored as it left them (a store that fails leaves them, and this
        // start, for the next try); then the spool is emptied: the new run writes its first file
        // again from the start, and within one run every file but the newest is finished
        sweep();
        for (Path p : spoolFiles()) {
            Files.delete(p);
        }
        heldName = null;
        String first = firstToStream(serverFiles(source), archive.list());
        return source.tool("mariadb-binlog", List.of("--read-from-remote-server", "--raw", "--stop-never",
                "--stop-never-slave-server-id=" + replicaId(source.name()),
                "--result-file=" + spool.toAbsolutePath() + "/", first))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * The server id the stream connects with. A server drops a replica when another connects with
     * the same id, so two streams on the default one (two sources on one server, or an operator's
     * own mariadb-binlog) would end each other over and over: each source gets its own, from its
     * name, high in the range where configured replicas seldom are.
     */
    static long replicaId(String source) {
        CRC32 crc = new CRC32();
        crc.update(source.getBytes(StandardCharsets.UTF_8));
        return 0xF0000000L | (crc.getValue() & 0x0FFFFFFFL);
    }

    /** The server's binlog files, oldest first; an error when binary logging is off. */
    static List<String> serverFiles(MySqlSource source) throws IOException, InterruptedException {
        List<String> files = source.query("SHOW BINARY LOGS").stream().map(r -> r.get(0)).toList();
        if (files.isEmpty()) {
            throw new IOException(source.name() + " has no binary logs: start it with log_bin (docs/MARIADB.md)");
        }
        return files;
    }

    /** The newest archived file when the server still has it, else the oldest the server has. */
    static String firstToStream(List<String> onServer, List<String> archived) {
        String newest = archived.stream().map(n -> n.replace(LogArchive.PARTIAL, "")).filter(Binlogs::isFile)
                .max(Comparator.comparingLong(Binlogs::number)).orElse(null);
        return newest != null && onServer.contains(newest) ? newest : onServer.get(0);
    }

    /**
     * Stores what arrived: every file but the newest is complete (the server rotated past it);
     * the newest is stored as a partial when it changed and holds more than the repository has of
     * it (a file written again from its start never replaces a longer copy).
     */
    @Override
    public void sweep() throws IOException, InterruptedException {
        List<Path> files = spoolFiles();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            String name = f.getFileName().toString();
            if (i < files.size() - 1) {
                storeComplete(f, name);
            } else if (Files.size(f) > held(name)) {
                storePartial(f, name);
            }
        }
    }

    /**
     * A binlog only grows at its end, so each store goes on from the one before: it costs about what
     * arrived, not the whole file (up to max_binlog_size, 1 GiB by default) every second.
     */
    @Override
    protected void putPartial(Path file, String name, Compression.Setting compression)
            throws IOException, InterruptedException {
        held(name);
        partial = archive.putGrowing(name, partial, file, compression);
    }

    /** Binlog files in the spool, by number. */
    private List<Path> spoolFiles() throws IOException {
        try (Stream<Path> list = Files.list(spool)) {
            return list.filter(p -> Binlogs.isFile(p.getFileName().toString()))
                    .sorted(Comparator.comparingLong(p -> Binlogs.number(p.getFileName().toString()))).toList();
        }
    }

    /** How many bytes of the file the repository held when this run first saw it (-1: none). */
    private long held(String name) throws IOException {
        if (!name.equals(heldName)) {
            LogArchive.Segment stored = archive.current(name);
            heldSize = stored == null ? -1 : stored.size();
            partial = stored != null && stored.name().endsWith(LogArchive.PARTIAL) ? stored : null;
            heldName = name;
        }
        return heldSize;
    }
}
