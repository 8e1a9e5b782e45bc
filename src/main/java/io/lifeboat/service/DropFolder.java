package io.lifeboat.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of the drop folder the file component does not do: whole folders (backed up through
 * the file-backup route as one snapshot once nothing in them has changed for the settle time, then
 * moved to done/ or failed/) and the .reason file beside whatever failed.
 */
public final class DropFolder {
    private static final Logger LOG = LoggerFactory.getLogger(DropFolder.class);
    private final Path inbox;
    private final Duration settle;
    private final Function<Path, BackupRun> backUp;

    /** backUp runs a dropped path through the file-backup route and returns the run. */
    DropFolder(Path inbox, Duration settle, Function<Path, BackupRun> backUp) {
        this.inbox = inbox;
        this.settle = settle;
        this.backUp = backUp;
    }

    /** Called by the drop-folder route when a dropped file's backup failed (the body is its run). */
    public void recordFailure(Exchange exchange) throws IOException {
        writeReason(exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class),
                exchange.getMessage().getBody(BackupRun.class).getError());
    }

    /** Backs up every folder in the inbox that has settled; called on a timer by the drop-folder route. */
    public void backUpSettledFolders() throws IOException {
        List<Path> folders;
        try (Stream<Path> entries = Files.list(inbox)) {
            folders = entries.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().equals("done")
                    && !p.getFileName().toString().equals("failed") && !p.getFileName().toString().startsWith("."))
                    .toList();
        }
        for (Path folder : folders) {
            if (settled(folder)) {
                String name = folder.getFileName().toString();
                String reason;
                try {
                    BackupRun run = backUp.apply(folder.toAbsolutePath());
                    reason = run == null ? "the file-backup route returned no run" : run.getError();
                } catch (RuntimeException e) {
                    reason = e.getMessage() == null ? e.toString() : e.getMessage();
                }
                if (reason == null) {
                    moveTo("done", folder);
                    LOG.info("drop folder: folder {} backed up and moved to done/", name);
                } else {
                    moveTo("failed", folder);
                    writeReason(name, reason);
                    LOG.error("drop folder: backup of folder {} failed: {}", name, reason);
                }
            }
        }
    }

    /** True when nothing in the folder changed for the settle time (it is no longer being copied in). */
    private boolean settled(Path folder) throws IOException {
        long newest;
        try (Stream<Path> walk = Files.walk(folder)) {
            newest = walk.mapToLong(p -> p.toFile().lastModified()).max().orElse(0);
        }
        return System.currentTimeMillis() - newest >= settle.toMillis();
    }

    private void moveTo(String where, Path folder) throws IOException {
        Path target = inbox.resolve(where).resolve(folder.getFileName());
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            target = target.resolveSibling(folder.getFileName() + "-" + System.currentTimeMillis());
        }
        Files.move(folder, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private void writeReason(String name, String why) throws IOException {
        Path reason = inbox.resolve("failed").resolve(name + ".reason");
        Files.createDirectories(reason.getParent());
        Files.writeString(reason, why + "\n");
    }
}
