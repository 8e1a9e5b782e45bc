package io.lifeboat.repository;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.lifeboat.compress.Compression;
import io.lifeboat.crypto.CorruptDataException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Future;

/**
 * Transaction-log segments (PostgreSQL WAL, MySQL binlogs) of one source, found by name:
 * logs/SOURCE/SEGMENT holds the sealed list of the segment's chunks, bound to that name (the name
 * is the authenticated data), so a segment cannot be swapped for another. The data itself goes
 * through the chunk store like everything else.
 */
public final class LogArchive {
    /**
     * What a log object holds: the segment's chunks, and for a partial stored as it grows, the bytes
     * after its last settled chunk (tail: encoded as a chunk is, base64), which start at tailFrom.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Segment(String name, long size, String stored, List<String> chunks, Long tailFrom, String tail) {
        Segment(String name, long size, List<String> chunks, long tailFrom, byte[] tail) {
            this(name, size, Instant.now().toString(), chunks, tailFrom, Base64.getEncoder().encodeToString(tail));
        }

        byte[] tailBytes() {
            return tail == null ? new byte[0]
                    : Compression.decode(Base64.getDecoder().decode(tail), Math.toIntExact(size - tailFrom));
        }
    }

    public static final String PARTIAL = ".partial";
    private final Repository repository;
    private final String source;
    private ChunkStream growing;

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
        StreamArchiver.store(repository, in, compression, content -> {
            if (existing == null) {
                write(segment, content);
            } else if (!existing.chunks().equals(content.chunks())) {
                throw new IllegalArgumentException("log segment " + segment + " is archived already with other content");
            }
        });
        return existing == null;
    }

    /**
     * Stores (or replaces) the part of a segment received so far, as SEGMENT.partial; the complete
     * segment, when it arrives, supersedes it.
     */
    public void putPartial(String segment, InputStream in, Compression.Setting compression)
            throws IOException, InterruptedException {
        String name = checked(segment) + PARTIAL;
        StreamArchiver.store(repository, in, compression, content -> write(name, content));
    }

    private void write(String segment, StreamArchiver.Content content) throws IOException {
        put(segment, new Segment(checked(segment), content.size(), Instant.now().toString(), content.chunks(), null, null));
    }

    private void put(String segment, Segment s) throws IOException {
        String name = objectName(segment);
        repository.store().put(name, repository.key().seal(Repository.JSON.writeValueAsBytes(s), aad(name)));
    }

    /**
     * Stores the part received so far of a segment that only grows at its end (a binlog) as
     * SEGMENT.partial, going on from the partial stored before (previous, null for none): the new
     * bytes are cut from the previous tail's start on, the chunks that are settled go to the chunk
     * store — the complete segment will have the same ones — and the bytes after them go inside the
     * partial's own object, replaced at the next call. Each call thus costs about what arrived and
     * leaves nothing for prune; a call that settles no chunk writes that one object. A previous
     * partial whose tail is not what the file holds there is not gone on from: the file is stored
     * from its start.
     */
    public Segment putGrowing(String segment, Segment previous, Path file, Compression.Setting compression)
            throws IOException, InterruptedException {
        String name = checked(segment) + PARTIAL;
        boolean goOn = previous != null && previous.tailFrom() != null && name.equals(previous.name())
                && Files.size(file) >= previous.size() && holds(file, previous.tailFrom(), previous.tailBytes());
        long from = goOn ? previous.tailFrom() : 0;
        List<String> chunks = new ArrayList<>(goOn ? previous.chunks() : List.of());
        List<Future<ChunkId>> settled = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file).position(from)) {
            ChunkStream stream = growing().reset(Channels.newInputStream(channel));
            RepositoryLock lock = null;
            ChunkWriter writer = null;
            try {
                for (byte[] chunk = stream.nextSettled(); chunk != null; chunk = stream.nextSettled()) {
                    if (writer == null) {
                        // only new chunks need the lock: prune must not take them before this object names them
                        lock = RepositoryLock.shared(repository.store(), "backup");
                        writer = new ChunkWriter(repository, compression);
                    }
                    from += chunk.length;
                    settled.add(writer.write(chunk));
                }
                chunks.addAll(StreamArchiver.ids(settled));
                if (writer != null) {
                    writer.flush();
                }
                byte[] rest = stream.rest();
                Segment s = new Segment(name, from + rest.length, chunks, from, compression.encode(rest));
                put(name, s);
                return s;
            } finally {
                if (writer != null) {
                    writer.close();
                }
                if (lock != null) {
                    lock.close();
                }
            }
        }
    }

    private ChunkStream growing() {
        if (growing == null) {
            growing = new ChunkStream(repository.chunker());
        }
        return growing;
    }

    private static boolean holds(Path file, long at, byte[] expected) throws IOException {
        ByteBuffer actual = ByteBuffer.allocate(expected.length);
        try (FileChannel channel = FileChannel.open(file)) {
            while (actual.hasRemaining()) {
                if (channel.read(actual, at + actual.position()) < 0) {
                    return false;
                }
            }
        }
        return Arrays.equals(actual.array(), expected);
    }

    /**
     * Removes a segment from the archive (retention, or a partial superseded by its complete segment);
     * one an object lock holds stays, for a later retention to remove.
     */
    public void remove(String segment) throws IOException {
        String name = objectName(checked(segment));
        if (repository.store().lockedUntil(List.of(name)).isEmpty()) {
            repository.store().delete(name);
        }
    }

    /**
     * The segment as it is now: complete, else the part of it received so far, else null. A
     * partial is replaced by its complete segment (and then removed) while the source streams, so
     * a partial gone between the two reads is read as the complete segment it became.
     */
    public Segment current(String segment) throws IOException {
        Segment s = get(segment);
        if (s == null) {
            s = get(segment + PARTIAL);
        }
        return s != null ? s : get(segment);
    }

    /**
     * A name from {@link #list()} read as it is now: a partial listed a moment ago may have grown
     * or become its complete segment since, and is read as that. Null when it is gone (retention).
     */
    public Segment currentOf(String listedName) throws IOException {
        return listedName.endsWith(PARTIAL)
                ? current(listedName.substring(0, listedName.length() - PARTIAL.length())) : get(listedName);
    }

    /** Whether the archive has the segment (without reading it). */
    public boolean has(String segment) throws IOException {
        return repository.store().exists(objectName(checked(segment)));
    }

    /** The segment, or null when the archive does not have it. */
    public Segment get(String segment) throws IOException {
        try {
            return read(repository, objectName(checked(segment)));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * A log object listed by its full name (logs/SOURCE/SEGMENT) read as it is now, as
     * {@link #currentOf} reads it; null when it is gone. For those that list every source's logs.
     */
    public static Segment currentOf(Repository repository, String objectName) throws IOException {
        String[] parts = objectName.split("/", 3);
        return new LogArchive(repository, parts[1]).currentOf(parts[2]);
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
        InputStream chunked = new ContentReader(repository, segment.chunks());
        return segment.tail() == null ? chunked
                : new SequenceInputStream(chunked, new ByteArrayInputStream(segment.tailBytes()));
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
