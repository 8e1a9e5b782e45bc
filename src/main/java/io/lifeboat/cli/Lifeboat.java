package io.lifeboat.cli;

import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.repository.RepositoryBusyException;
import io.lifeboat.repository.RepositoryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: one subcommand per operation, each with --help and --json. */
@Command(name = "lifeboat", mixinStandardHelpOptions = true, version = "lifeboat 0.1.0",
        description = "Encrypted, deduplicated backup and recovery.",
        subcommands = {InitCommand.class, BackupCommand.class, SnapshotsCommand.class, RestoreCommand.class,
                VerifyCommand.class, ForgetCommand.class, PruneCommand.class, ExtendLocksCommand.class, KeyCommand.class, DbCommand.class, ServeCommand.class, TokenCommand.class,
                CatalogCommand.class, RoutesCommand.class, RecoverCommand.class, ConfigCommand.class,
                DemoCommand.class, CopyCommand.class, ExportCommand.class, ImportCommand.class,
                CostCommand.class,
                CommandLine.HelpCommand.class})
public final class Lifeboat {
    /** Exit code of a backup that finished but could not read everything (as restic does). */
    static final int EXIT_PARTIAL = 3;
    /** Exit code of a command that gave up because another operation holds the repository: try again later (restic's 11). */
    static final int EXIT_BUSY = 11;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Lifeboat());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println("lifeboat " + cmd.getCommandName() + ": " + describe(e));
            return e instanceof RepositoryBusyException ? EXIT_BUSY : 1;
        });
        return cli.execute(args);
    }

    /** One line a user can act on; a stack trace only for what must be a bug. */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u) {
            e = u.getCause();
        }
        if (e instanceof RepositoryException || e instanceof IllegalArgumentException
                || e instanceof CorruptDataException || e instanceof io.lifeboat.config.ConfigException) {
            return e.getMessage();
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof NoSuchFileException n && n.getReason() == null) {
            return n.getFile() + " is missing";
        }
        if (e instanceof FileSystemException f) {
            return f.getMessage();
        }
        if (e instanceof IOException) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
        e.printStackTrace();
        return "internal error: " + e;
    }
}
