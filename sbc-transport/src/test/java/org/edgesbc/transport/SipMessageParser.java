package org.edgesbc.transport;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.header.ViaList;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.text.ParseException;
import java.util.Set;

/**
 * jain-sip-ri's whole-message parse of gated bytes: the reference the relay's own reader is tested against
 * ({@code SipMessageViewDifferentialTest}) and benchmarked with. Left alone, jain-sip-ri drops a header it cannot
 * parse and returns the message anyway; an error in any of the headers a relay routes by fails the whole message
 * here, as it does in the relay's reader.
 */
public final class SipMessageParser {
    private static final Set<Class<?>> CORE_HEADERS = Set.of(
            Via.class, ViaList.class, From.class, To.class, CallID.class, CSeq.class, MaxForwards.class,
            ContentLength.class, RequestLine.class, StatusLine.class);

    private static final ParseExceptionListener REJECT_CORE_HEADER_ERRORS =
            (ParseException error, SIPMessage message, Class headerClass, String headerText, String messageText) -> {
                if (headerClass == null || CORE_HEADERS.contains(headerClass)) {
                    throw error;
                }
            };

    private SipMessageParser() { }

    public static SIPMessage parse(byte[] gatedBytes) throws SipParseException {
        try {
            SIPMessage message = new StringMsgParser()
                    .parseSIPMessage(gatedBytes, true, true, REJECT_CORE_HEADER_ERRORS);
            if (message == null) {
                throw new SipParseException("no SIP message in input", null);
            }
            return message;
        } catch (ParseException e) {
            throw new SipParseException(e.getMessage(), e);
        } catch (RuntimeException e) {
            // jain-sip-ri signals some malformed inputs with unchecked exceptions; they are parse failures too.
            throw new SipParseException(e.toString(), e);
        }
    }
}
