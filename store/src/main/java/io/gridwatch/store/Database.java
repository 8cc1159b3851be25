package io.gridwatch.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.postgresql.Driver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The gridwatch PostgreSQL database: a small connection pool, the schema migrations, and how the
 * time-series tables are stored ({@link TimeSeriesMode}).
 *
 * <p>Credentials other than the user name (trust authentication locally) go in the JDBC URL, e.g.
 * {@code ?password=…}, so that they come from the environment rather than from files.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /** Writers are few (a sink per job, the CLI); a small pool keeps the server's connection slots free. */
    static final int MAX_POOL_SIZE = 4;

    /** The time-series tables, each with a {@code gw_ensure_partitions} window in partitioned mode. */
    static final List<String> TIME_SERIES_TABLES = List.of("sensor_reading", "detection", "alert");

    /** Database names we create: plain lower-case identifiers need no quoting anywhere (psql, URLs, Grafana). */
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private static final String START_HINT = "Start the local stack with ./gridwatch up.";

    private final HikariDataSource dataSource;
    private final String where;

    private Database(HikariDataSource dataSource, String where) {
        this.dataSource = dataSource;
        this.where = where;
    }

    /**
     * Opens a pool on {@code jdbcUrl} and checks that one connection can be made, so that a wrong
     * address fails here with a clear message rather than at the first query.
     *
     * @throws StoreException when the server cannot be reached or refuses the login
     */
    public static Database open(String jdbcUrl, String user) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        String where = describe(jdbcUrl);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setMaximumPoolSize(MAX_POOL_SIZE);
        config.setMinimumIdle(1);
        config.setPoolName("gridwatch-store");
        // a borrower gives up after 5 s rather than Hikari's 30: the jobs' writers then say that PostgreSQL is away and retry
        config.setConnectionTimeout(5_000);
        // one attempt: the caller wants to know now whether the database is there
        config.setInitializationFailTimeout(1);
        config.addDataSourceProperty("ApplicationName", "gridwatch");
        try {
            return new Database(new HikariDataSource(config), where);
        } catch (RuntimeException e) {
            throw explain(e, where, user);
        }
    }

    /**
     * Creates {@code database} on the server unless it exists (connecting to the maintenance
     * database {@code postgres}). Safe to call concurrently.
     *
     * @param database a lower-case identifier: letters, digits and underscores, at most 63 characters
     */
    public static void ensureDatabaseExists(String host, int port, String user, String database) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        if (database == null || !DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("database name must be a lower-case identifier matching "
                    + DATABASE_NAME.pattern() + ": " + database);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        String url = "jdbc:postgresql://" + hostPart + ":" + port + "/postgres";
        String where = hostPart + ":" + port + "/postgres";
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("ApplicationName", "gridwatch");
        try (Connection c = DriverManager.getConnection(url, props)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, database);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                // the name was validated above; CREATE DATABASE takes no bind parameters
                st.execute("CREATE DATABASE \"" + database + "\"");
                LOG.info("created database {} on {}:{}", database, host, port);
            } catch (SQLException e) {
                // 42P04 duplicate_database, or 23505 on pg_database when two creators race
                if (!"42P04".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw explain(e, where, user);
        }
    }

    /**
     * Brings the schema up to date (Flyway, {@code classpath:db/migration}); a no-op when it is.
     *
     * @return the schema version now in the database, e.g. {@code "3"}
     */
    public String migrate() {
        return migrate(null);
    }

    /** {@link #migrate()} up to {@code target} (null: the latest), e.g. to test a migration on an older version's rows. */
    String migrate(String target) {
        var config = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                // nothing in gridwatch may wipe a city's cases by configuration mistake
                .cleanDisabled(true);
        Flyway flyway = (target == null ? config : config.target(target)).load();
        try {
            int executed = flyway.migrate().migrationsExecuted;
            MigrationInfo current = flyway.info().current();
            String version = current == null ? null : current.getVersion().getVersion();
            LOG.info("schema of {} at version {} ({} migrations applied now)", where, version, executed);
            return version;
        } catch (FlywayException e) {
            throw new StoreException("migrating " + where + " failed: " + e.getMessage(), e);
        }
    }

    /** The pool; callers borrow connections and close them. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * How the time-series tables of this database are stored, read from the catalog (the migration
     * decided it when it created them).
     *
     * @throws StoreException when the schema has not been migrated yet
     */
    public TimeSeriesMode mode() {
        try (Connection c = dataSource.getConnection()) {
            return modeOf(c, where);
        } catch (SQLException e) {
            throw explain(e, where, null);
        }
    }

    /**
     * {@link #mode()} on a connection of the caller's, e.g. a migration's: read off the table {@code detection},
     * which every schema version since 3 has in the mode V3 chose.
     *
     * @param where the database, for the message when there is no answer
     */
    public static TimeSeriesMode modeOf(Connection c, String where) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT relkind FROM pg_class WHERE oid = to_regclass('detection')")) {
                if (!rs.next()) {
                    throw new StoreException("no time-series tables in " + where + ": call migrate() first");
                }
                if ("p".equals(rs.getString(1))) {
                    return TimeSeriesMode.PARTITIONED;
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new StoreException("table detection in " + where + " is neither partitioned nor a hypertable");
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'detection')")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return TimeSeriesMode.TIMESCALE;
                }
                throw new StoreException("table detection in " + where + " is neither partitioned nor a hypertable");
            }
        }
    }

    /**
     * Makes sure the time-series tables can take rows of every month that {@code [from, to]} touches
     * without spilling into their DEFAULT partitions. A no-op under TimescaleDB. Long-running writers
     * call it at start and then daily, e.g. for now − 1 month … now + 2 months.
     *
     * @return the number of partitions created
     */
    public int ensurePartitions(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.isAfter(to)) {
            throw new IllegalArgumentException("from " + from + " is after to " + to);
        }
        int created = 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT gw_ensure_partitions(?::regclass, ?, ?)")) {
            for (String table : TIME_SERIES_TABLES) {
                ps.setString(1, table);
                ps.setTimestamp(2, Timestamp.from(from));
                ps.setTimestamp(3, Timestamp.from(to));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    created += rs.getInt(1);
                }
            }
        } catch (SQLException e) {
            throw explain(e, where, null);
        }
        return created;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "Database[" + where + "]";
    }

    /** host:port/database of a PostgreSQL JDBC URL, for messages. */
    private static String describe(String jdbcUrl) {
        Properties p = Driver.parseURL(jdbcUrl, null);
        if (p == null) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database): " + jdbcUrl);
        }
        String hosts = p.getProperty("PGHOST");
        String ports = p.getProperty("PGPORT");
        String[] h = hosts.split(",");
        String[] pt = ports.split(",");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < h.length; i++) {
            sb.append(i == 0 ? "" : ",").append(h[i]).append(':').append(i < pt.length ? pt[i] : pt[pt.length - 1]);
        }
        return sb.append('/').append(p.getProperty("PGDBNAME")).toString();
    }

    /** Turns the driver's and the pool's failures into one message that says where and what to do. */
    private static StoreException explain(Exception e, String where, String user) {
        SQLException sql = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return new StoreException("PostgreSQL at " + where + " refused the connection (nothing listens there). "
                        + START_HINT, e);
            }
            if (t instanceof UnknownHostException) {
                return new StoreException("unknown host " + t.getMessage() + " in " + where + ": check the JDBC URL", e);
            }
            if (sql == null && t instanceof SQLException s) {
                sql = s;
            }
        }
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        String detail = sql == null ? e.getMessage() : sql.getMessage();
        if (state.equals("3D000")) {
            return new StoreException("no such database at " + where + " (" + detail + "). "
                    + "Create it with Database.ensureDatabaseExists, or start the stack with ./gridwatch up.", e);
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return new StoreException("PostgreSQL at " + where + " rejected the login of user " + user + " (" + detail + ")", e);
        }
        if (state.startsWith("08")) {
            return new StoreException("cannot connect to PostgreSQL at " + where + " (" + detail + "). " + START_HINT, e);
        }
        return new StoreException("PostgreSQL at " + where + ": " + detail, e);
    }
}
