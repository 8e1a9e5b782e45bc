package io.lifeboat.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.util.URISupport;

/**
 * GET /api/v1/routes (Admin): the running routes, the file each comes from (and the template a
 * route was made from), and the last reload of every route and configuration file.
 */
public final class RoutesApi {
    private final CamelContext context;
    private final Supplier<List<?>> reloads;
    private final UnaryOperator<String> templateOf;

    /** reloads: the last reload of every file; templateOf: the template a route id was made from, else null. */
    public RoutesApi(CamelContext context, Supplier<List<?>> reloads, UnaryOperator<String> templateOf) {
        this.context = context;
        this.reloads = reloads;
        this.templateOf = templateOf;
    }

    public void routes(Exchange exchange) {
        List<Map<String, Object>> routes = new ArrayList<>();
        for (Route r : context.getRoutes()) {
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("id", r.getRouteId());
            ServiceStatus status = context.getRouteController().getRouteStatus(r.getRouteId());
            route.put("status", status == null ? "removed" : status.name().toLowerCase(Locale.ROOT));
            route.put("from", URISupport.sanitizeUri(r.getEndpoint().getEndpointBaseUri()));
            route.put("file", r.getSourceLocationShort());
            route.put("template", templateOf.apply(r.getRouteId()));
            routes.add(route);
        }
        routes.sort((a, b) -> String.valueOf(a.get("id")).compareTo(String.valueOf(b.get("id"))));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("routes", routes);
        answer.put("reloads", reloads.get());
        BackupApi.reply(exchange, 200, answer);
    }
}
