package io.lifeboat.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the last few KiB a child process writes to stderr, for the reason of a failure. */
public final class ProcessOutput {
    private static final int KEEP = 4096;
    private final Thread reader;
    private final StringBuilder tail = new StringBuilder();

    public ProcessOutput(InputStream stderr, String name) {
        reader = new Thread(() -> {
            byte[] buf = new byte[1024];
            try {
                for (int n; (n = stderr.read(buf)) > 0; ) {
                    synchronized (tail) {
                        tail.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        if (tail.length() > KEEP) {
                            tail.delete(0, tail.length() - KEEP);
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away; what was read is what there is
            }
        }, name + "-stderr");
        reader.setDaemon(true);
        reader.start();
    }

    /** An exit status as words: "exit 1", or "killed by signal 9" (the shell's 128 + signal). */
    public static String exit(int status) {
        return status > 128 && status < 160 ? "killed by signal " + (status - 128) : "exit " + status;
    }

    /** The last lines, once the process has ended. */
    public String tail() throws InterruptedException {
        reader.join(5000);
        synchronized (tail) {
            return tail.toString().strip();
        }
    }
}
