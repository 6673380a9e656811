package org.edgesbc.core.registrar;

import javax.sip.address.URI;

/**
 * One Contact of a REGISTER.
 *
 * @param uri the contact URI
 * @param key the binding key: RFC 5626 {@code +sip.instance} with {@code reg-id} when present, else the URI
 * @param expires seconds requested for this contact (its {@code expires} parameter, else the Expires header, else
 *     RFC 3261's default of 3600); 0 removes the binding
 */
public record RequestedContact(URI uri, String key, long expires) { }
