package io.gridwatch.grid;

import io.gridwatch.admin.AdministrativeDivisions;
import io.gridwatch.config.GridwatchConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Keeps the derived {@link GridSet} on disk so that a command or a job does not derive the
 * grids again each time it starts. The file name carries a digest of everything the grids
 * depend on — the configuration, the boundary and code files, and the classes that derive
 * them — so a change to any of those derives them afresh.
 */
public final class GridCache {

    private static final Logger LOG = LoggerFactory.getLogger(GridCache.class);

    private static final List<String> INPUTS = List.of(
            AdministrativeDivisions.DALIAN + "districts.gcj02.geojson",
            AdministrativeDivisions.DALIAN + "streets.csv",
            AdministrativeDivisions.DALIAN + "communities.csv",
            "/io/gridwatch/grid/GridPartitioner.class",
            "/io/gridwatch/grid/GridSet.class",
            "/io/gridwatch/grid/UnitGrid.class",
            "/io/gridwatch/grid/Piece.class",
            "/io/gridwatch/grid/Lattice.class",
            "/io/gridwatch/admin/AdministrativeDivisions.class",
            "/io/gridwatch/geo/Gcj02.class",
            "/io/gridwatch/geo/Utm51N.class",
            "/io/gridwatch/geo/PointTransform.class");

    private GridCache() {
    }

    /** The Dalian grids for {@code config}, from {@code dir} when derived before, else derived and written there. */
    public static GridSet dalian(Path dir, GridwatchConfig.Grids config) {
        Path file = dir.resolve("dalian-grids-" + digest(config) + ".ser");
        if (Files.isRegularFile(file)) {
            try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                return (GridSet) in.readObject();
            } catch (IOException | ClassNotFoundException | ClassCastException e) {
                LOG.warn("grid cache {} is unreadable ({}); deriving the grids again", file, e.toString());
            }
        }
        GridSet set = new GridPartitioner().build(AdministrativeDivisions.dalian(), config);
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "grids", ".tmp");
            try (ObjectOutputStream out = new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                out.writeObject(set);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.warn("cannot write the grid cache under {}: {}", dir, e.toString());
        }
        return set;
    }

    static String digest(GridwatchConfig.Grids config) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(config.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (String r : INPUTS) {
                try (InputStream in = GridCache.class.getResourceAsStream(r)) {
                    if (in == null) {
                        throw new IllegalStateException("missing resource " + r);
                    }
                    md.update(in.readAllBytes());
                }
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
