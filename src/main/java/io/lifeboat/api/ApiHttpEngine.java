package io.lifeboat.api;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * The HTTP engine with the API port stated. Camel 4.17's engine finds its port by looking for the
 * one HTTP server in the registry; with the management server (metrics, health) there are two,
 * so it falls back to 8080 and the API routes fail to start on any other port.
 */
public final class ApiHttpEngine extends VertxPlatformHttpEngine {
    private final int port;

    public ApiHttpEngine(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
