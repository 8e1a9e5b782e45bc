package io.lifeboat.source.config;

import com.fasterxml.jackson.core.type.TypeReference;
import io.lifeboat.compress.Compression;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.repository.ChunkStream;
import io.lifeboat.repository.ChunkWriter;
import io.lifeboat.repository.ContentReader;
import io.lifeboat.repository.Keys;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.repository.StreamArchiver;
import io.lifeboat.source.files.Node;
import io.lifeboat.source.files.NodeStreamReader;
import io.lifeboat.source.files.NodeStreamWriter;
import io.lifeboat.source.files.PathOrder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Configuration backups in the repository: a snapshot whose files are the pieces of a source at
 * their own paths, plus /captured/manifest.json (kind, each piece's entry, what was skipped) and,
 * when secrets were found, /captured/secrets.sealed. The second layer: secret values are taken
 * out of the text (left as placeholders) and sealed together under the configuration key, and a
 * piece of the security kind is sealed whole under it; the repository then encrypts all of it
 * again. A piece that is not UTF-8 text (binary, another encoding), where secrets cannot be looked
 * for, is sealed whole too. Restored with the repository passphrase alone, a backup gives the
 * masked text and the sealed envelopes, never the secrets.
 */
public final class ConfigSnapshots {
    public static final String MANIFEST = ConfigItem.CAPTURED + "manifest.json";
    public static final String SECRETS = ConfigItem.CAPTURED + "secrets.sealed";
    private static final String ENVELOPE = "lifeboat-sealed:v1:";
    private static final byte[] SECRETS_AAD = "lifeboat-config-secrets".getBytes(StandardCharsets.UTF_8);

    /** What a backup's manifest says of it. */
    public record Manifest(int version, String source, String kind, String keyId, List<StoredItem> items,
                           List<Snapshot.Problem> skipped) {
    }

    /** Pieces ready to store, and the secret values taken out of them, by tag. */
    public record Prepared(String kind, List<StoredItem> items, Map<String, String> secrets) {
    }

    /** A backup read back: its manifest, its pieces with what the repository holds of each, and its sealed secrets. */
    public record Loaded(Manifest manifest, List<StoredItem> items, byte[] sealedSecrets) {
        public Map<String, StoredItem> byPath() {
            Map<String, StoredItem> out = new TreeMap<>(PathOrder.INSTANCE);
            items.forEach(i -> out.put(i.path(), i));
            return out;
        }
    }

    private ConfigSnapshots() {
    }

    /**
     * Masks (or, for the security kind, seals) each piece under the key, and notes its certificates;
     * the pieces are independent, so they are worked on in parallel.
     */
    public static Prepared prepare(String kind, List<ConfigItem> items, MasterKey key) {
        SecretMasker masker = new SecretMasker(key);
        boolean sealWhole = "security".equals(kind);
        List<Piece> pieces = items.parallelStream().map(item -> piece(item, sealWhole, masker, key)).toList();
        Map<String, String> secrets = new LinkedHashMap<>();
        pieces.forEach(p -> secrets.putAll(p.secrets()));
        return new Prepared(kind, pieces.stream().map(Piece::item).toList(), secrets);
    }

    /** One piece ready to store, and the secrets taken out of it. */
    private record Piece(StoredItem item, Map<String, String> secrets) {
    }

    private static Piece piece(ConfigItem item, boolean sealWhole, SecretMasker masker, MasterKey key) {
        byte[] stored = item.content();
        Map<String, String> secrets = Map.of();
        boolean content = !ConfigItem.LINK.equals(item.origin()) && !ConfigItem.DIR.equals(item.origin());
        boolean sealed = false;
        if (content && !sealWhole) {
            String text = text(item.content());
            SecretMasker.Masked masked = text == null ? null : masker.mask(text);
            if (masked != null && roundTrips(masked, text)) {
                stored = masked.text().getBytes(StandardCharsets.UTF_8);
                secrets = masked.secrets();
            } else {
                sealed = true; // not text that can be searched for secrets (or put back exactly): sealed whole
            }
        }
        if (content && (sealWhole || sealed)) {
            byte[] sealedContent = key.sealDeterministic(item.content(), aad(item.path()));
            stored = (ENVELOPE + Base64.getEncoder().encodeToString(sealedContent) + "\n").getBytes(StandardCharsets.US_ASCII);
        }
        return new Piece(new StoredItem(item.path(), item.origin(), item.linkTarget(), item.mode(), item.uid(),
                item.gid(), item.mtime(), item.content().length, masker.tag(item.content()), secrets.size(),
                content && (sealWhole || sealed), Certificates.in(item.content()), stored), secrets);
    }

    /** Stores the pieces as a snapshot of their paths; committed last, as every backup. */
    public static Snapshot save(Repository repository, String source, Prepared prepared, List<Snapshot.Problem> problems,
                                List<String> tags, Compression.Setting compression, MasterKey key)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        Map<String, byte[]> extra = new HashMap<>();
        extra.put(MANIFEST, Repository.JSON.writeValueAsBytes(new Manifest(1, source, prepared.kind(), keyId(key),
                prepared.items(), problems)));
        if (!prepared.secrets().isEmpty()) {
            extra.put(SECRETS, key.sealDeterministic(Repository.JSON.writeValueAsBytes(prepared.secrets()), SECRETS_AAD));
        }
        List<StoredItem> all = new ArrayList<>(prepared.items());
        // stamped with the newest piece's time, not the clock: a backup of what did not change then stores nothing new
        long newest = prepared.items().stream().mapToLong(StoredItem::mtime).max().orElse(0);
        extra.forEach((path, content) -> all.add(new StoredItem(path, ConfigItem.FILE, null, 0600, 0, 0, newest,
                content.length, null, 0, false, null, content)));
        all.sort(Comparator.comparing(StoredItem::path, PathOrder.INSTANCE));
        long bytes = 0;
        long links = 0;
        long dirs = 0;
        try (RepositoryLock lock = repository.sharedLock("backup");
             ChunkWriter chunks = new ChunkWriter(repository, compression)) {
            NodeStreamWriter nodes = new NodeStreamWriter(chunks, repository.chunker());
            ChunkStream stream = new ChunkStream(repository.chunker());
            for (StoredItem item : all) {
                if (item.dir()) {
                    dirs++;
                    nodes.write(new Node(item.path(), Node.DIR, item.mode(), item.uid(), item.gid(), item.mtime(),
                            item.mtime(), 0, 0, 0, 0, null, null, false, null, null));
                    continue;
                }
                if (item.link()) {
                    links++;
                    nodes.write(new Node(item.path(), Node.SYMLINK, item.mode(), item.uid(), item.gid(), item.mtime(),
                            item.mtime(), 0, 0, 0, 0, null, item.target(), false, null, null));
                    continue;
                }
                StreamArchiver.Content content = StreamArchiver.write(chunks, stream,
                        new ByteArrayInputStream(item.stored()));
                bytes += content.size();
                nodes.write(new Node(item.path(), Node.FILE, item.mode(), item.uid(), item.gid(), item.mtime(),
                        item.mtime(), content.size(), 0, 0, 0, content.chunks(), null, false, null, null));
            }
            List<String> nodeChunks = nodes.finish();
            chunks.flush();
            Snapshot.Summary summary = new Snapshot.Summary(all.size() - links - dirs, dirs, links, 0, bytes, 0, 0,
                    chunks.newChunks(), chunks.storedBytes(), chunks.packs(), (System.nanoTime() - started) / 1_000_000);
            return repository.commit(new Snapshot(null, 1, Instant.now().toString(), Keys.host(), Keys.user(),
                    List.of(ConfigItem.CAPTURED + source), tags, null, problems.isEmpty() ? Snapshot.SUCCESS
                    : Snapshot.PARTIAL, nodeChunks, problems, summary));
        }
    }

    /** A configuration backup read back; RepositoryException when the snapshot is not one. */
    public static Loaded load(Repository repository, Snapshot snapshot) throws IOException {
        Map<String, Node> nodes = nodes(repository, snapshot);
        Manifest manifest = manifest(repository, snapshot, nodes);
        List<StoredItem> items = new ArrayList<>();
        for (StoredItem entry : manifest.items()) {
            Node n = nodes.get(entry.path());
            if (n == null) {
                throw new RepositoryException("configuration backup " + snapshot.shortId() + " lacks " + entry.path());
            }
            items.add(entry.withStored(entry.hasContent() ? read(repository, n) : new byte[0]));
        }
        Node secrets = nodes.get(SECRETS);
        return new Loaded(manifest, items, secrets == null ? null : read(repository, secrets));
    }

    /** What a backup's manifest says, without reading its pieces. */
    public static Manifest manifest(Repository repository, Snapshot snapshot) throws IOException {
        return manifest(repository, snapshot, nodes(repository, snapshot));
    }

    private static Map<String, Node> nodes(Repository repository, Snapshot snapshot) {
        Map<String, Node> nodes = new HashMap<>();
        NodeStreamReader reader = new NodeStreamReader(repository, snapshot.nodes());
        while (reader.hasNext()) {
            Node n = reader.next();
            nodes.put(n.path(), n);
        }
        return nodes;
    }

    private static Manifest manifest(Repository repository, Snapshot snapshot, Map<String, Node> nodes)
            throws IOException {
        Node manifestNode = nodes.get(MANIFEST);
        if (manifestNode == null) {
            throw new RepositoryException("snapshot " + snapshot.shortId() + " is not a configuration backup");
        }
        return Repository.JSON.readValue(read(repository, manifestNode), Manifest.class);
    }

    /** The secret values of a backup, by tag; needs the configuration key (a wrong one: CorruptDataException). */
    public static Map<String, String> secrets(Loaded loaded, MasterKey key) throws IOException {
        if (loaded.sealedSecrets() == null) {
            return Map.of();
        }
        return Repository.JSON.readValue(key.open(loaded.sealedSecrets(), SECRETS_AAD), new TypeReference<>() {
        });
    }

    /** A piece's real content: unsealed, or its secrets put back. */
    public static byte[] plaintext(StoredItem item, Map<String, String> secrets, MasterKey key) {
        if (item.sealed()) {
            String envelope = new String(item.stored(), StandardCharsets.US_ASCII).strip();
            if (!envelope.startsWith(ENVELOPE)) {
                throw new RepositoryException(item.path() + " should be sealed and is not");
            }
            return key.open(Base64.getDecoder().decode(envelope.substring(ENVELOPE.length())), aad(item.path()));
        }
        if (item.secrets() == 0) {
            return item.stored();
        }
        return SecretMasker.unmask(new String(item.stored(), StandardCharsets.UTF_8), secrets)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the masked text gives back exactly the text (a placeholder already in it, say, would not). */
    private static boolean roundTrips(SecretMasker.Masked masked, String text) {
        try {
            return SecretMasker.unmask(masked.text(), masked.secrets()).equals(text);
        } catch (IllegalStateException placeholderOfItsOwn) {
            return false;
        }
    }

    /** Names the configuration key without revealing it: recorded with each backup, compared before a restore. */
    public static String keyId(MasterKey key) {
        return new SecretMasker(key).tag("lifeboat configuration key".getBytes(StandardCharsets.UTF_8));
    }

    /** The content as text when it is UTF-8 without NUL bytes, else null. */
    static String text(byte[] content) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
            return s.indexOf('\0') >= 0 ? null : s;
        } catch (CharacterCodingException binary) {
            return null;
        }
    }

    private static byte[] aad(String path) {
        return ("lifeboat-config:" + path).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] read(Repository repository, Node node) throws IOException {
        try (ContentReader in = new ContentReader(repository, node.chunks())) {
            return in.readAllBytes();
        }
    }
}
