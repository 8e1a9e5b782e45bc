package io.lifeboat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What a service running in the test's JVM logs, kept for assertions: the service logs to stderr
 * (slf4j-simple looks System.err up at each line), which is passed on and copied here.
 */
public final class ServiceLog {
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

    private ServiceLog() {
    }

    /** Starts copying stderr from now on. */
    public static ServiceLog capture() {
        ServiceLog log = new ServiceLog();
        PrintStream stderr = System.err;
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                stderr.write(b);
                synchronized (log.copy) {
                    log.copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                stderr.write(b, off, len);
                synchronized (log.copy) {
                    log.copy.write(b, off, len);
                }
            }
        }, true, StandardCharsets.UTF_8));
        return log;
    }

    public String text() {
        synchronized (copy) {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    /** The log holds `seen` (so it was captured) and never `secret`. */
    public void assertNotContains(String secret, String seen) {
        String text = text();
        assertTrue(text.contains(seen), "the log was captured: no '" + seen + "' in it");
        assertFalse(text.contains(secret), "the secret is in the log");
    }
}
