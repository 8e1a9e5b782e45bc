package io.lifeboat.storage;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands between Lifeboat and the S3 server of a test: counts every request ("GET /bucket/key")
 * and does the faults a test asks for to the requests it names — answer 503 or 500, or read part of
 * the request and drop the connection with no answer, as a network that fails mid-upload does, or
 * hold it unanswered until the test closes the proxy (then drop it, never forwarded), so that the
 * client is caught at that point for as long as the test needs.
 *
 * <p>It also answers for the archive classes as AWS does, which S3Mock does not (it serves a GLACIER
 * object at once and answers RestoreObject 501): an object stored in GLACIER or DEEP_ARCHIVE is
 * refused to a GET with 403 InvalidObjectState until it has been asked for with a RestoreObject
 * (202, then 409 RestoreAlreadyInProgress while it is under way) and the test has let the restores
 * finish; a HEAD says where its restore stands (x-amz-restore), as S3 does.
 *
 * <p>And for S3 Object Lock, which S3Mock stores but does not enforce: the retention an upload
 * asks for (x-amz-object-lock-*) or a PutObjectRetention sets is kept here and shown on HEAD; a
 * DELETE of an object whose retain-until has not passed is refused 403 AccessDenied (as AWS
 * refuses to delete a locked version), and a compliance retention cannot be shortened.
 */
public final class S3Proxy implements AutoCloseable {
    /** What to do to a request. */
    public enum Fault { SLOW_DOWN_503, INTERNAL_ERROR_500, RESET_MID_UPLOAD, HOLD }

    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "transfer-encoding", "keep-alive");
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final int target;
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** The access key id each signed request was signed with. */
    final Set<String> accessKeys = ConcurrentHashMap.newKeySet();
    private volatile String faultyPrefix;
    private volatile Fault fault;
    private final AtomicInteger faultsLeft = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger holding = new AtomicInteger();
    /** Objects ("/bucket/key") stored in an archive class, and those a RestoreObject asked for. */
    private final Set<String> archived = ConcurrentHashMap.newKeySet();
    private final Set<String> restoresAsked = ConcurrentHashMap.newKeySet();
    private volatile boolean restoresDone;
    /** Object lock: each object's retain-until, and the deletes refused because of it. */
    private final Map<String, Instant> retainUntil = new ConcurrentHashMap<>();
    private final AtomicInteger refusedDeletes = new AtomicInteger();

    public S3Proxy(int target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::forward);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The next count requests whose "METHOD /path" starts so meet the fault. */
    public void fail(String requestPrefix, Fault kind, int count) {
        faultyPrefix = requestPrefix;
        fault = kind;
        faultsLeft.set(count);
    }

    public long count(String requestPrefix) {
        return requests.stream().filter(r -> r.startsWith(requestPrefix)).count();
    }

    /** From now on, every restore asked for is finished: the objects read again. */
    public void finishRestores() {
        restoresDone = true;
    }

    /** Objects a RestoreObject has asked for. */
    public Set<String> restoresAsked() {
        return Set.copyOf(restoresAsked);
    }

    /** Objects stored in an archive class. */
    public Set<String> archived() {
        return Set.copyOf(archived);
    }

    /** Each locked object's retain-until ("/bucket/key"). */
    public Map<String, Instant> retention() {
        return Map.copyOf(retainUntil);
    }

    /** The locks of the objects under the prefix end now, as if their time had passed. */
    public void expireLocks(String pathPrefix) {
        retainUntil.replaceAll((path, until) -> path.startsWith(pathPrefix) ? Instant.now().minusSeconds(1) : until);
    }

    /** Deletes refused because the object was locked. */
    public int refusedDeletes() {
        return refusedDeletes.get();
    }

    /** Requests being held now. */
    public int holding() {
        return holding.get();
    }

    private void forward(HttpExchange exchange) throws IOException {
        String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
        requests.add(request);
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.contains("Credential=")) {
            accessKeys.add(authorization.replaceAll(".*Credential=([^/]*)/.*", "$1"));
        }
        String prefix = faultyPrefix;
        if (prefix != null && request.startsWith(prefix) && faultsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            if (fault == Fault.HOLD) {
                holding.incrementAndGet();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            if (fault != Fault.RESET_MID_UPLOAD) {
                exchange.getRequestBody().readAllBytes();
                boolean slow = fault == Fault.SLOW_DOWN_503;
                byte[] body = ("<Error><Code>" + (slow ? "SlowDown" : "InternalError") + "</Code><Message>"
                        + (slow ? "Please reduce your request rate." : "We encountered an internal error.")
                        + "</Message></Error>").getBytes();
                exchange.sendResponseHeaders(slow ? 503 : 500, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            } else {
                InputStream in = exchange.getRequestBody();
                in.readNBytes(Math.max(1, in.available() / 2));
                exchange.close();
            }
            return;
        }
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
        String method = exchange.getRequestMethod();
        if ("POST".equals(method) && query.startsWith("restore")) {
            exchange.getRequestBody().readAllBytes();
            boolean first = restoresAsked.add(path);
            answer(exchange, first ? 202 : restoresDone ? 200 : 409, first || restoresDone ? null
                    : "<Error><Code>RestoreAlreadyInProgress</Code><Message>Object restore is already in progress"
                    + "</Message></Error>");
            return;
        }
        if ("GET".equals(method) && archived.contains(path) && !(restoresDone && restoresAsked.contains(path))) {
            answer(exchange, 403, "<Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the"
                    + " object's storage class</Message></Error>");
            return;
        }
        Instant locked = retainUntil.get(path);
        if ("DELETE".equals(method) && locked != null && locked.isAfter(Instant.now())) {
            refusedDeletes.incrementAndGet();
            answer(exchange, 403, "<Error><Code>AccessDenied</Code><Message>Access Denied because object protected by"
                    + " object lock.</Message></Error>");
            return;
        }
        if ("PUT".equals(method) && query.startsWith("retention")) {
            String xml = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Instant until = Instant.parse(xml.replaceAll("(?s).*<RetainUntilDate>([^<]*)</RetainUntilDate>.*", "$1"));
            boolean shortened = locked != null && until.isBefore(locked);
            if (!shortened) {
                retainUntil.put(path, until);
            }
            answer(exchange, shortened ? 403 : 200, shortened ? "<Error><Code>AccessDenied</Code><Message>Access"
                    + " Denied</Message></Error>" : null);
            return;
        }
        String lockUntil = exchange.getRequestHeaders().getFirst("x-amz-object-lock-retain-until-date");
        String storageClass = exchange.getRequestHeaders().getFirst("x-amz-storage-class");
        boolean archiving = "GLACIER".equals(storageClass) || "DEEP_ARCHIVE".equals(storageClass);
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder out = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target + path
                + (query.isEmpty() ? "" : "?" + query))).method(method, body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            if (!NOT_FORWARDED.contains(h.getKey().toLowerCase())
                    && !h.getKey().toLowerCase().startsWith("x-amz-object-lock")) {
                h.getValue().forEach(v -> out.header(h.getKey(), v));
            }
        }
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
            return;
        }
        boolean upload = "PUT".equals(method) && !query.contains("partNumber") || query.startsWith("uploads");
        if (upload && archiving && answer.statusCode() == 200) {
            archived.add(path);
        }
        if (upload && lockUntil != null && answer.statusCode() == 200) {
            retainUntil.put(path, Instant.parse(lockUntil));
        }
        if ("DELETE".equals(method) && answer.statusCode() / 100 == 2) {
            retainUntil.remove(path);
        }
        if ("HEAD".equals(method) && retainUntil.containsKey(path)) {
            exchange.getResponseHeaders().add("x-amz-object-lock-mode", "COMPLIANCE");
            exchange.getResponseHeaders().add("x-amz-object-lock-retain-until-date", retainUntil.get(path).toString());
        }
        if ("HEAD".equals(method) && restoresAsked.contains(path)) {
            exchange.getResponseHeaders().add("x-amz-restore", restoresDone
                    ? "ongoing-request=\"false\", expiry-date=\"Fri, 31 Dec 2100 00:00:00 GMT\"" : "ongoing-request=\"true\"");
        }
        answer.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase()) || "HEAD".equals(exchange.getRequestMethod())
                    && "content-length".equalsIgnoreCase(name)) {
                values.forEach(v -> exchange.getResponseHeaders().add(name, v));
            }
        });
        byte[] bytes = answer.body();
        exchange.sendResponseHeaders(answer.statusCode(), "HEAD".equals(exchange.getRequestMethod())
                || bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0 && !"HEAD".equals(exchange.getRequestMethod())) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static void answer(HttpExchange exchange, int status, String error) throws IOException {
        byte[] body = error == null ? new byte[0] : error.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}
