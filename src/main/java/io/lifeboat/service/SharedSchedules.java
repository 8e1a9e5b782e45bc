package io.lifeboat.service;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.repository.Keys;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Schedules kept in a shared (PostgreSQL) catalog through Quartz's clustered JDBC job store: every
 * node sharing the catalog schedules the same routes, each firing runs on one node only, and the
 * schedules of a node that stops or dies are fired by the others. Node names must differ. With
 * the embedded catalog the schedules stay in memory, as one node needs.
 */
final class SharedSchedules {
    private static final String DATA_SOURCE = "lifeboatCatalog";

    private SharedSchedules() {
    }

    /** Gives the context a Quartz whose jobs live in the catalog, when the catalog is shared. */
    static void configure(CamelContext context, Catalog catalog) {
        DataSource shared = catalog.sharedDataSource();
        if (shared == null) {
            return;
        }
        DBConnectionManager.getInstance().addConnectionProvider(DATA_SOURCE, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return shared.getConnection();
            }

            @Override
            public void shutdown() {
                // the catalog closes its own pool
            }

            @Override
            public void initialize() {
                // the catalog's pool is open already
            }
        });
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "lifeboat");
        // the node's name, which its runs carry too: a node gone from the scheduler's state has its runs failed
        p.setProperty("org.quartz.scheduler.instanceId", Keys.node());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", "10");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", DATA_SOURCE);
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        // a node not heard from for about twice this is taken for dead and its fired schedules recovered
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        QuartzComponent quartz = new QuartzComponent();
        quartz.setProperties(p);
        context.addComponent("quartz", quartz);
    }
}
