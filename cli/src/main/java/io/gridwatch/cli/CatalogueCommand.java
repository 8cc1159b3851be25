package io.gridwatch.cli;

import io.gridwatch.catalogue.Catalogue;
import io.gridwatch.catalogue.CatalogueClass;
import io.gridwatch.catalogue.CatalogueClass.Kind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code gridwatch catalogue}: the 部件/事件 classes of the configured edition. */
@Command(name = "catalogue", description = "List or look up 部件/事件 (component/event) classes of the configured edition.")
final class CatalogueCommand implements Callable<Integer> {

    @ParentCommand
    Gridwatch top;

    @Option(names = "--kind", description = "component or event (default: both)")
    String kind;

    @Parameters(arity = "0..1", paramLabel = "CODE", description = "a class code to look up")
    String code;

    @Override
    public Integer call() {
        Catalogue c = top.workspace().catalogue();
        Kind[] kinds = kind == null ? Kind.values() : new Kind[] {Kind.of(kind)};
        if (code != null) {
            boolean found = false;
            for (Kind k : kinds) {
                var cls = c.find(k, code);
                if (cls.isPresent()) {
                    print(cls.get());
                    found = true;
                }
            }
            if (!found) {
                System.out.println("no " + (kind == null ? "component or event" : kind) + " class '" + code + "' in the "
                        + c.edition().id() + " catalogue");
                return Gridwatch.NOT_FOUND;
            }
            return 0;
        }
        ConsoleTable t = new ConsoleTable("kind", "code", "name", "major");
        for (Kind k : kinds) {
            for (CatalogueClass cls : c.classes(k)) {
                t.row(k.id() + " " + k.chinese(), cls.code(), cls.name(), cls.majorCode() + " " + cls.majorName());
            }
        }
        t.print(System.out);
        System.out.println("edition: " + c.edition().id() + ", " + c.size() + " classes");
        return 0;
    }

    private static void print(CatalogueClass c) {
        System.out.printf("%s %s  %s  (%s %s, %s)%n", c.kind().id(), c.code(), c.name(), c.majorCode(), c.majorName(), c.kind().chinese());
    }
}
