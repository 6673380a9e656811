package org.edgesbc.core;

/** The SBC's version, as the jar manifest states it; "dev" when run from classes (tests, an IDE). */
public final class SbcVersion {
    private SbcVersion() { }

    public static String current() {
        String version = SbcVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
