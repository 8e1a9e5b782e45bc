package io.lifeboat.cli;

import io.lifeboat.compress.Compression;
import io.lifeboat.maintenance.Checker;
import io.lifeboat.repository.Progress;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.files.Archiver;
import io.lifeboat.source.files.Restorer;
import io.lifeboat.storage.LocalBlobStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A first run on embedded defaults: a demo source folder, a local repository, one backup, a
 * restore and a full verify, all under one directory. Run it again and the backup is incremental.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Back up, restore and verify a demo folder in a local repository (default under var/demo).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "var/demo", description = "where the demo lives; default ${DEFAULT-VALUE}")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Path source = dir.resolve("source");
        Path restored = dir.resolve("restored");
        byte[] passphrase = System.getenv("LIFEBOAT_PASSWORD") != null
                ? System.getenv("LIFEBOAT_PASSWORD").getBytes(StandardCharsets.UTF_8)
                : "demo".getBytes(StandardCharsets.UTF_8);
        writeSource(source);
        LocalBlobStore store = new LocalBlobStore(dir.resolve("repository"));
        Repository repo = store.exists("config") ? Repository.open(store, passphrase)
                : Repository.init(store, passphrase, Compression.parse("gzip:6"));
        Snapshot s = new Archiver(repo, new Archiver.Options(List.of(source), List.of("demo"),
                Compression.parse(repo.config().compression())), new Progress()).run();
        System.out.printf("backed up %s as snapshot %s: %d files, %d unchanged, %s newly stored%n",
                source, s.shortId(), s.summary().files(), s.summary().unchangedFiles(),
                Output.bytes(s.summary().storedBytes()));
        Restorer.Result r = new Restorer(repo, new Restorer.Options(restored, List.of()), new Progress()).run(s);
        System.out.printf("restored %d files to %s%n", r.files(), restored);
        Checker.Report report = new Checker(repo, true, new Progress()).run();
        System.out.printf("verified %d snapshots, %d packs: %s%n", report.snapshots(), report.packs(),
                report.ok() ? "no errors" : report.errors().size() + " errors");
        System.out.println("repository: " + store.location() + " (passphrase: "
                + (System.getenv("LIFEBOAT_PASSWORD") != null ? "$LIFEBOAT_PASSWORD" : "demo") + ")");
        return report.ok() && r.problems().isEmpty() ? 0 : 1;
    }

    /** A small tree shaped like the platform's: config, logs that grow on every run, camera frames. */
    private static void writeSource(Path source) throws Exception {
        Files.createDirectories(source.resolve("config"));
        Files.createDirectories(source.resolve("logs"));
        Files.createDirectories(source.resolve("media/cam-001"));
        Files.writeString(source.resolve("config/becamera.yaml"), "database: beCamera\nport: 5432\n");
        Files.writeString(source.resolve("logs/becamera.log"), LocalDateTime.now() + " INFO demo run\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Random random = new Random(1);
        for (int i = 0; i < 4; i++) {
            Path frame = source.resolve("media/cam-001/frame-" + i + ".jpg");
            if (!Files.exists(frame)) {
                byte[] pixels = new byte[300_000];
                random.nextBytes(pixels);
                Files.write(frame, pixels);
            }
        }
    }
}
