package io.lifeboat.api;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.security.Role;
import java.util.Optional;
import org.apache.camel.Exchange;

/** Checks the bearer token of a request against the catalog and the R10 role table. */
public final class Authorizer {
    private final Catalog catalog;

    public Authorizer(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Passes when the caller's role has the permission ("read" or "trigger"); 401 or 403 otherwise. */
    public void require(Exchange exchange, String permission) {
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
            default -> throw new IllegalArgumentException("unknown permission " + permission);
        };
        if (!allowed) {
            throw new ApiException(403, "forbidden", "role " + role.get().display() + " may not " + permission);
        }
        exchange.setProperty("lifeboat.role", role.get());
    }
}
