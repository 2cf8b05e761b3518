package io.pigateway.gateway.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One schema migration shipped in the jar: {@code deploy/sql/NNN_words.sql}, listed in order in
 * {@code deploy/sql/migrations.txt} (a jar cannot be listed, so the index says what is there).
 */
record Migration(int version, String fileName, String description, List<String> statements) {
    static final String RESOURCE_DIR = "migrations/";
    static final String INDEX = "migrations.txt";
    private static final Pattern FILE_NAME = Pattern.compile("(\\d{3})_([a-z0-9_]+)\\.sql");

    /** The migrations in the jar, version 1 first; a malformed index is a packaging bug. */
    static List<Migration> all() {
        List<Migration> migrations = new ArrayList<>();
        for (String line : read(INDEX).split("\n")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Matcher m = FILE_NAME.matcher(name);
            if (!m.matches()) {
                throw new IllegalStateException(INDEX + " lists '" + name + "', which is not named NNN_words.sql");
            }
            int version = Integer.parseInt(m.group(1));
            if (version != migrations.size() + 1) {
                throw new IllegalStateException(INDEX + " lists " + name + " as migration " + (migrations.size() + 1)
                        + "; versions must start at 001 and rise by one");
            }
            migrations.add(new Migration(version, name, m.group(2).replace('_', ' '), SqlScript.statements(read(name))));
        }
        if (migrations.isEmpty()) {
            throw new IllegalStateException(INDEX + " lists no migrations");
        }
        return List.copyOf(migrations);
    }

    private static String read(String name) {
        try (InputStream in = Migration.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks the schema migration resource "
                        + Migration.class.getPackageName().replace('.', '/') + "/" + RESOURCE_DIR + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema migration " + name, e);
        }
    }

    @Override
    public String toString() {
        return String.format("%03d (%s)", version, description);
    }
}
