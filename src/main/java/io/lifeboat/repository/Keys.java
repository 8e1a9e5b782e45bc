package io.lifeboat.repository;

import io.lifeboat.crypto.CorruptDataException;
import io.lifeboat.crypto.KeyFile;
import io.lifeboat.crypto.MasterKey;
import io.lifeboat.storage.BlobStore;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/** The key objects under keys/: each a passphrase-sealed copy of the one master key. */
public final class Keys {
    /** A key object and its name, for listing. */
    public record Entry(String name, KeyFile key) {
        public String id() {
            return name.substring("keys/".length());
        }
    }

    private Keys() {
    }

    static String store(BlobStore store, KeyFile key) throws IOException {
        byte[] json = Repository.JSON.writeValueAsBytes(key);
        String name = "keys/" + Repository.sha256(json);
        store.put(name, json);
        return name;
    }

    /**
     * Opens with the first key that the passphrase unlocks and that opener accepts (it throws
     * {@link CorruptDataException} for a key that does not fit the repository, such as one left by
     * an interrupted init).
     */
    static <T> T unlock(BlobStore store, byte[] passphrase, BiFunction<String, MasterKey, T> opener) throws IOException {
        List<Entry> all = list(store);
        if (all.isEmpty()) {
            throw new RepositoryException("the repository at " + store.location() + " has no keys");
        }
        CorruptDataException misfit = null;
        for (Entry e : all) {
            MasterKey key;
            try {
                key = e.key().unlock(passphrase);
            } catch (CorruptDataException | IllegalArgumentException wrongOrMalformed) {
                continue;
            }
            try {
                return opener.apply(e.name(), key);
            } catch (CorruptDataException notThisRepository) {
                misfit = notThisRepository;
            }
        }
        if (misfit != null) {
            throw new RepositoryException("the passphrase opens a key, but the repository config at " + store.location()
                    + " does not open with it: " + misfit.getMessage());
        }
        throw new RepositoryException("wrong password: none of the " + all.size()
                + " keys of " + store.location() + " opens with it");
    }

    /** The readable key objects, oldest first; a malformed one is left out so it cannot lock others out. */
    public static List<Entry> list(BlobStore store) throws IOException {
        List<Entry> all = new ArrayList<>();
        for (String name : store.list("keys/")) {
            try {
                KeyFile key = Repository.JSON.readValue(store.get(name), KeyFile.class);
                java.time.Instant.parse(key.created());
                all.add(new Entry(name, key));
            } catch (com.fasterxml.jackson.core.JacksonException | RuntimeException malformed) {
                // not a usable key: skip it
            }
        }
        all.sort(java.util.Comparator.comparing(e -> java.time.Instant.parse(e.key().created())));
        return all;
    }

    /** Adds a key that opens the repository with another passphrase; returns its id. */
    public static String add(Repository repo, byte[] passphrase) throws IOException {
        if (passphrase.length == 0) {
            throw new RepositoryException("the new passphrase is empty");
        }
        return store(repo.store(), KeyFile.create(repo.key(), passphrase, host(), user())).substring("keys/".length());
    }

    /** Removes a key by id or unique prefix; the key in use and the last key cannot be removed. */
    public static String remove(Repository repo, String idPrefix) throws IOException {
        List<Entry> all = list(repo.store());
        List<Entry> match = all.stream().filter(e -> e.id().startsWith(idPrefix)).toList();
        if (idPrefix.isEmpty() || match.isEmpty()) {
            throw new RepositoryException("no key with id " + idPrefix);
        }
        if (match.size() > 1) {
            throw new RepositoryException("key id " + idPrefix + " is ambiguous: give more characters");
        }
        Entry target = match.get(0);
        if (target.name().equals(repo.keyName())) {
            throw new RepositoryException("key " + target.id().substring(0, 8)
                    + " is the one this command was opened with; open with another key to remove it");
        }
        repo.store().delete(target.name());
        return target.id();
    }

    /** Replaces the key in use by one for the new passphrase; the new key is durable before the old goes. */
    public static String change(Repository repo, byte[] newPassphrase) throws IOException {
        String added = add(repo, newPassphrase);
        repo.store().delete(repo.keyName());
        return added;
    }

    /**
     * This process's name among the nodes sharing a repository and catalog: the system property
     * lifeboat.node, else the host name. Two nodes on one host need different names.
     */
    public static String node() {
        return System.getProperty("lifeboat.node", host());
    }

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String user() {
        return System.getProperty("user.name", "unknown");
    }
}
