package io.gridwatch.cli;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridSet;
import io.gridwatch.stack.AppServices;
import io.gridwatch.stack.LocalStack;
import io.gridwatch.stack.ServiceLauncher;
import io.gridwatch.store.Database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What every command works with: the configuration (parsed once), the repository root, and
 * the things derived from them on first use.
 */
final class Workspace {

    private final GridwatchConfig config;
    private final Path root;
    private GridSet grids;
    private GridIndex index;
    private long gridBuildMillis;

    Workspace(GridwatchConfig config, Path root) {
        this.config = config;
        this.root = root;
    }

    GridwatchConfig config() {
        return config;
    }

    Path root() {
        return root;
    }

    Path varDir() {
        return root.resolve(config.stack().varDir()).toAbsolutePath().normalize();
    }

    LocalStack stack() {
        return new LocalStack(config, root);
    }

    /**
     * gridwatch's own services of {@code up}/{@code down}/{@code status}, started as this CLI in JVMs of their own.
     *
     * @param configFile the configuration file this command was given, passed on to them; null for none
     */
    AppServices services(Path configFile) {
        List<String> base = new ArrayList<>(List.of("--repo-root", root.toAbsolutePath().toString()));
        if (configFile != null) {
            base.addAll(List.of("--config", configFile.toAbsolutePath().toString()));
        }
        ServiceLauncher launcher = new ServiceLauncher(ServiceLauncher.currentJava(), classPath(), Gridwatch.class.getName(), base);
        return new AppServices(varDir(), GridwatchServices.all(config), launcher, config.stack().kafka().bootstrapServers());
    }

    /**
     * The class path of the services: what the build lists (as ./gridwatch runs, so that it works on a clean clone),
     * else this JVM's own (a test run, or a CLI started some other way).
     */
    private String classPath() {
        Path listed = root.resolve("cli/target/gridwatch.classpath");
        try {
            if (Files.isRegularFile(listed)) {
                return ServiceLauncher.builtClassPath(root, Files.readString(listed, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + listed, e);
        }
        return System.getProperty("java.class.path");
    }

    /** The configured database, created if missing and migrated to the newest schema. */
    Database database() {
        GridwatchConfig.Postgres pg = config.stack().postgres();
        Database.ensureDatabaseExists(pg.host(), pg.port(), pg.user(), pg.database());
        Database db = Database.open(pg.jdbcUrl(), pg.user());
        db.migrate();
        return db;
    }

    Catalogue catalogue() {
        return Catalogue.load(config.catalogue().edition());
    }

    GridSet grids() {
        if (grids == null) {
            long t0 = System.nanoTime();
            grids = GridCache.dalian(varDir().resolve("cache"), config.grids());
            gridBuildMillis = (System.nanoTime() - t0) / 1_000_000;
        }
        return grids;
    }

    long gridBuildMillis() {
        return gridBuildMillis;
    }

    GridIndex index() {
        if (index == null) {
            index = new GridIndex(grids());
        }
        return index;
    }
}
