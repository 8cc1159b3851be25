package io.gridwatch.cli;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.config.GridwatchConfig;
import io.gridwatch.grid.GridIndex;
import io.gridwatch.grid.GridCache;
import io.gridwatch.grid.GridSet;
import io.gridwatch.stack.LocalStack;
import io.gridwatch.store.Database;

import java.nio.file.Path;

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
