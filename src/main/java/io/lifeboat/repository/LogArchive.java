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

    public static final String PARTIAL = ".partial";
    private final Repository repository;
    private final String source;

    public LogArchive(Repository repository, String source) {
        if (!source.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("source name '" + source + "' must be letters, digits, '.', '_' or '-'");
        }
        this.repository = repository;
        this.source = source;
    }

    /**
     * Stores a segment once. A retried push whose answer was lost is accepted when the bytes are
     * the same (returns false); other bytes under an archived name are refused, so an archive
     * never silently changes.
     */
    public boolean putOnce(String segment, InputStream in, Compression.Setting compression)
            throws IOException, InterruptedException {
        Segment existing = get(segment);
        StreamArchiver.Content content = StreamArchiver.store(repository, in, compression);
        if (existing != null) {
            if (existing.chunks().equals(content.chunks())) {
                return false;
            }
            throw new IllegalArgumentException("log segment " + segment + " is archived already with other content");
        }
        write(segment, content);
        return true;
    }

    /**
     * Stores (or replaces) the part of a segment received so far, as SEGMENT.partial; the complete
     * segment, when it arrives, supersedes it.
     */
    public void putPartial(String segment, InputStream in, Compression.Setting compression)
            throws IOException, InterruptedException {
        write(checked(segment) + PARTIAL, StreamArchiver.store(repository, in, compression));
    }

    private void write(String segment, StreamArchiver.Content content) throws IOException {
        Segment s = new Segment(checked(segment), content.size(), Instant.now().toString(), content.chunks());
        String name = objectName(segment);
        repository.store().put(name, repository.key().seal(Repository.JSON.writeValueAsBytes(s), aad(name)));
    }

    /** Removes a segment from the archive (retention, or a partial superseded by its complete segment). */
    public void remove(String segment) throws IOException {
        repository.store().delete(objectName(checked(segment)));
    }

    /** The complete segment, else the part of it received so far, else null. */
    public Segment getCompleteOrPartial(String segment) throws IOException {
        Segment s = get(segment);
        return s != null ? s : get(segment + PARTIAL);
    }

    /** Whether the archive has the segment (without reading it). */
    public boolean has(String segment) throws IOException {
        return repository.store().exists(objectName(checked(segment)));
    }

    /** The segment, or null when the archive does not have it. */
    public Segment get(String segment) throws IOException {
        String name = objectName(checked(segment));
        if (!repository.store().exists(name)) {
            return null;
        }
        return read(repository, name);
    }

    /** Opens one log object by its full name (logs/SOURCE/SEGMENT), checking it belongs under that name. */
    public static Segment read(Repository repository, String objectName) throws IOException {
        try {
            return Repository.JSON.readValue(repository.key().open(repository.store().get(objectName), aad(objectName)),
                    Segment.class);
        } catch (CorruptDataException e) {
            throw new CorruptDataException(objectName + ": " + e.getMessage());
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
