package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.security.Role;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Manage API bearer tokens (roles Admin, System, Auditor, User); only their hashes are stored.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token and print it once.")
    static final class Create implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ServiceOptions where;
        @Option(names = "--role", required = true, description = "Admin, System, Auditor or User")
        String role;
        @Option(names = "--name", description = "what the token is for; default: the role")
        String name;

        @Override
        public Integer call() throws Exception {
            Role r = Role.parse(role);
            try (Catalog catalog = where.openCatalog()) {
                String token = catalog.createToken(name == null ? r.display() : name, r);
                if (where.json) {
                    Output.json(Map.of("token", token, "role", r.display()));
                } else {
                    System.out.println(token);
                    System.err.println("This token is shown once; Lifeboat keeps only its hash.");
                }
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (never their values).")
    static final class ListTokens implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ServiceOptions where;

        @Override
        public Integer call() throws Exception {
            try (Catalog catalog = where.openCatalog()) {
                List<Catalog.Token> tokens = catalog.tokens();
                if (where.json) {
                    Output.json(tokens);
                    return 0;
                }
                for (Catalog.Token t : tokens) {
                    System.out.printf("%-36s  %-8s  %-20s  %s%s%n", t.id(), t.role().display(), t.name(), t.createdAt(),
                            t.revokedAt() == null ? "" : "  revoked " + t.revokedAt());
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke tokens by id or name.")
    static final class Revoke implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ServiceOptions where;
        @Parameters(paramLabel = "ID|NAME")
        String id;

        @Override
        public Integer call() throws Exception {
            try (Catalog catalog = where.openCatalog()) {
                int n = catalog.revokeToken(id);
                if (n == 0) {
                    throw new IllegalArgumentException("no live token with id or name '" + id + "'");
                }
                System.out.println("revoked " + n + " token" + (n == 1 ? "" : "s"));
            }
            return 0;
        }
    }
}
