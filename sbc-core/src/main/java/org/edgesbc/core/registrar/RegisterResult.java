package org.edgesbc.core.registrar;

import java.time.Instant;
import java.util.List;

/**
 * How a phone's REGISTER is answered.
 *
 * @param status 200, or the refusal: 400, 403 (too many contacts, or the PBX refused), 423 (interval too brief),
 *     500 (out of order, RFC 3261 §10.3 step 7), 503 (binding table full), 408 (the PBX did not answer)
 * @param bindings the AOR's bindings after the request, for the 200's Contact headers
 * @param now the instant the remaining expiry of each binding is counted from
 * @param minExpires the Min-Expires of a 423, else 0
 * @param flowTimer the RFC 5626 Flow-Timer seconds to send with a 200, else 0
 */
public record RegisterResult(int status, List<Binding> bindings, Instant now, long minExpires, long flowTimer) {

    public static RegisterResult refused(int status, Instant now) {
        return new RegisterResult(status, List.of(), now, 0, 0);
    }
}
