package io.gridwatch;

import io.gridwatch.config.GridwatchConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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

    @Test
    void theSensorPipelineJobsSettingsHaveTheirDefaults() {
        GridwatchConfig.SensorPipelineConfig j = GridwatchConfig.defaults().jobs().sensorPipeline();
        assertThat(j.consumerGroup()).isEqualTo("gridwatch-sensor-pipeline");
        assertThat(j.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(j.retainedCheckpoints()).isEqualTo(3);
        assertThat(j.outOfOrderness()).isEqualTo(Duration.ofSeconds(5));
        assertThat(j.idleness()).isEqualTo(Duration.ofSeconds(30));
        // CONTRACTS.md §1: readings up to an hour late are processed in event time
        assertThat(j.lateness()).isEqualTo(Duration.ofHours(1));
        assertThat(j.bufferTimeout()).isEqualTo(Duration.ofMillis(20));
        assertThat(j.batch()).isEqualTo(new GridwatchConfig.Batch(1_000, 200, 200));
    }

    @Test
    void aJobSettingIsOverriddenAloneAndABadOneIsNamed(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("jobs.yaml"), "jobs:\n  sensor_pipeline:\n    lateness_s: 7200\n    batch:\n      cases: 50\n");
        GridwatchConfig.SensorPipelineConfig j = GridwatchConfig.load(f).jobs().sensorPipeline();
        assertThat(j.lateness()).isEqualTo(Duration.ofHours(2));
        assertThat(j.batch()).isEqualTo(new GridwatchConfig.Batch(1_000, 50, 200));
        assertThat(j.checkpointInterval()).isEqualTo(Duration.ofSeconds(2));

        Path typo = Files.writeString(dir.resolve("typo.yaml"), "jobs:\n  sensor_pipeline:\n    checkpoint_intervall_s: 2\n");
        assertThatThrownBy(() -> GridwatchConfig.load(typo)).hasMessageContaining("typo.yaml").hasMessageContaining("'checkpoint_intervall_s'")
                .hasMessageContaining("checkpoint_interval_s");
        Path batchTypo = Files.writeString(dir.resolve("batch.yaml"), "jobs:\n  sensor_pipeline:\n    batch:\n      alert: 2\n");
        assertThatThrownBy(() -> GridwatchConfig.load(batchTypo)).hasMessageContaining("'alert'");
        Path late = Files.writeString(dir.resolve("late.yaml"), "jobs:\n  sensor_pipeline:\n    lateness_s: 100000\n");
        assertThatThrownBy(() -> GridwatchConfig.load(late)).hasMessageContaining("jobs.sensor_pipeline.lateness_s")
                .hasMessageContaining("100000");
        Path group = Files.writeString(dir.resolve("group.yaml"), "jobs:\n  sensor_pipeline:\n    consumer_group: \"a b\"\n");
        assertThatThrownBy(() -> GridwatchConfig.load(group)).hasMessageContaining("jobs.sensor_pipeline.consumer_group");
        Path zero = Files.writeString(dir.resolve("zero.yaml"), "jobs:\n  sensor_pipeline:\n    batch:\n      readings: 0\n");
        assertThatThrownBy(() -> GridwatchConfig.load(zero)).hasMessageContaining("jobs.sensor_pipeline.batch.readings");
    }
}
