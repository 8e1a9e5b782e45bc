package io.lifeboat.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;

/** Writes why a dropped file failed, beside where the file component moves it (failed/NAME.reason). */
public final class DropFolder {
    private final Path inbox;

    public DropFolder(Path inbox) {
        this.inbox = inbox;
    }

    public void recordFailure(Exchange exchange) throws IOException {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
        Path reason = inbox.resolve("failed").resolve(name + ".reason");
        Files.createDirectories(reason.getParent());
        Files.writeString(reason, (e == null || e.getMessage() == null ? String.valueOf(e) : e.getMessage()) + "\n");
    }
}
