package io.lifeboat.storage;

import com.adobe.testing.s3mock.S3MockApplication;
import io.lifeboat.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An S3-compatible server (S3Mock) in the test's own process, on a free port, keeping its objects
 * in a directory of its own. The SDK in the same process finds credentials in system properties;
 * S3Mock accepts any.
 */
public final class S3Server implements AutoCloseable {
    private final S3MockApplication server;
    private final Path root;
    public final int port;

    public S3Server() throws IOException {
        root = Files.createTempDirectory("lifeboat-s3mock");
        port = TestSupport.freePort();
        int https = TestSupport.freePort();
        // the cache of index and snapshot objects of this process's S3 repositories: not in the home directory
        System.setProperty("lifeboat.cache", cacheDirectory());
        System.setProperty("aws.accessKeyId", "lifeboat-test");
        System.setProperty("aws.secretAccessKey", "lifeboat-test-secret");
        Map<String, Object> properties = new HashMap<>(); // S3Mock changes the map it is given
        properties.put(S3MockApplication.PROP_HTTP_PORT, port);
        properties.put(S3MockApplication.PROP_HTTPS_PORT, https);
        properties.put(S3MockApplication.PROP_ROOT_DIRECTORY, root.toString());
        properties.put(S3MockApplication.PROP_SILENT, true);
        // what S3Mock's own application.properties sets: Lifeboat's, first on the class path, hides it
        properties.put("com.adobe.testing.s3mock.region", "us-east-1");
        properties.put("spring.jmx.enabled", false);
        properties.put("server.tomcat.max-swallow-size", "10MB");
        properties.put("management.endpoints.web.discovery.enabled", false);
        server = S3MockApplication.start(properties);
    }

    /** A repository location in a bucket of this server. */
    public String repository(String bucket, String prefix) {
        return "s3://" + bucket + "/" + prefix + "?endpoint=http://127.0.0.1:" + port + "&path-style=true&region=us-east-1";
    }

    /** Where the repositories of this process keep their cache (tests that change it put it back). */
    public String cacheDirectory() {
        return root.resolve("cache").toString();
    }

    /** What a process of its own needs in its environment to reach this server. */
    public static Map<String, String> credentials() {
        return Map.of("AWS_ACCESS_KEY_ID", "lifeboat-test", "AWS_SECRET_ACCESS_KEY", "lifeboat-test-secret");
    }

    @Override
    public void close() throws IOException {
        System.clearProperty("lifeboat.cache");
        server.stop();
        TestSupport.deleteTree(root);
    }
}
