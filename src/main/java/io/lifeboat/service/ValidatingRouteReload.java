package io.lifeboat.service;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.apache.camel.util.URISupport;

/**
 * Reloads a route file when an operator edits it, but only once it loads: Camel's own reload
 * drops the routes of a file that fails to load, which would stop a backup flow over a typo. A
 * file is refused when it does not parse, names a component that is not there, or a lifeboat:
 * step or option that does not exist (with the line), and its previous routes keep running. Only the edited file's routes are
 * replaced, and the routes made from a template in it are made again from the new template.
 */
public final class ValidatingRouteReload extends RouteWatcherReloadStrategy {
    static final String KIND = "route file";
    private final Reloads reloads;
    private final LifeboatComponent steps;
    private final SourceRoutes sourceRoutes;

    ValidatingRouteReload(String directory, String pattern, Reloads reloads, LifeboatComponent steps,
                          SourceRoutes sourceRoutes) {
        super(directory, false);
        setPattern(pattern);
        setRemoveAllRoutes(false);
        this.reloads = reloads;
        this.steps = steps;
        this.sourceRoutes = sourceRoutes;
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        List<Resource> valid = new ArrayList<>();
        List<RouteTemplateDefinition> templates = new ArrayList<>();
        for (Resource resource : resources) {
            if (beingWritten(resource)) {
                continue;
            }
            try {
                templates.addAll(check(resource));
                valid.add(resource);
            } catch (Exception e) {
                reloads.refused(KIND, resource.getLocation(), firstLine(e));
            }
        }
        if (valid.isEmpty()) {
            return;
        }
        super.onRouteReload(valid, false);
        Set<String> ids = new LinkedHashSet<>();
        templates.forEach(t -> ids.add(t.getId()));
        try {
            // Camel's reload replaces routes, not templates: put the new ones in, then remake their routes
            Model model = getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
            for (RouteTemplateDefinition template : templates) {
                RouteTemplateDefinition old = model.getRouteTemplateDefinition(template.getId());
                if (old != null) {
                    model.removeRouteTemplateDefinition(old);
                }
                model.addRouteTemplateDefinition(template);
            }
            sourceRoutes.remake(ids);
            valid.forEach(r -> reloads.applied(KIND, r.getLocation(), ids.isEmpty() ? "routes replaced"
                    : "routes replaced, and those made from " + String.join(", ", ids)));
        } catch (Exception e) {
            valid.forEach(r -> reloads.refused(KIND, r.getLocation(), "routes from its templates could not be made: "
                    + firstLine(e)));
        }
    }

    /**
     * An editor that rewrites a file in place empties it first: wait for the content. (To take a
     * file's routes away, delete the file.)
     */
    private static boolean beingWritten(Resource resource) {
        try (var in = resource.getInputStream()) {
            return resource.exists() && in.read() < 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Loads the file into route definitions without starting them, and checks each lifeboat: step
     * it names; returns the templates it defines. Throws what is wrong, with the line.
     */
    private List<RouteTemplateDefinition> check(Resource resource) throws Exception {
        List<RouteTemplateDefinition> templates = new ArrayList<>();
        if (!resource.exists()) {
            return templates;
        }
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(getCamelContext()).findRoutesBuilders(
                List.of(resource), true);
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder routes) {
                routes.setCamelContext(getCamelContext());
                routes.configure();
                for (RouteDefinition route : routes.getRouteCollection().getRoutes()) {
                    checkSteps(route.getOutputs());
                }
                for (RouteTemplateDefinition template : routes.getRouteTemplateCollection().getRouteTemplates()) {
                    templates.add(template);
                    checkSteps(template.getRoute().getOutputs());
                }
            }
        }
        return templates;
    }

    private void checkSteps(List<ProcessorDefinition<?>> outputs) throws Exception {
        for (ProcessorDefinition<?> step : outputs) {
            String uri = step instanceof SendDefinition<?> send ? send.getEndpointUri() : null;
            if (uri != null && uri.indexOf(':') > 0 && !uri.contains("{{")
                    && getCamelContext().getComponent(uri.substring(0, uri.indexOf(':'))) == null) {
                throw new IllegalArgumentException("line " + step.getLineNumber() + ": no component for '"
                        + uri.substring(0, uri.indexOf(':')) + ":' (" + uri + ")");
            }
            if (uri != null && uri.startsWith("lifeboat:")) {
                String name = uri.substring("lifeboat:".length());
                int query = name.indexOf('?');
                Map<String, Object> options = new HashMap<>(query < 0 ? Map.of()
                        : URISupport.parseQuery(name.substring(query + 1)));
                try {
                    steps.check(query < 0 ? name : name.substring(0, query), options);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("line " + step.getLineNumber() + ": " + e.getMessage(), e);
                }
            }
            checkSteps(step.getOutputs());
        }
    }

    private static String firstLine(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof IllegalArgumentException)) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.toString() : root.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
