package io.lifeboat.cli;

import io.lifeboat.repository.Keys;
import io.lifeboat.repository.Repository;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "key", mixinStandardHelpOptions = true,
        description = "Manage the passphrases that open the repository; all of them open the same data.",
        subcommands = {KeyCommand.Add.class, KeyCommand.ListKeys.class, KeyCommand.Remove.class, KeyCommand.Passwd.class})
final class KeyCommand {

    /** Prints what a key change did: {field: id} as JSON, or the sentence and the short id. */
    static int report(RepositoryOptions repo, String field, String id, String sentence) throws Exception {
        if (repo.json) {
            Output.json(Map.of(field, id));
        } else {
            System.out.println(sentence + id.substring(0, 8));
        }
        return 0;
    }

    /** The second passphrase of add and passwd. */
    static final class NewPassphrase {
        @Option(names = "--new-password-file", paramLabel = "FILE",
                description = "read the new passphrase from this file; default $LIFEBOAT_NEW_PASSWORD")
        Path file;

        byte[] read() throws Exception {
            return Passphrases.read(file, "LIFEBOAT_NEW_PASSWORD", "new passphrase", true);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a passphrase.")
    static final class Add implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        NewPassphrase next;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            return report(repo, "added", Keys.add(r, next.read()), "added key ");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the keys.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            List<Keys.Entry> keys = Keys.list(r.store());
            if (repo.json) {
                Output.json(keys.stream().map(k -> Map.of("id", k.id(), "current", k.name().equals(r.keyName()),
                        "created", k.key().created(), "host", k.key().host(), "user", k.key().user())).toList());
                return 0;
            }
            System.out.printf("  %-8s  %-24s  %-16s  %s%n", "ID", "CREATED", "HOST", "USER");
            for (Keys.Entry k : keys) {
                System.out.printf("%s %-8s  %-24s  %-16s  %s%n", k.name().equals(r.keyName()) ? "*" : " ",
                        k.id().substring(0, 8), k.key().created(), k.key().host(), k.key().user());
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a key (not the one used to open the repository for this command).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Parameters(paramLabel = "ID", description = "key id or unique prefix")
        String id;

        @Override
        public Integer call() throws Exception {
            return report(repo, "removed", Keys.remove(repo.open(), id), "removed key ");
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Change the passphrase of the key in use.")
    static final class Passwd implements Callable<Integer> {
        @Mixin
        RepositoryOptions repo;
        @Mixin
        NewPassphrase next;

        @Override
        public Integer call() throws Exception {
            Repository r = repo.open();
            String id = Keys.change(r, next.read());
            if (repo.json) {
                Output.json(Map.of("replaced", r.keyName().substring("keys/".length()), "by", id));
            } else {
                System.out.println("passphrase changed (key " + id.substring(0, 8) + ")");
            }
            return 0;
        }
    }
}
