package io.lifeboat.service;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.UnixCron;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.quartz.SchedulerException;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes made from templates, one per enabled source and schedule: "file-backup-NAME" from
 * the template file-backup-schedule, "config-backup-NAME" from config-backup-schedule,
 * "database-full-NAME", "database-incremental-NAME" and
 * "database-log-NAME" from database-schedule. They are kept in step with lifeboat.yaml (a source
 * added, removed, disabled or rescheduled changes only its own routes) and made again when the
 * file of their template is edited.
 */
public final class SourceRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(SourceRoutes.class);
    static final String FILE_TEMPLATE = "file-backup-schedule";
    static final String DATABASE_TEMPLATE = "database-schedule";
    static final String CONFIG_TEMPLATE = "config-backup-schedule";
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /** A route to make: its template and parameters. */
    private record Made(String template, Map<String, Object> parameters) {
    }

    private final CamelContext context;
    private final Map<String, Made> made = new HashMap<>();

    SourceRoutes(CamelContext context) {
        this.context = context;
    }

    /** Adds, removes and remakes routes so that they are exactly those the configuration asks for. */
    synchronized void apply(LifeboatConfig config) throws Exception {
        Map<String, Made> wanted = wanted(config);
        for (String id : List.copyOf(made.keySet())) {
            if (!made.get(id).equals(wanted.get(id))) {
                TriggerKey schedule = wanted.containsKey(id) ? null : scheduleOf(id);
                remove(id);
                made.remove(id);
                if (schedule != null) {
                    unschedule(schedule);
                }
            }
        }
        remake(wanted.entrySet().stream().filter(e -> !made.containsKey(e.getKey())
                || context.getRoute(e.getKey()) == null).toList());
    }

    /**
     * After their file was reloaded: the templates replace those of the same id (Camel's reload
     * adds them beside the old ones), and every route made from them is made again.
     */
    synchronized void replace(Collection<RouteTemplateDefinition> templates) throws Exception {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        Set<String> ids = new HashSet<>();
        for (RouteTemplateDefinition template : templates) {
            ids.add(template.getId());
            for (RouteTemplateDefinition old = model.getRouteTemplateDefinition(template.getId()); old != null;
                 old = model.getRouteTemplateDefinition(template.getId())) {
                model.removeRouteTemplateDefinition(old);
            }
            model.addRouteTemplateDefinition(template);
        }
        remake(made.entrySet().stream().filter(e -> ids.contains(e.getValue().template())).toList());
    }

    /** (Re)makes each route; one that fails does not stop the others, and is tried again on the next change. */
    private void remake(List<Map.Entry<String, Made>> routes) throws Exception {
        Exception first = null;
        for (Map.Entry<String, Made> e : List.copyOf(routes)) {
            try {
                remove(e.getKey());
                add(e.getKey(), e.getValue());
            } catch (Exception failed) {
                LOG.error("route {} could not be made: {}", e.getKey(), failed.getMessage());
                first = first == null ? failed : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Makes again each schedule route whose trigger is gone from the scheduler. A route made again
     * while its old trigger was firing can lose its new trigger: the late firing finds no route
     * for its endpoint, makes one of its own, which clashes with the new trigger and, stopping,
     * deletes it (seen under load after a template edit). Run every few seconds by the service.
     */
    synchronized void mendLostSchedules() throws Exception {
        if (!context.getStatus().isStarted()) {
            return;
        }
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        List<Map.Entry<String, Made>> lost = new ArrayList<>();
        for (Map.Entry<String, Made> e : made.entrySet()) {
            TriggerKey schedule = scheduleOf(e.getKey());
            boolean started = schedule != null && context.getRouteController().getRouteStatus(e.getKey()).isStarted();
            if (started && !quartz.getScheduler().checkExists(schedule)) {
                LOG.warn("the schedule of route {} was lost; making the route again", e.getKey());
                lost.add(e);
            }
        }
        remake(lost);
    }

    /** The template a route was made from, or null for a route of its own. */
    public synchronized String templateOf(String routeId) {
        Made m = made.get(routeId);
        return m == null ? null : m.template();
    }

    private static Map<String, Made> wanted(LifeboatConfig config) {
        Map<String, Made> wanted = new LinkedHashMap<>();
        for (LifeboatConfig.FileSource s : config.files()) {
            if (s.active()) {
                wanted.put("file-backup-" + s.name(), new Made(FILE_TEMPLATE, Map.of("source", s.name(),
                        "cron", UnixCron.toQuartz(s.schedule()))));
            }
        }
        for (LifeboatConfig.ConfigSource s : config.configs()) {
            if (s.active()) {
                wanted.put("config-backup-" + s.name(), new Made(CONFIG_TEMPLATE, Map.of("source", s.name(),
                        "cron", UnixCron.toQuartz(s.schedule()))));
            }
        }
        for (LifeboatConfig.Database d : config.databases()) {
            if (!d.active()) {
                continue;
            }
            Map<String, LifeboatConfig.Schedule> schedules = new LinkedHashMap<>();
            schedules.put("full", d.full());
            schedules.put("incremental", d.incremental());
            schedules.put("log", d.log());
            schedules.forEach((scope, s) -> {
                if (s != null) {
                    wanted.put("database-" + scope + "-" + d.name(), new Made(DATABASE_TEMPLATE, Map.of("source",
                            d.name(), "scope", scope, "cron", UnixCron.toQuartz(s.schedule()),
                            "flow", "log".equals(scope) ? "database-wal-check" : "database-backup")));
                }
            });
        }
        return wanted;
    }

    private TriggerKey scheduleOf(String id) {
        Route route = context.getRoute(id);
        return route != null && route.getEndpoint() instanceof QuartzEndpoint q ? q.getTriggerKey() : null;
    }

    /**
     * A source gone from the configuration takes its schedule with it. Stopping its route is not
     * enough when the schedules are shared: Quartz keeps them for the other nodes (SharedSchedules).
     */
    private void unschedule(TriggerKey schedule) throws SchedulerException {
        context.getComponent("quartz", QuartzComponent.class).getScheduler().unscheduleJob(schedule);
    }

    /** Makes the route; remembered even when that fails, so that the next change tries it again. */
    private void add(String id, Made m) throws Exception {
        made.put(id, m);
        TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(context, m.template()).routeId(id);
        m.parameters().forEach(builder::parameter);
        builder.add();
        LOG.info("route {} made from template {} with {}", id, m.template(), m.parameters());
    }

    /**
     * Stops and removes the route (a reload of its template's file may have removed it already).
     * A schedule route whose backup is running is not waited for long: the backup goes on in its
     * thread through the backup flow, which is not this route.
     */
    private void remove(String id) throws Exception {
        if (context.getRoute(id) != null) {
            context.getRouteController().stopRoute(id, STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            context.removeRoute(id);
            LOG.info("route {} removed", id);
        }
    }
}
