package org.edgesbc.core.sdp;

/**
 * The o= identity the SBC used in the last SDP it sent in one direction of a call, so that the next one keeps the
 * session id and moves the version only when the content changed (RFC 3264 §8: a re-offer that changes nothing
 * repeats the version, any change increments it by one).
 *
 * @param sessionId the session id, fixed for the life of the call
 * @param version the session version last sent
 * @param content the body last sent, its o= line left out
 */
public record SdpOrigin(String sessionId, long version, String content) { }
