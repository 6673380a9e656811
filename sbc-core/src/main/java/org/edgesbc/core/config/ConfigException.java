package org.edgesbc.core.config;

import java.util.List;

/** A configuration that cannot run; carries every problem found, each naming file, line, key, value and rule. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
