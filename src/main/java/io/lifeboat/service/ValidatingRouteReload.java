package io.lifeboat.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads a route file when an operator edits it, but only once it parses: Camel's own reload
 * drops the routes of a file that fails to load, which would stop a backup flow over a typo. A
 * file that does not parse is reported and the routes it had keep running. Only the edited file's
 * routes are replaced, so the routes made from the file-backup template stay.
 */
public final class ValidatingRouteReload extends RouteWatcherReloadStrategy {
    private static final Logger LOG = LoggerFactory.getLogger(ValidatingRouteReload.class);
    private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

    public ValidatingRouteReload(String directory, String pattern) {
        super(directory, false);
        setPattern(pattern);
        setRemoveAllRoutes(false);
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        List<Resource> valid = new ArrayList<>();
        for (Resource resource : resources) {
            String problem = problemIn(resource);
            if (problem == null) {
                valid.add(resource);
            } else {
                refused.incrementAndGet();
                LOG.error("route file {} was not reloaded, its previous routes keep running: {}",
                        resource.getLocation(), problem);
            }
        }
        if (!valid.isEmpty()) {
            super.onRouteReload(valid, false);
        }
    }

    /** How many edited files were refused so far (for monitoring and tests). */
    public int refusedReloads() {
        return refused.get();
    }

    /** Why the file cannot become routes, or null: it is parsed into route definitions, not started. */
    private String problemIn(Resource resource) {
        try {
            if (!resource.exists()) {
                return null;
            }
            Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(getCamelContext()).findRoutesBuilders(
                    List.of(resource), true);
            for (RoutesBuilder builder : builders) {
                if (builder instanceof RouteBuilder routes) {
                    routes.setCamelContext(getCamelContext());
                    routes.configure();
                }
            }
            return null;
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root.getMessage() == null ? root.toString() : root.getMessage().lines().findFirst().orElse("");
        }
    }
}
