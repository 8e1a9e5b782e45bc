package io.lifeboat.repository;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.lifeboat.compress.Compression;
import io.lifeboat.crypto.CorruptDataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Transaction-log segments (PostgreSQL WAL, MySQL binlogs) of one source, found by name:
 * logs/SOURCE/SEGMENT holds the sealed list of the segment's chunks, bound to that name (the name
 * is the authenticated data), so a segment cannot be swapped for another. The data itself goes
 * through the chunk store like everything else.
 */
public final class LogArchive {
    /** What a log object holds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Segment(String name, long size, String stored, List<String> chunks) {
    }

    private final Repository repository;
    private final String source;

    public LogArchive(Repository repository, String source) {
        if (!source.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("source name '" + source + "' must be letters, digits, '.', '_' or '-'");
        }
        this.repository = repository;
        this.source = source;
    }

    /** Stores a segment; storing the same name again with the same bytes is harmless (archive retries). */
    public Segment put(String segment, InputStream in, Compression.Setting compression)
            throws IOException, InterruptedException {
        StreamArchiver.Content content = StreamArchiver.store(repository, in, compression);
        Segment s = new Segment(checked(segment), content.size(), Instant.now().toString(), content.chunks());
        String name = objectName(segment);
        repository.store().put(name, repository.key().seal(Repository.JSON.writeValueAsBytes(s), aad(name)));
        return s;
    }

    /** Stores the stream's chunks without naming a segment: what put would record, for comparing. */
    public Segment chunksOf(InputStream in, Compression.Setting compression) throws IOException, InterruptedException {
        StreamArchiver.Content content = StreamArchiver.store(repository, in, compression);
        return new Segment(null, content.size(), Instant.now().toString(), content.chunks());
    }

    /** The segment, or null when the archive does not have it. */
    public Segment get(String segment) throws IOException {
        String name = objectName(checked(segment));
        if (!repository.store().exists(name)) {
            return null;
        }
        try {
            return Repository.JSON.readValue(repository.key().open(repository.store().get(name), aad(name)), Segment.class);
        } catch (CorruptDataException e) {
            throw new CorruptDataException(name + ": " + e.getMessage());
        }
    }

    public InputStream open(Segment segment) {
        return new ContentReader(repository, segment.chunks());
    }

    /** Names of every stored segment, sorted. */
    public List<String> list() throws IOException {
        String prefix = "logs/" + source + "/";
        return repository.store().list(prefix).stream().map(n -> n.substring(prefix.length())).sorted().toList();
    }

    private String objectName(String segment) {
        return "logs/" + source + "/" + segment;
    }

    private static byte[] aad(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static String checked(String segment) {
        if (!segment.matches("[0-9A-Za-z][0-9A-Za-z._-]*")) {
            throw new IllegalArgumentException("'" + segment + "' is not a log segment name");
        }
        return segment;
    }
}
