package io.lifeboat.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.Tier;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A repository in an S3 bucket, under a prefix: AWS, or any S3-compatible store (MinIO, Ceph, ...)
 * through an endpoint and path-style addressing. Every object is one PUT, or for a large pack a
 * multipart upload that is completed only once every part is in, so S3 shows an object whole or
 * not at all. Each PUT and part carries a SHA-256 checksum the server checks; GETs ask for it and
 * the SDK checks it. The SDK retries throttling, resets and 5xx with backoff. Credentials come
 * from the standard AWS chain (environment, profile, instance role) or a credentials file the
 * location names, and are never logged.
 */
public final class S3BlobStore implements BlobStore {
    /** Parts of a multipart upload: S3 wants at least 5 MiB; a part is read into memory once. */
    static final int PART_SIZE = 16 * 1024 * 1024;
    /**
     * Objects up to this size go up in one PUT: a pack of the default size (16 MiB and at most one
     * chunk more) is one request, not a multipart upload's four or five.
     */
    static final long MULTIPART_ABOVE = 2L * PART_SIZE;
    private static final Set<String> OPTIONS = Set.of("endpoint", "region", "path-style", "profile", "credentials-file",
            "timeout", "storage-class", "restore-tier", "restore-days", "lock", "lock-days");
    /** The classes a GET is refused in until a RestoreObject has brought a copy back. */
    private static final Set<StorageClass> ARCHIVED = Set.of(StorageClass.GLACIER, StorageClass.DEEP_ARCHIVE);
    /** How long a request may take without an answer before it is given up, unless the location says. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** Attempts of one call within its deadline (throttling, resets and 5xx are retried). */
    private static final int ATTEMPTS = 4;
    /**
     * The slowest transfer a request is given time for on top of the timeout: a 16 MiB pack may take
     * 16 s longer, so a slow but moving link is not cut off while a frozen one is.
     */
    private static final long SLOWEST_BYTES_PER_SECOND = 1024 * 1024;
    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final String location;
    private final String address;
    private final Duration timeout;
    /** The class packs are stored in; everything a restore is planned from stays in STANDARD. */
    private final StorageClass packClass;
    /** How archived objects are brought back: the retrieval tier, and the days the copy stays readable. */
    private final Tier restoreTier;
    private final int restoreDays;
    /** S3 Object Lock: the mode every new object is locked in, and for how long; null: nothing is locked. */
    private final ObjectLockMode lockMode;
    private final Duration lockPeriod;

    private S3BlobStore(S3Client s3, String bucket, String prefix, String location, String address,
            Duration timeout, StorageClass packClass, Tier restoreTier, int restoreDays, ObjectLockMode lockMode,
            Duration lockPeriod) {
        this.s3 = s3;
        this.lockMode = lockMode;
        this.lockPeriod = lockPeriod;
        this.restoreTier = restoreTier;
        this.restoreDays = restoreDays;
        this.timeout = timeout;
        this.packClass = packClass;
        this.bucket = bucket;
        this.prefix = prefix;
        this.location = location;
        this.address = address;
    }

    /**
     * s3://BUCKET[/PREFIX][?endpoint=URL&region=NAME&path-style=true&timeout=SECONDS]. Without a region
     * the AWS chain (AWS_REGION, profile) decides, else us-east-1, which S3-compatible stores accept.
     * Every request has a deadline (timeout, plus time for its bytes at a slow link's pace), and a
     * call with its retries at most ATTEMPTS of them: a store that stops answering is reported
     * unreachable in bounded time instead of holding a run (and its lock) for ever.
     */
    static S3BlobStore at(String uri) {
        URI u = URI.create(uri);
        String bucket = u.getHost();
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("'" + uri + "' names no bucket: write s3://BUCKET/PREFIX");
        }
        Map<String, String> options = query(u.getRawQuery());
        for (String name : options.keySet()) {
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "' in " + uri + "; options are "
                        + "endpoint, region, path-style, profile, credentials-file, timeout, storage-class, restore-tier,"
                        + " restore-days, lock, lock-days");
            }
        }
        Duration timeout = timeout(options.get("timeout"), uri);
        StorageClass packClass = StorageClass.fromValue(options.getOrDefault("storage-class", "STANDARD"));
        if (packClass == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("storage-class=" + options.get("storage-class") + " in " + uri
                    + " is no S3 storage class; e.g. STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE");
        }
        Tier restoreTier = Tier.fromValue(options.getOrDefault("restore-tier", "Standard"));
        if (restoreTier == Tier.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("restore-tier=" + options.get("restore-tier") + " in " + uri
                    + " is no retrieval tier: Expedited, Standard or Bulk");
        }
        int restoreDays = days("restore-days", options.getOrDefault("restore-days", "7"), uri);
        ObjectLockMode lockMode = null;
        if (options.containsKey("lock")) {
            lockMode = ObjectLockMode.fromValue(options.get("lock").toUpperCase(Locale.ROOT));
            if (lockMode == ObjectLockMode.UNKNOWN_TO_SDK_VERSION) {
                throw new IllegalArgumentException("lock=" + options.get("lock") + " in " + uri
                        + " is no object lock mode: governance or compliance");
            }
            if (!options.containsKey("lock-days")) {
                throw new IllegalArgumentException("lock=" + options.get("lock") + " in " + uri + " needs lock-days=N:"
                        + " how long each new object is locked (at least the longest retention)");
            }
        } else if (options.containsKey("lock-days")) {
            throw new IllegalArgumentException("lock-days in " + uri + " needs lock=governance or lock=compliance");
        }
        Duration lockPeriod = lockMode == null ? null : Duration.ofDays(days("lock-days", options.get("lock-days"), uri));
        String path = u.getPath() == null ? "" : u.getPath().replaceAll("^/+|/+$", "");
        var builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
                .credentialsProvider(credentials(options, uri))
                .region(region(options.get("region")))
                .forcePathStyle(Boolean.parseBoolean(options.getOrDefault("path-style", "false")))
                .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(ATTEMPTS))
                        .apiCallAttemptTimeout(timeout).apiCallTimeout(timeout.multipliedBy(ATTEMPTS)));
        if (options.containsKey("endpoint")) {
            builder.endpointOverride(URI.create(options.get("endpoint")));
        }
        return new S3BlobStore(builder.build(), bucket, path.isEmpty() ? "" : path + "/",
                "s3://" + bucket + (path.isEmpty() ? "" : "/" + path), uri, timeout, packClass, restoreTier, restoreDays, lockMode, lockPeriod);
    }

    private static int days(String option, String value, String uri) {
        try {
            int days = Integer.parseInt(value);
            if (days > 0) {
                return days;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + "=" + value + " in " + uri + " is not a number of days above 0");
    }

    private static Duration timeout(String seconds, String uri) {
        if (seconds == null) {
            return DEFAULT_TIMEOUT;
        }
        try {
            Duration d = Duration.ofMillis(Math.round(Double.parseDouble(seconds) * 1000));
            if (d.toMillis() > 0) {
                return d;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("timeout=" + seconds + " in " + uri + " is not a number of seconds above 0");
    }

    /** The deadline of a request that sends or receives so many bytes, and of its call with retries. */
    private AwsRequestOverrideConfiguration deadline(long bytes) {
        Duration attempt = timeout.plusMillis(bytes * 1000 / SLOWEST_BYTES_PER_SECOND);
        return AwsRequestOverrideConfiguration.builder().apiCallAttemptTimeout(attempt)
                .apiCallTimeout(attempt.multipliedBy(ATTEMPTS)).build();
    }

    /**
     * The standard AWS chain, or a profile of the shared credentials files, or of a file of that
     * format the location names (readable by Lifeboat's user alone, say): the location then says
     * where the keys are without holding them, so it can be logged and handed to PostgreSQL.
     */
    private static AwsCredentialsProvider credentials(Map<String, String> options, String uri) {
        String file = options.get("credentials-file");
        String profile = options.get("profile");
        if (file == null && profile == null) {
            return DefaultCredentialsProvider.builder().build();
        }
        ProfileCredentialsProvider.Builder provider = ProfileCredentialsProvider.builder()
                .profileName(profile == null ? "default" : profile);
        if (file != null) {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException("the credentials file " + file + " of " + uri + " cannot be read");
            }
            provider.profileFile(ProfileFile.builder().content(path).type(ProfileFile.Type.CREDENTIALS).build());
        }
        return provider.build();
    }

    private static Region region(String configured) {
        if (configured != null) {
            return Region.of(configured);
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkException none) {
            return Region.US_EAST_1;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw != null && !raw.isEmpty()) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Makes the bucket when it is not there (init). */
    @Override
    public void create() throws IOException {
        call(() -> {
            try {
                s3.headBucket(b -> b.bucket(bucket));
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
                s3.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(lockMode != null));
            }
            return null;
        }, "");
    }

    @Override
    public void put(String name, byte[] data) throws IOException {
        call(() -> s3.putObject(b -> locked(b.bucket(bucket).key(key(name)).checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .storageClass(classOf(name)).overrideConfiguration(deadline(data.length)), name),
                RequestBody.fromBytes(data)), name);
    }

    /**
     * With a lock, every new object is locked from the moment it exists, but those replaced or
     * removed in normal operation: lock files, and a log segment's partial while it grows.
     */
    private boolean lockable(String name) {
        return lockMode != null && !name.startsWith("locks/") && !name.endsWith(".partial");
    }

    private PutObjectRequest.Builder locked(PutObjectRequest.Builder put, String name) {
        return lockable(name) ? put.objectLockMode(lockMode).objectLockRetainUntilDate(Instant.now().plus(lockPeriod))
                : put;
    }

    @Override
    public Duration lockPeriod() {
        return lockPeriod;
    }

    @Override
    public Map<String, Instant> lockedUntil(Collection<String> names) throws IOException {
        Map<String, Instant> locked = new TreeMap<>();
        if (lockMode == null) {
            return locked;
        }
        Instant now = Instant.now();
        for (String name : names) {
            try {
                Instant until = call(() -> s3.headObject(b -> b.bucket(bucket).key(key(name))), name)
                        .objectLockRetainUntilDate();
                if (until != null && until.isAfter(now)) {
                    locked.put(name, until);
                }
            } catch (NoSuchFileException gone) {
                // nothing left to keep
            }
        }
        return locked;
    }

    /**
     * Each object's lock is read (HEAD) and extended where it ends too soon: an object written
     * before the location said lock= has none yet, and gets one here.
     */
    @Override
    public int extendLocks(Map<String, Instant> until) throws IOException {
        if (lockMode == null) {
            return 0;
        }
        int extended = 0;
        for (Map.Entry<String, Instant> wanted : until.entrySet()) {
            String name = wanted.getKey();
            if (!lockable(name)) {
                continue;
            }
            Instant now;
            try {
                now = call(() -> s3.headObject(b -> b.bucket(bucket).key(key(name))), name).objectLockRetainUntilDate();
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (now == null || now.isBefore(wanted.getValue())) {
                call(() -> s3.putObjectRetention(b -> b.bucket(bucket).key(key(name)).retention(r -> r
                        .mode(ObjectLockRetentionMode.fromValue(lockMode.toString()))
                        .retainUntilDate(wanted.getValue()))), name);
                extended++;
            }
        }
        return extended;
    }

    @Override
    public void putFile(String name, Path file) throws IOException {
        upload(name, file, classOf(name));
    }

    /** Packs that restores are planned from go to STANDARD when the other packs go to an archive class. */
    @Override
    public void putFileReadable(String name, Path file) throws IOException {
        upload(name, file, ARCHIVED.contains(packClass) ? StorageClass.STANDARD : packClass);
    }

    private void upload(String name, Path file, StorageClass storageClass) throws IOException {
        long size = Files.size(file);
        if (size <= MULTIPART_ABOVE) {
            call(() -> s3.putObject(b -> locked(b.bucket(bucket).key(key(name)).checksumAlgorithm(ChecksumAlgorithm.SHA256)
                    .storageClass(storageClass).overrideConfiguration(deadline(size)), name), RequestBody.fromFile(file)),
                    name);
        } else {
            uploadInParts(name, file, size, storageClass);
        }
        Files.deleteIfExists(file);
    }


    /**
     * One listing finds which of the objects are archived; each of those not yet brought back is
     * asked for (RestoreObject with the location's tier and days); one asked already is found by its
     * restore status (HEAD), so asking again after a restart costs nothing more.
     */
    @Override
    public Thaw thaw(Collection<String> names) throws IOException {
        Map<String, S3Object> listed = new HashMap<>();
        call(() -> {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(key("data/"))).contents()) {
                listed.put(o.key().substring(prefix.length()), o);
            }
            return null;
        }, "data/");
        StorageClass slowest = null;
        int archived = 0;
        int readable = 0;
        long bytes = 0;
        for (String name : names) {
            S3Object o = listed.get(name);
            StorageClass c = o == null ? null : StorageClass.fromValue(o.storageClassAsString());
            if (c == null || !ARCHIVED.contains(c)) {
                continue;
            }
            archived++;
            bytes += o.size();
            slowest = slowest == StorageClass.DEEP_ARCHIVE ? slowest : c;
            String status = call(() -> s3.headObject(b -> b.bucket(bucket).key(key(name))).restore(), name);
            if (status == null) {
                // DEEP_ARCHIVE has no Expedited tier: Standard is its fastest
                Tier tier = c == StorageClass.DEEP_ARCHIVE && restoreTier == Tier.EXPEDITED ? Tier.STANDARD : restoreTier;
                call(() -> s3.restoreObject(b -> b.bucket(bucket).key(key(name)).restoreRequest(r -> r.days(restoreDays)
                        .glacierJobParameters(j -> j.tier(tier)))), name);
            } else if (status.contains("ongoing-request=\"false\"")) {
                readable++;
            }
        }
        return archived == 0 ? Thaw.NONE : new Thaw(slowest.toString(), restoreTier.toString(), archived, readable,
                bytes);
    }

    @Override
    public boolean mayArchive() {
        return true;
    }

    /** A multipart upload; one that fails is aborted, so that no part lingers (and costs). */
    private void uploadInParts(String name, Path file, long size, StorageClass storageClass) throws IOException {
        String upload = call(() -> s3.createMultipartUpload(b -> {
            b.bucket(bucket).key(key(name)).checksumAlgorithm(ChecksumAlgorithm.SHA256).storageClass(storageClass);
            if (lockable(name)) {
                b.objectLockMode(lockMode).objectLockRetainUntilDate(Instant.now().plus(lockPeriod));
            }
        }).uploadId(), name);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += PART_SIZE) {
                byte[] part = new byte[(int) Math.min(PART_SIZE, size - offset)];
                ByteBuffer buffer = ByteBuffer.wrap(part);
                while (buffer.hasRemaining() && in.read(buffer, offset + buffer.position()) > 0) {
                    // fill the part
                }
                int number = parts.size() + 1;
                // the part as it is, not a copy: retries read it again from the start
                RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(part), part.length,
                        "application/octet-stream");
                UploadPartResponse r = call(() -> s3.uploadPart(b -> b.bucket(bucket).key(key(name)).uploadId(upload)
                        .partNumber(number).checksumAlgorithm(ChecksumAlgorithm.SHA256).overrideConfiguration(deadline(part.length)),
                        body), name);
                parts.add(CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumSHA256(r.checksumSHA256())
                        .build());
            }
            call(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(key(name)).uploadId(upload)
                    .multipartUpload(m -> m.parts(parts))), name);
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key(name)).uploadId(upload));
            } catch (SdkException ignored) {
                // the bucket's lifecycle rule for incomplete uploads removes it (docs/S3.md)
            }
            throw e;
        }
    }

    @Override
    public byte[] get(String name) throws IOException {
        return call(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(name)).checksumMode(ChecksumMode.ENABLED)
                .overrideConfiguration(deadline(0))).asByteArray(), name);
    }

    @Override
    public byte[] getRangeUpTo(String name, long offset, int length) throws IOException {
        // a range past the end is answered with the bytes there are
        return call(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(name))
                .range("bytes=" + offset + "-" + (offset + length - 1)).overrideConfiguration(deadline(length)))
                .asByteArray(), name);
    }

    @Override
    public InputStream open(String name) throws IOException {
        ResponseInputStream<GetObjectResponse> in = call(() -> s3.getObject(b -> b.bucket(bucket).key(key(name))
                .checksumMode(ChecksumMode.ENABLED)), name);
        return in;
    }

    @Override
    public boolean exists(String name) throws IOException {
        try {
            size(name);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public long size(String name) throws IOException {
        return call(() -> s3.headObject(b -> b.bucket(bucket).key(key(name))).contentLength(), name);
    }

    @Override
    public Map<String, Long> listSizes(String namePrefix) throws IOException {
        return call(() -> {
            Map<String, Long> names = new HashMap<>();
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(key(namePrefix))).contents()) {
                names.put(o.key().substring(prefix.length()), o.size());
            }
            return names;
        }, namePrefix);
    }

    @Override
    public void delete(String name) throws IOException {
        call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key(name))), name);
    }

    /** Packs are assembled on local disk before they are uploaded: a directory of this store's own. */
    @Override
    public Path scratchDirectory() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-s3-" + BlobStores.shortId(location, 8));
        Files.createDirectories(dir);
        return dir;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public void close() {
        s3.close();
    }

    private StorageClass classOf(String name) {
        return name.startsWith("data/") ? packClass : StorageClass.STANDARD;
    }

    /** Bytes stored per storage class, from one listing. */
    @Override
    public Map<String, Long> bytesByClass() throws IOException {
        return call(() -> {
            Map<String, Long> bytes = new TreeMap<>();
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                bytes.merge(o.storageClassAsString() == null ? "STANDARD" : o.storageClassAsString(), o.size(),
                        Long::sum);
            }
            return bytes;
        }, "");
    }

    private String key(String name) {
        if (name.startsWith("/") || name.contains("..")) {
            throw new IllegalArgumentException("object name escapes the repository: " + name);
        }
        return prefix + name;
    }

    /** One S3 call; what S3 says goes into an IOException naming the object (a missing one as NoSuchFileException). */
    private <T> T call(S3Call<T> call, String name) throws IOException {
        try {
            return call.run();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException(location + "/" + name);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(location + "/" + name);
            }
            String why = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null ? e.getMessage()
                    : e.awsErrorDetails().errorMessage();
            if (e.awsErrorDetails() != null && "InvalidObjectState".equals(e.awsErrorDetails().errorCode())) {
                throw new IOException(location + "/" + name + " is in an archive storage class and has not been "
                        + "brought back: a recovery or drill asks the store for it first (its warm-up step)", e);
            }
            String message = location + "/" + name + ": " + why + " (HTTP " + e.statusCode() + ")";
            throw e.statusCode() >= 500 ? new StoreUnreachableException(message, e) : new IOException(message, e);
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw new StoreUnreachableException(location + "/" + name + ": store unreachable: no answer within the "
                    + "deadline (" + timeout.toSeconds() + " s a request; timeout= in the location)", e);
        } catch (SdkClientException e) {
            throw networkFailure(e)
                    ? new StoreUnreachableException(location + "/" + name + ": store unreachable: " + e.getMessage(), e)
                    : new IOException(location + "/" + name + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException(location + "/" + name + ": " + e.getMessage(), e);
        }
    }

    /** A connection refused, reset or timed out, as opposed to, say, credentials that could not be loaded. */
    private static boolean networkFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    @FunctionalInterface
    private interface S3Call<T> {
        T run() throws IOException;
    }
}
