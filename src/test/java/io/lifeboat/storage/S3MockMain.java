package io.lifeboat.storage;

import com.adobe.testing.s3mock.S3MockApplication;
import java.util.HashMap;
import java.util.Map;

/**
 * S3Mock as a process of its own, for bench/s3-vs-restic.sh: {@code S3MockMain HTTP_PORT HTTPS_PORT
 * ROOT_DIRECTORY}. Prints "s3mock ready" once it answers; runs until killed (SIGTERM stops it
 * cleanly). Not used by the tests, which start S3Mock in their own process (S3Server).
 */
public final class S3MockMain {
    private S3MockMain() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: S3MockMain HTTP_PORT HTTPS_PORT ROOT_DIRECTORY");
            System.exit(2);
        }
        Map<String, Object> properties = new HashMap<>(); // S3Mock changes the map it is given
        properties.put(S3MockApplication.PROP_HTTP_PORT, Integer.parseInt(args[0]));
        properties.put(S3MockApplication.PROP_HTTPS_PORT, Integer.parseInt(args[1]));
        properties.put(S3MockApplication.PROP_ROOT_DIRECTORY, args[2]);
        properties.put(S3MockApplication.PROP_SILENT, true);
        // what S3Mock's own application.properties sets (as in S3Server: Lifeboat's may hide it)
        properties.put("com.adobe.testing.s3mock.region", "us-east-1");
        properties.put("spring.jmx.enabled", false);
        properties.put("server.tomcat.max-swallow-size", "10MB");
        properties.put("management.endpoints.web.discovery.enabled", false);
        S3MockApplication.start(properties);
        System.out.println("s3mock ready on http://127.0.0.1:" + args[0]);
    }
}
