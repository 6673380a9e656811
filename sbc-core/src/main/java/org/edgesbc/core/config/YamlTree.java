package org.edgesbc.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers the line of every key and value, read with Jackson's streaming YAML
 * parser, so that every configuration error can point at its line.
 */
sealed interface YamlTree {
    int line();

    record Scalar(String text, boolean isNull, int line) implements YamlTree { }

    record Sequence(List<YamlTree> items, int line) implements YamlTree { }

    record Mapping(Map<String, Entry> entries, int line) implements YamlTree { }

    record Entry(int keyLine, YamlTree value) { }

    static YamlTree read(Reader reader) throws IOException {
        try (JsonParser parser = new YAMLFactory().createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new Mapping(new LinkedHashMap<>(), 1);
            }
            return node(parser, first);
        }
    }

    private static YamlTree node(JsonParser parser, JsonToken token) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                JsonToken next;
                while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = parser.currentTokenLocation().getLineNr();
                    YamlTree value = node(parser, parser.nextToken());
                    if (entries.containsKey(key)) {
                        throw new IOException("line " + keyLine + ": key '" + key + "' appears twice");
                    }
                    entries.put(key, new Entry(keyLine, value));
                }
                return new Mapping(entries, line);
            }
            case START_ARRAY -> {
                List<YamlTree> items = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(node(parser, next));
                }
                return new Sequence(items, line);
            }
            case VALUE_NULL -> {
                return new Scalar(null, true, line);
            }
            default -> {
                return new Scalar(parser.getText(), false, line);
            }
        }
    }
}
