#!/usr/bin/env python3
"""A minimal PBX on UDP for interop checks of the SBC's registrar (python3 standard library only).

It keeps a registration table (it answers every REGISTER with 200, echoing the Contact with ;expires=), answers
calls (100, 200 with SDP, ACK, then BYE after --hold seconds, or 200 to the caller's BYE) and, --call-delay
seconds after the first registration, calls the registered user through the SBC: INVITE sip:USER@SBC with SDP,
ACK to the 200, BYE after --hold seconds. RTP reaching its media port is echoed back to where it came from.
Every line it prints starts with "PBX"; it warns about credentials (Authorization, Proxy-Authorization) and
--hidden addresses in what it receives, which the SBC must keep to itself. With --trace every SIP message in and
out goes to stderr. It stops by itself after --duration seconds (or at SIGTERM), printing how much RTP it echoed.

  bench/fake-pbx.py --duration 40 [--address 127.0.0.3] [--port 5060] [--sbc 127.0.0.1:5060] [--user 1001]
"""
import argparse
import random
import re
import select
import signal
import socket
import sys
import time

T1 = 0.5
COMPACT = {"v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact", "l": "Content-Length",
           "c": "Content-Type", "k": "Supported", "s": "Subject", "e": "Content-Encoding"}
CANONICAL = {name.lower(): name for name in
             ["Via", "From", "To", "Call-ID", "CSeq", "Contact", "Content-Length", "Content-Type", "Max-Forwards",
              "Record-Route", "Route", "Expires", "Allow", "Supported", "User-Agent", "Server"]}


def say(text):
    """One line of the PBX's report: "PBX registration table: ..." or "PBX: ..."."""
    print(("PBX " if text.startswith("registration table") else "PBX: ") + text, flush=True)


class Message:
    def __init__(self, data):
        text = data.decode("utf-8", "replace")
        head, _, body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.start = lines[0]
        self.headers = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + " " + line.strip())
                continue
            name, _, value = line.partition(":")
            name = name.strip()
            name = COMPACT.get(name.lower(), name) if len(name) == 1 else name
            self.headers.append((CANONICAL.get(name.lower(), name), value.strip()))
        self.body = body
        parts = self.start.split(" ", 2)
        self.is_request = not parts[0].startswith("SIP/")
        if self.is_request:
            self.method, self.uri = parts[0], parts[1]
        else:
            self.status = int(parts[1])
            self.reason = parts[2] if len(parts) > 2 else ""

    def all(self, name):
        """Every value of a header, comma-joined values split (not inside <> or quotes)."""
        values = []
        for header, value in self.headers:
            if header.lower() == name.lower():
                values.extend(split_commas(value) if name.lower() in ("via", "route", "record-route") else [value])
        return values

    def get(self, name):
        values = self.all(name)
        return values[0] if values else None

    def cseq(self):
        number, method = self.get("CSeq").split()
        return int(number), method

    def branch(self):
        return param(self.get("Via"), "branch")


def split_commas(value):
    parts, depth, quoted, current = [], 0, False, ""
    for ch in value:
        if ch == '"':
            quoted = not quoted
        elif ch == "<" and not quoted:
            depth += 1
        elif ch == ">" and not quoted:
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def param(value, name):
    """A header parameter (outside the <> of a name-addr), or None; '' for a parameter without value."""
    if value is None:
        return None
    outside = value[value.rfind(">") + 1:] if ">" in value else value
    for piece in outside.split(";")[1:]:
        key, sep, val = piece.strip().partition("=")
        if key.lower() == name.lower():
            return val if sep else ""
    return None


def uri_of(value):
    """The URI of a name-addr or addr-spec header value."""
    match = re.search(r"<([^>]*)>", value)
    return match.group(1) if match else value.split(";")[0].strip()


def user_of(value):
    match = re.match(r"sips?:([^@;>]+)@", uri_of(value))
    return match.group(1) if match else None


def host_port(uri):
    """(host, port) a SIP URI points at; port 5060 when it has none."""
    match = re.match(r"sips?:(?:[^@]*@)?(\[[^\]]+\]|[^:;>?]+)(?::(\d+))?", uri)
    return match.group(1).strip("[]"), int(match.group(2) or 5060)


def new_tag():
    return "%08x" % random.getrandbits(32)


def new_branch():
    return "z9hG4bK-pbx-%016x" % random.getrandbits(64)


def build(start, headers, body=""):
    lines = [start] + ["%s: %s" % header for header in headers]
    lines.append("Content-Length: %d" % len(body.encode()))
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


class Pbx:
    def __init__(self, args):
        self.args = args
        self.sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sip.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sip.bind((args.address, args.port))
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind((args.address, 0))
        self.rtp_port = self.rtp.getsockname()[1]
        self.rtp_packets = 0
        sbc_host, _, sbc_port = args.sbc.rpartition(":")
        self.sbc = (sbc_host, int(sbc_port))
        self.timers = []            # (due, sequence, callback)
        self.sequence = 0
        self.registrations = {}     # user -> (contact, source)
        self.called = False
        self.server = {}            # (branch, method) -> last response bytes, destination
        self.clients = {}           # branch -> client transaction dict
        self.dialogs = {}           # call-id -> dialog dict
        self.failures = 0
        self.warned = set()

    # ---- plumbing -----------------------------------------------------------------------------------------
    def trace(self, direction, peer, data):
        if self.args.trace:
            text = data.decode("utf-8", "replace").rstrip("\r\n")
            sys.stderr.write("%.3f %s %s:%d\n%s\n\n" % (time.time(), direction, peer[0], peer[1], text))
            sys.stderr.flush()

    def send(self, data, peer):
        self.trace("PBX ->", peer, data)
        self.sip.sendto(data, peer)

    def later(self, delay, callback):
        self.sequence += 1
        self.timers.append((time.time() + delay, self.sequence, callback))
        self.timers.sort()

    def local_contact(self):
        return "<sip:pbx@%s:%d>" % (self.args.address, self.args.port)

    def via(self, branch):
        return "SIP/2.0/UDP %s:%d;branch=%s;rport" % (self.args.address, self.args.port, branch)

    def sdp(self):
        session = random.getrandbits(31)
        return ("v=0\r\no=pbx %d %d IN IP4 %s\r\ns=fake-pbx\r\nc=IN IP4 %s\r\nt=0 0\r\n"
                "m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                "a=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"
                % (session, session, self.args.address, self.args.address, self.rtp_port))

    # ---- responses (UAS) ------------------------------------------------------------------------------------
    def respond(self, request, source, status, reason, to_tag=None, extra=(), body=""):
        vias = request.all("Via")
        top = vias[0]
        # RFC 3261 §18.2.1 and RFC 3581: received when the sent-by differs from the source, rport filled in.
        sent_by = top.split()[1].split(";")[0]
        if sent_by.rsplit(":", 1)[0].strip("[]") != source[0]:
            top += ";received=%s" % source[0]
        if param(top, "rport") == "":
            top = re.sub(r";rport(?=;|$)", ";rport=%d" % source[1], top)
            if ";received=" not in top:
                top += ";received=%s" % source[0]
        vias[0] = top
        to = request.get("To")
        if to_tag and param(to, "tag") is None and status > 100:
            to += ";tag=" + to_tag
        headers = [("Via", via) for via in vias]
        headers += [("From", request.get("From")), ("To", to), ("Call-ID", request.get("Call-ID")),
                    ("CSeq", request.get("CSeq"))]
        if 200 <= status < 300 and request.method == "INVITE":
            headers += [("Record-Route", rr) for rr in request.all("Record-Route")]
        headers += list(extra)
        headers.append(("Server", "fake-pbx"))
        if body:
            headers.append(("Content-Type", "application/sdp"))
        data = build("SIP/2.0 %d %s" % (status, reason), headers, body)
        # RFC 3581: the response goes back to the source address and port of the request.
        self.send(data, source)
        self.server[(request.branch(), request.method)] = (data, source)
        return data

    def check_hiding(self, message, data):
        """Warnings, once per kind: what a PBX behind the SBC must never see."""
        what = message.method if message.is_request else "%d response" % message.status
        for header in ("Authorization", "Proxy-Authorization"):
            if message.get(header) is not None and (header, what) not in self.warned:
                self.warned.add((header, what))
                say("warning: %s from the SBC carries %s: %s" % (what, header, message.get(header)))
        for address in self.args.hidden:
            if address.encode() in data and (address, what) not in self.warned:
                self.warned.add((address, what))
                say("warning: %s from the SBC names the hidden address %s" % (what, address))

    def on_request(self, request, source):
        key = (request.branch(), request.method)
        if key in self.server and request.method != "ACK":
            self.send(*self.server[key])    # a retransmission: the last answer again
            return
        handler = getattr(self, "on_" + request.method.lower(), None)
        if handler is None:
            self.respond(request, source, 501, "Not Implemented", new_tag())
        else:
            handler(request, source)

    def on_register(self, request, source):
        user = user_of(request.get("To"))
        contacts = request.all("Contact")
        expires = request.get("Expires")
        granted = []
        for contact in contacts:
            if contact.strip() == "*":
                self.registrations.pop(user, None)
                continue
            seconds = param(contact, "expires") or expires or "3600"
            bare = re.sub(r";expires=\d+", "", contact)
            if int(seconds) == 0:
                self.registrations.pop(user, None)
                say("registration table: %s removed (request from %s:%d)" % (user, source[0], source[1]))
            else:
                self.registrations[user] = (bare, source)
                granted.append(("Contact", "%s;expires=%s" % (bare, seconds)))
                say("registration table: %s -> %s from %s:%d (expires %s)"
                    % (user, bare, source[0], source[1], seconds))
        self.respond(request, source, 200, "OK", new_tag(), granted)
        if granted and not self.called and user == self.args.user:
            self.called = True
            self.later(self.args.call_delay, self.call_user)

    def on_options(self, request, source):
        self.respond(request, source, 200, "OK", new_tag(), [("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS")])

    def on_invite(self, request, source):
        call_id = request.get("Call-ID")
        if param(request.get("To"), "tag") is not None:
            dialog = self.dialogs.get(call_id)
            if dialog is None:
                self.respond(request, source, 481, "Call/Transaction Does Not Exist", new_tag())
                return
            # A re-INVITE (session refresh or hold): accept with our SDP.
            self.respond(request, source, 200, "OK", dialog["local_tag"],
                         [("Contact", self.local_contact())], self.sdp())
            dialog["retransmit"] = None
            return
        caller = user_of(request.get("From"))
        self.respond(request, source, 100, "Trying")
        local_tag = new_tag()
        dialog = {"call_id": call_id, "local_tag": local_tag, "remote_tag": param(request.get("From"), "tag"),
                  "local_uri": request.get("To").split(";tag=")[0], "remote_uri": request.get("From"),
                  "remote_target": uri_of(request.get("Contact")), "route": request.all("Record-Route"),
                  "cseq": random.randint(1, 1000), "peer": source, "caller": caller, "incoming": True}
        dialog["local_from"] = request.get("To") + ";tag=" + local_tag
        self.dialogs[call_id] = dialog
        data = self.respond(request, source, 200, "OK", local_tag, [("Contact", self.local_contact())], self.sdp())
        say("call from %s answered (200), Call-ID %s" % (caller, call_id))
        # RFC 3261 §13.3.1.4: the 200 is retransmitted until the ACK arrives.
        dialog["retransmit"] = data

        started = time.time()

        def resend(interval):
            if dialog.get("retransmit") is None:
                return
            if time.time() - started >= 64 * T1:
                dialog["retransmit"] = None
                say("no ACK from %s for the 200 (Timer H)" % caller)
                self.failures += 1
                return
            self.send(dialog["retransmit"], source)
            following = min(2 * interval, 4.0)
            self.later(following, lambda: resend(following))
        self.later(T1, lambda: resend(T1))

    def on_ack(self, request, source):
        dialog = self.dialogs.get(request.get("Call-ID"))
        if dialog is None or not dialog.get("incoming"):
            return
        if dialog.get("retransmit") is not None:
            dialog["retransmit"] = None
            say("ACK from %s received" % dialog["caller"])
            if not dialog.get("bye_scheduled"):
                dialog["bye_scheduled"] = True
                self.later(self.args.hold, lambda: self.send_bye(dialog))

    def on_bye(self, request, source):
        dialog = self.dialogs.pop(request.get("Call-ID"), None)
        if dialog is None:
            self.respond(request, source, 481, "Call/Transaction Does Not Exist", new_tag())
            return
        dialog["ended"] = True
        self.respond(request, source, 200, "OK")
        who = dialog["caller"] if dialog.get("incoming") else self.args.user
        say("BYE from %s answered (200 OK), call %s" % (who, "ended by the phone"))

    def on_cancel(self, request, source):
        # Calls are answered at once, so there is never a pending INVITE to cancel.
        self.respond(request, source, 481, "Call/Transaction Does Not Exist", new_tag())

    # ---- requests (UAC) -------------------------------------------------------------------------------------
    def send_request(self, method, uri, headers, body, destination, on_response, invite=False):
        branch = new_branch()
        all_headers = [("Via", self.via(branch)), ("Max-Forwards", "70")] + headers
        if body:
            all_headers.append(("Content-Type", "application/sdp"))
        data = build("%s %s SIP/2.0" % (method, uri), all_headers, body)
        client = {"data": data, "destination": destination, "on_response": on_response, "answered": False,
                  "final": False, "method": method, "started": time.time()}
        self.clients[branch] = client
        self.send(data, destination)

        # Timers A/E: retransmit until a (provisional for INVITE, any final otherwise) response; B/F: 64*T1.
        def resend(interval):
            if client["final"] or (invite and client["answered"]):
                return
            if time.time() - client["started"] >= 64 * T1:
                client["final"] = True
                say("%s to %s timed out: no response" % (method, uri))
                self.failures += 1
                return
            self.send(data, destination)
            following = 2 * interval if invite else min(2 * interval, 4.0)
            self.later(following, lambda: resend(following))
        self.later(T1, lambda: resend(T1))
        return branch

    def destination_of(self, dialog):
        """Where an in-dialog request goes: the first loose route, else the remote target (RFC 3261 §12.2.1.1)."""
        if dialog["route"]:
            return host_port(uri_of(dialog["route"][0]))
        return host_port(dialog["remote_target"])

    def call_user(self):
        """The PBX calls the registered user: to the contact it registered, which is the SBC."""
        user = self.args.user
        registration = self.registrations.get(user)
        if registration is None:
            say("call to %s not placed: not registered" % user)
            self.failures += 1
            return
        contact = uri_of(registration[0])
        call_id = "pbx-%016x@%s" % (random.getrandbits(64), self.args.address)
        local_tag = new_tag()
        dialog = {"call_id": call_id, "local_tag": local_tag, "incoming": False, "cseq": 1,
                  "local_from": "<sip:200@%s>;tag=%s" % (self.args.address, local_tag),
                  "remote_uri": "<sip:%s@%s>" % (user, self.args.address), "caller": "200"}
        self.dialogs[call_id] = dialog
        headers = [("From", dialog["local_from"]), ("To", dialog["remote_uri"]), ("Call-ID", call_id),
                   ("CSeq", "1 INVITE"), ("Contact", self.local_contact()),
                   ("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"), ("User-Agent", "fake-pbx")]
        say("calling %s at %s via the SBC %s:%d" % (user, contact, self.sbc[0], self.sbc[1]))
        dialog["invite_uri"] = contact
        dialog["invite_branch"] = self.send_request("INVITE", contact, headers, self.sdp(), self.sbc,
                                                    lambda response: self.on_invite_response(dialog, response),
                                                    invite=True)

    def on_invite_response(self, dialog, response):
        if response.status < 200:
            if response.status > 100:
                say("call to %s: %d %s" % (self.args.user, response.status, response.reason))
            return
        to_tag = param(response.get("To"), "tag")
        if response.status >= 300:
            # RFC 3261 §17.1.1.3: the ACK of a failure is part of the INVITE transaction (same branch).
            data = build("ACK %s SIP/2.0" % dialog["invite_uri"],
                         [("Via", self.via(dialog["invite_branch"])), ("Max-Forwards", "70"),
                          ("From", dialog["local_from"]), ("To", response.get("To")),
                          ("Call-ID", dialog["call_id"]), ("CSeq", "1 ACK")])
            self.send(data, self.sbc)
            say("call to %s failed (%d %s)" % (self.args.user, response.status, response.reason))
            self.failures += 1
            self.dialogs.pop(dialog["call_id"], None)
            return
        first = "remote_tag" not in dialog
        if first:
            dialog["remote_tag"] = to_tag
            dialog["remote_uri"] = response.get("To")
            dialog["remote_target"] = uri_of(response.get("Contact"))
            dialog["route"] = list(reversed(response.all("Record-Route")))
            say("call to %s answered (%d), Call-ID %s" % (self.args.user, response.status, dialog["call_id"]))
        # RFC 3261 §13.2.2.4: every 2xx (also a retransmission) is acknowledged, end to end, in a new transaction.
        if "ack" not in dialog:
            headers = [("Via", self.via(new_branch())), ("Max-Forwards", "70")]
            headers += [("Route", route) for route in dialog["route"]]
            headers += [("From", dialog["local_from"]), ("To", dialog["remote_uri"]),
                        ("Call-ID", dialog["call_id"]), ("CSeq", "1 ACK")]
            dialog["ack"] = build("ACK %s SIP/2.0" % dialog["remote_target"], headers)
        self.send(dialog["ack"], self.destination_of(dialog))
        if first:
            self.later(self.args.hold, lambda: self.send_bye(dialog))

    def send_bye(self, dialog):
        if dialog.get("ended") or self.dialogs.get(dialog["call_id"]) is not dialog:
            return
        dialog["cseq"] += 1
        headers = [("Route", route) for route in dialog["route"]]
        headers += [("From", dialog["local_from"]), ("To", dialog["remote_uri"]), ("Call-ID", dialog["call_id"]),
                    ("CSeq", "%d BYE" % dialog["cseq"]), ("User-Agent", "fake-pbx")]
        who = dialog["caller"] if dialog.get("incoming") else self.args.user
        say("hanging up the call %s %s with BYE" % ("from" if dialog.get("incoming") else "to", who))

        def answered(response):
            if response.status >= 200:
                dialog["ended"] = True
                self.dialogs.pop(dialog["call_id"], None)
                say("BYE to %s answered (%d %s)" % (who, response.status, response.reason))
                if response.status >= 300:
                    self.failures += 1
        self.send_request("BYE", dialog["remote_target"], headers, "", self.destination_of(dialog), answered)

    def on_response(self, response, source):
        client = self.clients.get(response.branch())
        if client is None or response.cseq()[1] != client["method"]:
            # A 2xx retransmission after our INVITE transaction ended still needs its ACK.
            if response.cseq()[1] == "INVITE" and 200 <= response.status < 300:
                dialog = self.dialogs.get(response.get("Call-ID"))
                if dialog is not None and "ack" in dialog:
                    self.send(dialog["ack"], self.destination_of(dialog))
            return
        client["answered"] = True
        if response.status >= 200:
            if client["final"] and client["method"] != "INVITE":
                return
            client["final"] = True
        client["on_response"](response)

    # ---- loop -----------------------------------------------------------------------------------------------
    def run(self):
        say("listening on udp %s:%d, media %s:%d, SBC %s:%d, for %ds"
            % (self.args.address, self.args.port, self.args.address, self.rtp_port, self.sbc[0], self.sbc[1],
               self.args.duration))
        deadline = time.time() + self.args.duration
        try:
            self.loop(deadline)
        except KeyboardInterrupt:
            pass
        say("stopping; RTP packets echoed: %d" % self.rtp_packets)
        return 1 if self.failures else 0

    def loop(self, deadline):
        while time.time() < deadline:
            now = time.time()
            while self.timers and self.timers[0][0] <= now:
                _, _, callback = self.timers.pop(0)
                callback()
            wait = min([deadline - now] + [self.timers[0][0] - now if self.timers else 1.0])
            readable, _, _ = select.select([self.sip, self.rtp], [], [], max(0.0, min(wait, 1.0)))
            if self.rtp in readable:
                data, peer = self.rtp.recvfrom(65535)
                self.rtp_packets += 1
                self.rtp.sendto(data, peer)  # echo, so the phone hears its own audio
            if self.sip in readable:
                data, peer = self.sip.recvfrom(65535)
                if not data.strip():
                    continue                 # a keep-alive
                self.trace("PBX <-", peer, data)
                try:
                    message = Message(data)
                    self.check_hiding(message, data)
                    (self.on_request if message.is_request else self.on_response)(message, peer)
                except Exception as error:   # a malformed message must not end the PBX
                    say("cannot handle a message from %s:%d: %r" % (peer[0], peer[1], error))


def stopped(signum, frame):
    """SIGTERM ends the run as the deadline would, with the closing report."""
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description="A minimal UDP PBX for SBC interop checks.")
    parser.add_argument("--duration", type=float, required=True, help="seconds to run, then stop")
    parser.add_argument("--address", default="127.0.0.3")
    parser.add_argument("--port", type=int, default=5060)
    parser.add_argument("--sbc", default="127.0.0.1:5060", help="where the PBX sends its calls")
    parser.add_argument("--user", default="1001", help="the user called after it registers")
    parser.add_argument("--call-delay", type=float, default=2.0, help="seconds from registration to the call")
    parser.add_argument("--hold", type=float, default=2.0, help="seconds a call lasts before the PBX hangs up")
    parser.add_argument("--hidden", action="append", default=[], metavar="ADDRESS",
                        help="an address (a phone's) that must never appear in what the PBX receives; repeatable")
    parser.add_argument("--trace", action="store_true", help="print every SIP message to stderr")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stopped)
    sys.exit(Pbx(args).run())


if __name__ == "__main__":
    main()
