package io.gridwatch.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * Stand-in for {@code io.gridwatch.testkit.TestServices} until that module is ready: fresh, empty
 * databases on the PostgreSQL of this machine (127.0.0.1:5432, user postgres, trust auth), dropped
 * when the test JVM exits. Same two methods, so switching is a one-line change per test.
 */
final class LocalPostgres {
    static final String HOST = "127.0.0.1";
    static final int PORT = 5432;
    private static final String USER = "postgres";

    private LocalPostgres() {
    }

    static String postgresUser() {
        return USER;
    }

    /** JDBC URL of a new empty database named {@code prefix_<random>}. */
    static String newDatabase(String prefix) {
        String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10))
                .toLowerCase(Locale.ROOT);
        Database.ensureDatabaseExists(HOST, PORT, USER, name);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name)));
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name;
    }

    static void drop(String name) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/postgres", USER, null);
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }
}
