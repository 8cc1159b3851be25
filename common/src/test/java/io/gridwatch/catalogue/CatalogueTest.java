package io.gridwatch.catalogue;

import io.gridwatch.catalogue.CatalogueClass.Kind;
import io.gridwatch.config.GridwatchConfig.Edition;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CatalogueTest {

    /** The shared standards folder beside the repository (CI lays it there). */
    static Path standards() {
        Path root = Path.of(System.getProperty("gridwatch.repo.root", "..")).toAbsolutePath();
        for (Path p = root; p != null; p = p.getParent()) {
            Path s = p.resolveSibling("shared").resolve("standards");
            if (Files.isDirectory(s)) {
                return s;
            }
        }
        throw new IllegalStateException("../shared/standards not found beside the repository " + root
                + ": the catalogue is checked against it");
    }

    static List<String[]> rows(Path csv) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            for (CSVRecord rec : CSVFormat.DEFAULT.builder().setCommentMarker('#').setHeader().setSkipHeaderRecord(true).get().parse(r)) {
                out.add(new String[] {rec.get("minor_code"), rec.get("minor_name"), rec.get("major_code"), rec.get("major_name")});
            }
        }
        return out;
    }

    @Test
    void classicCatalogueHasEveryCodeOfTheSharedCsvsWithTheirNames() throws IOException {
        Catalogue c = Catalogue.load(Edition.CLASSIC);
        List<String[]> components = rows(standards().resolve("components.csv"));
        List<String[]> events = rows(standards().resolve("events.csv"));
        assertThat(components).hasSize(85);
        assertThat(events).hasSize(54);
        for (String[] row : components) {
            CatalogueClass k = c.require(Kind.COMPONENT, row[0]);
            assertThat(k.name()).isEqualTo(row[1]);
            assertThat(k.majorName()).isEqualTo(row[3]);
        }
        for (String[] row : events) {
            assertThat(c.require(Kind.EVENT, row[0]).name()).isEqualTo(row[1]);
        }
        assertThat(c.classes(Kind.COMPONENT)).hasSize(components.size());
    }

    @Test
    void classicCatalogueCarriesDaliansExtensionUnderMajor21() {
        Catalogue c = Catalogue.load(Edition.CLASSIC);
        assertThat(c.require(Kind.EVENT, "2101").name()).isEqualTo("城市防台防汛");
        assertThat(c.require(Kind.EVENT, "2102").name()).isEqualTo("冬季除雪");
        assertThat(c.require(Kind.EVENT, "2101").majorName()).isEqualTo("扩展事件");
        assertThat(c.require(Kind.EVENT, "0406").name()).isEqualTo("道路积水");
        assertThat(c.require(Kind.EVENT, "0406").majorName()).isEqualTo("突发事件");
        assertThat(c.require(Kind.COMPONENT, "0305").name()).isEqualTo("垃圾箱");
    }

    @Test
    void gb47678EditionIsSelectableAndComplete() throws IOException {
        Catalogue c = Catalogue.load(Edition.GB47678_2026);
        List<String[]> components = rows(standards().resolve("components_gb47678_5_2026.csv"));
        List<String[]> events = rows(standards().resolve("events_gb47678_5_2026.csv"));
        for (String[] row : components) {
            assertThat(c.require(Kind.COMPONENT, row[0]).name()).isEqualTo(row[1]);
        }
        for (String[] row : events) {
            assertThat(c.require(Kind.EVENT, row[0]).name()).isEqualTo(row[1]);
        }
        assertThat(c.size()).isEqualTo(components.size() + events.size());
        assertThat(c.isValid(Kind.EVENT, "0406")).as("classic codes are not valid in the new edition").isFalse();
    }

    @Test
    void unknownCodesAreRejectedNamingKindCodeAndEdition() {
        Catalogue c = Catalogue.load(Edition.CLASSIC);
        assertThat(c.isValid(Kind.EVENT, "0498")).isFalse();
        assertThatThrownBy(() -> c.require(Kind.EVENT, "0498"))
                .hasMessageContaining("0498").hasMessageContaining("事件").hasMessageContaining("classic");
        assertThat(c.isValid(Kind.EVENT, "0599")).isTrue();
        assertThat(c.isValid(Kind.COMPONENT, "0599")).as("an event code is not a component code").isFalse();
    }

    @Test
    void brokenFilesGetAnErrorNamingFileLineAndProblem() {
        String header = "major_code,major_name,minor_code,minor_name\n";
        assertThatThrownBy(() -> Catalogue.parse(Kind.EVENT, "bad.csv", new StringReader(header + "04,突发事件,04x6,道路积水\n"), 4))
                .hasMessageContaining("bad.csv line 2").hasMessageContaining("04x6");
        assertThatThrownBy(() -> Catalogue.parse(Kind.EVENT, "bad.csv", new StringReader(header + "04,突发事件,0506,道路积水\n"), 4))
                .hasMessageContaining("does not start with its major code 04");
        assertThatThrownBy(() -> Catalogue.parse(Kind.EVENT, "bad.csv", new StringReader("code,name\n0406,x\n"), 4))
                .hasMessageContaining("header must be major_code,major_name,minor_code,minor_name");
        assertThatThrownBy(() -> Catalogue.parse(Kind.EVENT, "bad.csv", new StringReader(header + "04,突发事件,0406\n"), 4))
                .hasMessageContaining("expected 4 fields");
        assertThatThrownBy(() -> Catalogue.parse(Kind.EVENT, "empty.csv", new StringReader(header), 4))
                .hasMessageContaining("no classes");
    }
}
