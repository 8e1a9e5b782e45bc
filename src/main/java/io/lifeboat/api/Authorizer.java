package io.lifeboat.api;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.security.Role;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;

/** Checks the bearer token of a request against the catalog and the R10 role table. */
public final class Authorizer {
    private final Catalog catalog;

    public Authorizer(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Passes when the caller's role has the permission (read, trigger, recover, audit, administer); 401 or 403 otherwise. */
    public void require(Exchange exchange, String permission) {
        if (query(exchange).keySet().stream().anyMatch(k -> k.equalsIgnoreCase("authorization"))) {
            throw new ApiException(400, "bad_request", "send the token in the Authorization header, never in the URL");
        }
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw new ApiException(401, "unauthorized", "send 'Authorization: Bearer TOKEN' (bin/lifeboat token create)");
        }
        Optional<Role> role = catalog.roleOf(header.substring(7).trim());
        if (role.isEmpty()) {
            throw new ApiException(401, "unauthorized", "the token is unknown or revoked");
        }
        boolean allowed = switch (permission) {
            case "read" -> role.get().mayRead();
            case "trigger" -> role.get().mayTrigger();
            case "administer" -> role.get().mayAdminister();
            case "recover" -> role.get().mayRecover();
            case "audit" -> role.get().mayAudit();
            default -> throw new IllegalArgumentException("unknown permission " + permission);
        };
        if (!allowed) {
            throw new ApiException(403, "forbidden", "role " + role.get().display() + " may not " + permission);
        }
    }

    /**
     * The request's query parameters, from the query string itself: platform-http also copies them
     * into the message headers, where a parameter could pose as a request header.
     */
    static Map<String, String> query(Exchange exchange) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(name, value);
        }
        return out;
    }
}
