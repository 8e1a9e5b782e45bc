package io.lifeboat.source.config;

import com.fasterxml.jackson.core.type.TypeReference;
import io.lifeboat.compress.Compression;
import io.lifeboat.crypto.MasterKey;
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
 * again. Restored with the repository passphrase alone, a backup gives the masked text and the
 * sealed envelopes, never the secrets.
 */
public final class ConfigSnapshots {
    public static final String MANIFEST = ConfigItem.CAPTURED + "manifest.json";
    public static final String SECRETS = ConfigItem.CAPTURED + "secrets.sealed";
    private static final String ENVELOPE = "lifeboat-sealed:v1:";
    private static final byte[] SECRETS_AAD = "lifeboat-config-secrets".getBytes(StandardCharsets.UTF_8);

    /** What a backup's manifest says of it. */
    public record Manifest(int version, String source, String kind, List<StoredItem> items,
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

    /** Masks (or, for the security kind, seals) each piece under the key, and notes its certificates. */
    public static Prepared prepare(String kind, List<ConfigItem> items, MasterKey key) {
        SecretMasker masker = new SecretMasker(key);
        boolean sealWhole = "security".equals(kind);
        Map<String, String> secrets = new LinkedHashMap<>();
        List<StoredItem> out = new ArrayList<>();
        for (ConfigItem item : items) {
            byte[] stored = item.content();
            int found = 0;
            if (!ConfigItem.LINK.equals(item.origin())) {
                if (sealWhole) {
                    stored = (ENVELOPE + Base64.getEncoder().encodeToString(key.seal(item.content(), aad(item.path())))
                            + "\n").getBytes(StandardCharsets.US_ASCII);
                } else {
                    String text = text(item.content());
                    if (text != null) {
                        SecretMasker.Masked masked = masker.mask(text);
                        stored = masked.text().getBytes(StandardCharsets.UTF_8);
                        found = masked.secrets().size();
                        secrets.putAll(masked.secrets());
                    }
                }
            }
            out.add(new StoredItem(item.path(), item.origin(), item.linkTarget(), item.mode(), item.uid(), item.gid(),
                    item.mtime(), item.content().length, masker.tag(item.content()), found, sealWhole && !ConfigItem.LINK
                    .equals(item.origin()), Certificates.in(item.content()), stored));
        }
        return new Prepared(kind, out, secrets);
    }

    /** Stores the pieces as a snapshot of their paths; committed last, as every backup. */
    public static Snapshot save(Repository repository, String source, Prepared prepared, List<Snapshot.Problem> problems,
                                List<String> tags, Compression.Setting compression, MasterKey key)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        Map<String, byte[]> extra = new HashMap<>();
        extra.put(MANIFEST, Repository.JSON.writeValueAsBytes(new Manifest(1, source, prepared.kind(),
                prepared.items(), problems)));
        if (!prepared.secrets().isEmpty()) {
            extra.put(SECRETS, key.seal(Repository.JSON.writeValueAsBytes(prepared.secrets()), SECRETS_AAD));
        }
        List<StoredItem> all = new ArrayList<>(prepared.items());
        long now = System.currentTimeMillis() * 1_000_000L;
        extra.forEach((path, content) -> all.add(new StoredItem(path, ConfigItem.FILE, null, 0600, 0, 0, now,
                content.length, null, 0, false, null, content)));
        all.sort(Comparator.comparing(StoredItem::path, PathOrder.INSTANCE));
        long bytes = 0;
        long links = 0;
        try (RepositoryLock lock = repository.sharedLock("backup");
             ChunkWriter chunks = new ChunkWriter(repository, compression)) {
            NodeStreamWriter nodes = new NodeStreamWriter(chunks, repository.chunker());
            for (StoredItem item : all) {
                if (item.link()) {
                    links++;
                    nodes.write(new Node(item.path(), Node.SYMLINK, item.mode(), item.uid(), item.gid(), item.mtime(),
                            item.mtime(), 0, 0, 0, 0, null, item.target(), false, null, null));
                    continue;
                }
                StreamArchiver.Content content = StreamArchiver.write(repository, chunks,
                        new ByteArrayInputStream(item.stored()));
                bytes += content.size();
                nodes.write(new Node(item.path(), Node.FILE, item.mode(), item.uid(), item.gid(), item.mtime(),
                        item.mtime(), content.size(), 0, 0, 0, content.chunks(), null, false, null, null));
            }
            List<String> nodeChunks = nodes.finish();
            chunks.flush();
            Snapshot.Summary summary = new Snapshot.Summary(all.size() - links, 0, links, 0, bytes, 0, 0,
                    chunks.newChunks(), chunks.storedBytes(), chunks.packs(), (System.nanoTime() - started) / 1_000_000);
            return repository.commit(new Snapshot(null, 1, Instant.now().toString(), Keys.host(), Keys.user(),
                    List.of(ConfigItem.CAPTURED + source), tags, null, problems.isEmpty() ? Snapshot.SUCCESS
                    : Snapshot.PARTIAL, nodeChunks, problems, summary));
        }
    }

    /** A configuration backup read back; RepositoryException when the snapshot is not one. */
    public static Loaded load(Repository repository, Snapshot snapshot) throws IOException {
        Map<String, Node> nodes = new HashMap<>();
        NodeStreamReader reader = new NodeStreamReader(repository, snapshot.nodes());
        while (reader.hasNext()) {
            Node n = reader.next();
            nodes.put(n.path(), n);
        }
        Node manifestNode = nodes.get(MANIFEST);
        if (manifestNode == null) {
            throw new RepositoryException("snapshot " + snapshot.shortId() + " is not a configuration backup");
        }
        Manifest manifest = Repository.JSON.readValue(read(repository, manifestNode), Manifest.class);
        List<StoredItem> items = new ArrayList<>();
        for (StoredItem entry : manifest.items()) {
            Node n = nodes.get(entry.path());
            if (n == null) {
                throw new RepositoryException("configuration backup " + snapshot.shortId() + " lacks " + entry.path());
            }
            items.add(entry.withStored(entry.link() ? new byte[0] : read(repository, n)));
        }
        Node secrets = nodes.get(SECRETS);
        return new Loaded(manifest, items, secrets == null ? null : read(repository, secrets));
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
