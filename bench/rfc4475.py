#!/usr/bin/env python3
"""Conformance run of the RFC 4475 torture messages against a running SBC.

    bench/rfc4475.py DIR [SBC_HOST] [SBC_PORT]      e.g. bench/rfc4475.py ../shared/rfc4475 127.0.0.1 5060

Sends each *.msg file in DIR over UDP from 127.0.0.2 (the default config's trunk zone), after rewriting every IPv4
literal to a loopback address, waits for answers, and after every message checks with an OPTIONS ping that the SBC
still answers. Prints one line per message: name, the status lines received (or "no answer"), and "alive".
The messages are reference data: they are read from DIR, never copied into the repository.
"""
import pathlib
import re
import socket
import sys
import time

def rewrite(data: bytes) -> bytes:
    return re.sub(rb"\b(?:\d{1,3}\.){3}\d{1,3}\b", b"127.0.0.3", data)

def answers(sock, wait=0.6):
    out = []
    deadline = time.time() + wait
    while True:
        left = deadline - time.time()
        if left <= 0:
            return out
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            return out
        out.append(data.split(b"\r\n", 1)[0].decode("utf-8", "replace"))

def main():
    folder = pathlib.Path(sys.argv[1])
    sbc = (sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1", int(sys.argv[3]) if len(sys.argv) > 3 else 5060)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.2", 0))
    port = sock.getsockname()[1]
    alive_count = 0
    files = sorted(folder.glob("*.msg"))
    for n, path in enumerate(files):
        sock.sendto(rewrite(path.read_bytes())[:65507], sbc)
        got = answers(sock)
        ping = (f"OPTIONS sip:{sbc[0]}:{sbc[1]} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:{port};branch=z9hG4bK-ping{n}\r\n"
                f"From: <sip:ping@127.0.0.2>;tag=p{n}\r\nTo: <sip:{sbc[0]}>\r\nCall-ID: ping-{n}\r\n"
                f"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()
        sock.sendto(ping, sbc)
        alive = any(a.startswith("SIP/2.0 200") for a in answers(sock, 2.0))
        alive_count += alive
        print(f"{path.name:16} {'; '.join(got) if got else 'no answer':60} {'alive' if alive else 'NOT ANSWERING'}")
    print(f"{alive_count} of {len(files)} messages followed by a live SBC")
    return 0 if alive_count == len(files) else 1

if __name__ == "__main__":
    sys.exit(main())
