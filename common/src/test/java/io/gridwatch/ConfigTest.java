package io.gridwatch;

import io.gridwatch.config.GridwatchConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {

    @Test
    void defaultsAreComplete() {
        GridwatchConfig c = GridwatchConfig.defaults();
        assertThat(c.stack().kafka().bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(c.stack().mqtt().uri()).isEqualTo("tcp://127.0.0.1:1883");
        assertThat(c.catalogue().edition()).isEqualTo(GridwatchConfig.Edition.CLASSIC);
        assertThat(c.grids().managementAreas()).singleElement().satisfies(a -> assertThat(a.name()).isEqualTo("高新园区"));
    }

    @Test
    void anOverrideChangesOnlyWhatItNames(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("gw.yaml"), "stack:\n  kafka:\n    port: 19092\ncatalogue:\n  edition: gb47678-2026\n");
        GridwatchConfig c = GridwatchConfig.load(f);
        assertThat(c.stack().kafka().port()).isEqualTo(19092);
        assertThat(c.stack().kafka().controllerPort()).isEqualTo(9093);
        assertThat(c.catalogue().edition()).isEqualTo(GridwatchConfig.Edition.GB47678_2026);
    }

    @Test
    void unknownKeysAndBadValuesAreNamed(@TempDir Path dir) throws IOException {
        Path typo = Files.writeString(dir.resolve("typo.yaml"), "stack:\n  kafka:\n    prot: 19092\n");
        assertThatThrownBy(() -> GridwatchConfig.load(typo)).hasMessageContaining("typo.yaml").hasMessageContaining("'prot'");
        Path edition = Files.writeString(dir.resolve("edition.yaml"), "catalogue:\n  edition: gb2099\n");
        assertThatThrownBy(() -> GridwatchConfig.load(edition)).hasMessageContaining("gb2099");
        Path port = Files.writeString(dir.resolve("port.yaml"), "stack:\n  mqtt:\n    port: 70000\n");
        assertThatThrownBy(() -> GridwatchConfig.load(port)).hasMessageContaining("stack.mqtt.port");
    }
}
