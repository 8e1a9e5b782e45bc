package io.lifeboat.source;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the programs the sources rely on (pg_basebackup, psql, pg_ctl, tar, ...). Each starts in
 * the root directory, which every user may enter: a tool started where it may not (a private
 * checkout, another user's home; common when it runs as the database's user) warns about it on
 * stderr, and PostgreSQL's tools then look for their own installation in vain. Paths handed to a
 * tool are therefore absolute. What a tool writes to stderr is kept apart from its answer on
 * stdout, and becomes the reason when it fails.
 */
public final class Tool {
    private static final File START_DIRECTORY = new File("/");
    private static final Executor READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tool-stdout");
        t.setDaemon(true);
        return t;
    });

    private Tool() {
    }

    /** A process for the command, to start in a directory it can enter. */
    public static ProcessBuilder of(List<String> command) {
        return new ProcessBuilder(command).directory(START_DIRECTORY);
    }

    /** What a finished tool answered (stdout), its exit status, and what it said on stderr. */
    public record Result(String program, int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        /** "psql failed (exit 2): its stderr" */
        public String failure() {
            return program + " failed (" + ProcessOutput.exit(exit) + ")" + (err.isEmpty() ? "" : ": " + err);
        }

        /** This result when the tool succeeded, else an IOException with its reason. */
        public Result orThrow() throws IOException {
            if (!ok()) {
                throw new IOException(failure());
            }
            return this;
        }
    }

    /**
     * Runs the process to its end; program names it in messages. A tool still running after the
     * timeout is killed and fails.
     */
    public static Result run(String program, ProcessBuilder process, Duration timeout)
            throws IOException, InterruptedException {
        Process p = process.start();
        ProcessOutput errors = new ProcessOutput(p.getErrorStream(), program);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, READERS);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(p);
                return new Result(program, -1, answer(out), "still running after " + timeout.toSeconds()
                        + " s, stopped; " + errors.tail());
            }
            return new Result(program, p.exitValue(), answer(out), errors.tail());
        } finally {
            p.destroyForcibly();
        }
    }

    /** A tool that overran its time, and whatever it started and still runs (a server started through runuser, say). */
    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** What the tool wrote to stdout; a child that keeps the pipe open after it exits is not waited for long. */
    private static String answer(CompletableFuture<String> out) throws InterruptedException {
        try {
            return out.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return "";
        }
    }
}
