package io.lifeboat.service;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.BeanDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.apache.camel.util.URISupport;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

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
        try {
            super.onRouteReload(valid, false);
            sourceRoutes.replace(templates);
            Set<String> ids = new LinkedHashSet<>();
            templates.forEach(t -> ids.add(t.getId()));
            valid.forEach(r -> reloads.applied(KIND, r.getLocation(), ids.isEmpty() ? "routes replaced"
                    : "routes replaced, and those made from " + String.join(", ", ids)));
        } catch (Exception e) {
            valid.forEach(r -> reloads.failed(KIND, r.getLocation(), "loaded, but its routes could not all start: "
                    + firstLine(e)));
        }
    }

    /**
     * An editor that rewrites a file in place empties it first: wait for the content. (To take a
     * file's routes away, delete the file.)
     */
    private static boolean beingWritten(Resource resource) {
        try (InputStream in = resource.getInputStream()) {
            return resource.exists() && in.read() < 0;
        } catch (IOException e) {
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
                    checkEndpoint(route.getInput().getEndpointUri(), route.getInput().getLineNumber());
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
            String uri = step instanceof SendDefinition<?> send ? send.getEndpointUri()
                    : step instanceof ToDynamicDefinition dynamic ? dynamic.getUri() : null;
            checkEndpoint(uri, step.getLineNumber());
            if (step instanceof BeanDefinition bean && bean.getRef() != null
                    && getCamelContext().getRegistry().lookupByName(bean.getRef()) == null) {
                throw new IllegalArgumentException("line " + step.getLineNumber() + ": no bean named '" + bean.getRef()
                        + "'");
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

    /**
     * A static endpoint must resolve: its component there, its options known (one that does not
     * would stop the route that uses it after the old one was taken away).
     */
    private void checkEndpoint(String uri, int line) {
        if (uri == null || uri.indexOf(':') <= 0 || uri.contains("{{") || uri.contains("${")
                || uri.startsWith("lifeboat:")) {
            return;
        }
        String scheme = uri.substring(0, uri.indexOf(':'));
        if (getCamelContext().getComponent(scheme) == null) {
            throw new IllegalArgumentException("line " + line + ": no component for '" + scheme + ":' ("
                    + URISupport.sanitizeUri(uri) + ")");
        }
        try {
            getCamelContext().getEndpoint(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("line " + line + ": " + URISupport.sanitizeUri(uri) + ": "
                    + firstLine(e), e);
        }
    }

    /** The reason in one line; for YAML that does not load, with the line it stopped at. */
    private static String firstLine(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MarkedYamlEngineException yaml && yaml.getProblemMark().isPresent()) {
                return "line " + (yaml.getProblemMark().get().getLine() + 1) + ": " + yaml.getProblem();
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof IllegalArgumentException)) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.toString() : root.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
