package org.edgesbc.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

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

    /** A document that is not well-formed YAML, or repeats a key; {@code line} is 1-based. */
    final class SyntaxException extends IOException {
        private static final long serialVersionUID = 1L;

        private final int line;

        SyntaxException(int line, String message) {
            super(message);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    /**
     * Reads one document.
     *
     * @throws SyntaxException when the text is not well-formed YAML or a mapping repeats a key (YAML 1.2 §3.2.1.1
     *     requires unique keys; taking the last one silently would hide an operator's mistake)
     * @throws IOException when the reader fails
     */
    static YamlTree read(Reader reader) throws IOException {
        try (JsonParser parser = new YAMLFactory().createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new Mapping(new LinkedHashMap<>(), 1);
            }
            return node(parser, first, "");
        } catch (JsonProcessingException e) {
            throw syntaxError(e);
        }
    }

    /** One line naming the problem, without the multi-line snippet and caret that SnakeYAML adds. */
    private static SyntaxException syntaxError(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
            return new SyntaxException(marked.getProblemMark().getLine() + 1,
                    "not valid YAML: " + context + marked.getProblem());
        }
        JsonLocation location = e.getLocation();
        int line = location == null || location.getLineNr() < 1 ? 1 : location.getLineNr();
        String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        return new SyntaxException(line, "not valid YAML: " + message.lines().findFirst().orElse(message));
    }

    /** The node starting at {@code token}; {@code path} is its key path, for messages. */
    private static YamlTree node(JsonParser parser, JsonToken token, String path) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                JsonToken next;
                while ((next = parser.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = parser.currentTokenLocation().getLineNr();
                    String keyPath = path.isEmpty() ? key : path + "." + key;
                    YamlTree value = node(parser, parser.nextToken(), keyPath);
                    if (entries.containsKey(key)) {
                        throw new SyntaxException(keyLine, keyPath + ": appears twice in the same mapping (first on "
                                + "line " + entries.get(key).keyLine() + ")");
                    }
                    entries.put(key, new Entry(keyLine, value));
                }
                return new Mapping(entries, line);
            }
            case START_ARRAY -> {
                List<YamlTree> items = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(node(parser, next, path + "[" + items.size() + "]"));
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
