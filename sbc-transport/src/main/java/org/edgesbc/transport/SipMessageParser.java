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
import java.util.Locale;
import java.util.Set;

/**
 * Turns gated bytes into jain-sip-ri's message model. Left alone, jain-sip-ri drops a header it cannot parse and
 * returns the message anyway; for the headers a relay routes by, that would mean forwarding something the far side
 * reads differently, so an error in any of them fails the whole message. Errors in other headers drop only that
 * header, which is then not forwarded.
 *
 * <p>Stateless and thread-safe: a parser instance is created per call (it is cheap and not thread-safe).
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

    /**
     * jain-sip-ri's CSeq encoder upper-cases the method, but methods are case-sensitive (RFC 3261 §7.1): a relayed
     * extension method such as {@code Fancy} (RFC 4475 §3.1.1.2) would leave with {@code CSeq: 1 FANCY}, which the
     * next hop must refuse (RFC 4475 §3.1.2.17), and its answer would match no transaction. A CSeq whose method has
     * a lower-case letter is replaced by one that encodes the method as received.
     */
    private static void keepCseqMethodCase(SIPMessage message) {
        CSeq cseq = (CSeq) message.getCSeq();
        if (cseq != null && !cseq.getMethod().equals(cseq.getMethod().toUpperCase(Locale.ROOT))) {
            message.setHeader(new CaseKeepingCSeq(cseq.getSeqNumber(), cseq.getMethod()));
        }
    }

    /** A CSeq that encodes its method exactly as it was set. */
    private static final class CaseKeepingCSeq extends CSeq {
        private static final long serialVersionUID = 1L;

        CaseKeepingCSeq(long sequenceNumber, String method) {
            super(sequenceNumber, method);
        }

        @Override
        protected StringBuilder encodeBody(StringBuilder buffer) {
            return buffer.append(seqno).append(SP).append(method);
        }
    }

    public static SIPMessage parse(byte[] gatedBytes) throws SipParseException {
        try {
            SIPMessage message = new StringMsgParser()
                    .parseSIPMessage(gatedBytes, true, true, REJECT_CORE_HEADER_ERRORS);
            if (message == null) {
                throw new SipParseException("no SIP message in input", null);
            }
            keepCseqMethodCase(message);
            return message;
        } catch (ParseException e) {
            throw new SipParseException(e.getMessage(), e);
        } catch (RuntimeException e) {
            // jain-sip-ri signals some malformed inputs with unchecked exceptions; they are parse failures too.
            throw new SipParseException(e.toString(), e);
        }
    }
}
