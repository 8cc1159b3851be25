package io.gridwatch.store;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseTest {

    @Test
    void refusedConnectionNamesTheAddressAndHowToStartTheStack() {
        // port 1 on loopback: nothing listens, the kernel refuses at once
        assertThatThrownBy(() -> Database.open("jdbc:postgresql://127.0.0.1:1/gridwatch", "postgres"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("127.0.0.1:1")
                .hasMessageContaining("./gridwatch up");
    }

    @Test
    void missingDatabaseIsNamed() {
        assertThatThrownBy(() -> Database.open(
                "jdbc:postgresql://" + LocalPostgres.HOST + ":" + LocalPostgres.PORT + "/gw_store_does_not_exist",
                LocalPostgres.postgresUser()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("gw_store_does_not_exist")
                .hasMessageContaining("ensureDatabaseExists");
    }

    @Test
    void ensureDatabaseExistsCreatesOnceAndThenLeavesItAlone() throws SQLException {
        String name = "gw_store_ensure_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        try {
            assertThat(exists(name)).isFalse();
            Database.ensureDatabaseExists(LocalPostgres.HOST, LocalPostgres.PORT, LocalPostgres.postgresUser(), name);
            assertThat(exists(name)).isTrue();
            Database.ensureDatabaseExists(LocalPostgres.HOST, LocalPostgres.PORT, LocalPostgres.postgresUser(), name);
            assertThat(exists(name)).isTrue();
        } finally {
            LocalPostgres.drop(name);
        }
    }

    @Test
    void ensureDatabaseExistsRejectsNamesThatAreNotPlainIdentifiers() {
        for (String bad : new String[] {"gw\"; DROP DATABASE postgres; --", "Gridwatch", "1gw", "", "gw-test", "a".repeat(64)}) {
            assertThatThrownBy(() -> Database.ensureDatabaseExists(
                    LocalPostgres.HOST, LocalPostgres.PORT, LocalPostgres.postgresUser(), bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("database name");
        }
    }

    @Test
    void modeOfAnUnmigratedDatabaseSaysToMigrate() {
        try (Database db = Database.open(LocalPostgres.newDatabase("gw_store_bare"), LocalPostgres.postgresUser())) {
            assertThatThrownBy(db::mode).isInstanceOf(StoreException.class).hasMessageContaining("migrate()");
        }
    }

    private static boolean exists(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://" + LocalPostgres.HOST + ":" + LocalPostgres.PORT + "/postgres", LocalPostgres.postgresUser(), null);
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
