package io.lifeboat.maintenance;

import io.lifeboat.repository.IndexFile;
import io.lifeboat.repository.Repository;
import io.lifeboat.repository.RepositoryException;
import io.lifeboat.repository.RepositoryLock;
import io.lifeboat.repository.Snapshot;
import io.lifeboat.source.BackupContents;
import io.lifeboat.storage.BlobStore;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An export: chosen backups and everything they need, as one tar archive written and read front
 * to back (a tape), holding a repository of their own — the config and key files, the packs they
 * use, one index object naming those packs, their snapshots, and for database backups the log
 * segments of their sources — then a manifest of every object's size and SHA-256, then the
 * manifest's signature. The archive is checked whole before anything of it is used: a changed
 * byte anywhere fails the signature check, a cut-off archive is refused with where it ends.
 */
public final class Export {
    public static final String MANIFEST = "lifeboat-export.json";
    public static final String SIGNATURE = "lifeboat-export.sig";
    private static final List<String> KINDS = List.of("config", "keys/", "data/", "index/", "snapshots/", "logs/");

    /** Signs a manifest: returns the signature as text. */
    @FunctionalInterface
    public interface Signer {
        String sign(byte[] manifest) throws IOException;
    }

    /** Checks a manifest's signature; an IOException saying why when it does not hold. */
    @FunctionalInterface
    public interface Verifier {
        void verify(byte[] manifest, String signature) throws IOException;
    }

    public record Manifest(int format, String created, List<String> snapshots, List<Entry> objects) {
    }

    public record Entry(String name, long size, String sha256) {
    }

    private Export() {
    }

    /** Writes the snapshots (and what they need) to the archive; returns its manifest. */
    public static Manifest write(Repository repo, List<Snapshot> chosen, OutputStream out, Signer signer)
            throws IOException {
        BlobStore store = repo.store();
        try (RepositoryLock lock = repo.sharedLock("export");
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            BackupContents contents = BackupContents.of(repo, chosen);
            List<String> logs = contents.logs();
            List<IndexFile.Pack> packs = packsOf(repo, contents.packs(repo, "the export"));

            List<Entry> written = new ArrayList<>();
            written.add(put(tar, "config", store.get("config")));
            for (String key : new TreeSet<>(store.list("keys/"))) {
                written.add(put(tar, key, store.get(key)));
            }
            for (IndexFile.Pack p : packs) {
                String name = Repository.packPath(p.name());
                Entry e = put(tar, name, store.size(name), store.open(name));
                if (!e.sha256().equals(p.name())) {
                    throw new RepositoryException(store.location() + "/" + name + " is damaged (its bytes do not hash to "
                            + "its name); the export stops. Run verify --read-data.");
                }
                written.add(e);
            }
            Repository.Sealed index = repo.seal("index", IndexFile.encode(packs));
            written.add(put(tar, index.name(), index.bytes()));
            for (Snapshot s : chosen) {
                written.add(put(tar, "snapshots/" + s.id(), store.get("snapshots/" + s.id())));
            }
            for (String name : logs) {
                written.add(put(tar, name, store.get(name)));
            }
            Manifest manifest = new Manifest(1, Instant.now().toString(), chosen.stream().map(Snapshot::id).toList(),
                    written);
            byte[] bytes = Repository.JSON.writeValueAsBytes(manifest);
            put(tar, MANIFEST, bytes);
            put(tar, SIGNATURE, signer.sign(bytes).getBytes(StandardCharsets.US_ASCII));
            tar.finish();
            return manifest;
        }
    }

    /** The packs, each whole as the index lists it. */
    private static List<IndexFile.Pack> packsOf(Repository repo, Set<String> needed) {
        Map<String, IndexFile.Pack> packs = new LinkedHashMap<>();
        repo.reloadIndex((name, listed, damage) -> {
            if (listed != null) {
                listed.stream().filter(p -> needed.contains(p.name())).forEach(p -> packs.putIfAbsent(p.name(), p));
            }
        });
        return new ArrayList<>(packs.values());
    }

    private static Entry put(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        return put(tar, name, bytes.length, new ByteArrayInputStream(bytes));
    }

    private static Entry put(TarArchiveOutputStream tar, String name, long size, InputStream from) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(size);
        tar.putArchiveEntry(entry);
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(from, sha)) {
            long copied = in.transferTo(tar);
            if (copied != size) {
                throw new IOException(name + " changed while it was exported: " + copied + " bytes where " + size
                        + " were listed");
            }
        }
        tar.closeArchiveEntry();
        return new Entry(name, size, HexFormat.of().formatHex(sha.digest()));
    }

    /**
     * Reads an archive into the directory (which becomes a repository holding what was exported),
     * checking it whole: its signature, and every object against the signed manifest. An archive that
     * fails leaves the directory to be removed by the caller.
     */
    public static Manifest read(InputStream in, Path into, Verifier verifier) throws IOException {
        Map<String, Entry> found = new HashMap<>();
        byte[] manifest = null;
        String signature = null;
        String last = null;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                last = name;
                if (manifest != null && !SIGNATURE.equals(name)) {
                    throw new RepositoryException("the export holds " + name + " after its manifest: it is not an export "
                            + "Lifeboat wrote");
                }
                if (MANIFEST.equals(name)) {
                    manifest = tar.readAllBytes();
                } else if (SIGNATURE.equals(name)) {
                    signature = new String(tar.readAllBytes(), StandardCharsets.US_ASCII);
                } else {
                    found.put(name, extract(tar, name, into));
                }
            }
        } catch (EOFException e) {
            throw truncated(last, found.size());
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (why.toLowerCase().contains("truncated")) {
                throw truncated(last, found.size());
            }
            throw new RepositoryException("the export cannot be read after " + last + ": " + why);
        }
        if (manifest == null || signature == null) {
            throw new RepositoryException("the export is truncated: it ends after " + found.size() + " objects ("
                    + (last == null ? "nothing" : "the last " + last) + "), without its "
                    + (manifest == null ? "manifest" : "signature"));
        }
        try {
            verifier.verify(manifest, signature.strip());
        } catch (IOException e) {
            throw new RepositoryException("the export fails its signature check: " + e.getMessage());
        }
        Manifest m = Repository.JSON.readValue(manifest, Manifest.class);
        for (Entry e : m.objects()) {
            Entry got = found.remove(e.name());
            if (got == null) {
                throw new RepositoryException("the export fails its signature check: " + e.name()
                        + " is in its signed manifest but not in the archive");
            }
            if (!got.equals(e)) {
                throw new RepositoryException("the export fails its signature check: " + e.name()
                        + " differs from its signed manifest (" + got.size() + " bytes, SHA-256 " + got.sha256() + ")");
            }
        }
        if (!found.isEmpty()) {
            throw new RepositoryException("the export fails its signature check: " + found.keySet().iterator().next()
                    + " is not in its signed manifest");
        }
        return m;
    }

    private static RepositoryException truncated(String last, int objects) {
        return new RepositoryException("the export is truncated: it ends inside " + last + ", after " + objects
                + " whole objects");
    }

    /** One object into the directory, under its name, which must be one a repository holds. */
    private static Entry extract(InputStream tar, String name, Path into) throws IOException {
        if (name.contains("..") || name.startsWith("/") || KINDS.stream().noneMatch(name::startsWith)) {
            throw new RepositoryException("the export holds " + name + ", which is no repository object");
        }
        Path file = into.resolve(name);
        Files.createDirectories(file.getParent());
        MessageDigest sha = sha256();
        long size;
        try (OutputStream out = Files.newOutputStream(file)) {
            // the archive's stream stays open for the entries after this one
            size = new DigestInputStream(tar, sha).transferTo(out);
        }
        return new Entry(name, size, HexFormat.of().formatHex(sha.digest()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
