package io.gridwatch.store;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.catalogue.CatalogueClass;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Writes a catalogue edition into {@code catalogue_class}; writing it again changes nothing. */
public final class CatalogueStore {

    private final DataSource dataSource;

    public CatalogueStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Replaces the stored classes of the catalogue's edition; returns how many it holds. */
    public int write(Catalogue catalogue) {
        String edition = catalogue.edition().id();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM catalogue_class WHERE edition = ?");
                 PreparedStatement ins = c.prepareStatement(
                         "INSERT INTO catalogue_class (edition, kind, code, name, major_code, major_name) VALUES (?, ?, ?, ?, ?, ?)")) {
                del.setString(1, edition);
                del.executeUpdate();
                int n = 0;
                for (CatalogueClass.Kind kind : CatalogueClass.Kind.values()) {
                    for (CatalogueClass k : catalogue.classes(kind)) {
                        ins.setString(1, edition);
                        ins.setString(2, kind.id());
                        ins.setString(3, k.code());
                        ins.setString(4, k.name());
                        ins.setString(5, k.majorCode());
                        ins.setString(6, k.majorName());
                        ins.addBatch();
                        n++;
                    }
                }
                ins.executeBatch();
                c.commit();
                return n;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not store the " + edition + " catalogue: " + e.getMessage(), e);
        }
    }
}
