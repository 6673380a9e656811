package org.edgesbc.media;

/** The two sides of a relayed stream: A faces the caller's side of the call, B the callee's. */
public enum MediaSide {
    A, B;

    public MediaSide other() {
        return this == A ? B : A;
    }
}
