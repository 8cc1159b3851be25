package io.gridwatch.store;

import io.gridwatch.testkit.TestServices;

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
                "jdbc:postgresql://" + TestServices.shared().postgres().host() + ":" + TestServices.shared().postgres().port() + "/gw_store_does_not_exist",
                TestServices.shared().postgresUser()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("gw_store_does_not_exist")
                .hasMessageContaining("ensureDatabaseExists");
    }

    @Test
    void ensureDatabaseExistsCreatesOnceAndThenLeavesItAlone() throws SQLException {
        String name = "gw_store_ensure_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        try {
            assertThat(exists(name)).isFalse();
            Database.ensureDatabaseExists(TestServices.shared().postgres().host(), TestServices.shared().postgres().port(), TestServices.shared().postgresUser(), name);
            assertThat(exists(name)).isTrue();
            Database.ensureDatabaseExists(TestServices.shared().postgres().host(), TestServices.shared().postgres().port(), TestServices.shared().postgresUser(), name);
            assertThat(exists(name)).isTrue();
        } finally {
            TestServices.shared().postgres().dropDatabase(name);
        }
    }

    @Test
    void ensureDatabaseExistsRejectsNamesThatAreNotPlainIdentifiers() {
        for (String bad : new String[] {"gw\"; DROP DATABASE postgres; --", "Gridwatch", "1gw", "", "gw-test", "a".repeat(64)}) {
            assertThatThrownBy(() -> Database.ensureDatabaseExists(
                    TestServices.shared().postgres().host(), TestServices.shared().postgres().port(), TestServices.shared().postgresUser(), bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("database name");
        }
    }

    @Test
    void modeOfAnUnmigratedDatabaseSaysToMigrate() {
        try (Database db = Database.open(TestServices.shared().newDatabase("gw_store_bare"), TestServices.shared().postgresUser())) {
            assertThatThrownBy(db::mode).isInstanceOf(StoreException.class).hasMessageContaining("migrate()");
        }
    }

    private static boolean exists(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(
                "jdbc:postgresql://" + TestServices.shared().postgres().host() + ":" + TestServices.shared().postgres().port() + "/postgres", TestServices.shared().postgresUser(), null);
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
