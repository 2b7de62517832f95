#!/usr/bin/python3
"""cut-proxy.py LISTEN_PORT TARGET_PORT CUT_AFTER: a TCP proxy on
127.0.0.1 that forwards one connection at a time to TARGET_PORT and
drops it (both ways, no goodbye) once the server has sent CUT_AFTER
bytes: a connection lost in the middle of a FETCH, for the IMAP crash
tests.  Prints "sent N" after each connection.  Runs until killed."""

import select
import socket
import sys

listen_port, target_port, cut_after = (int(a) for a in sys.argv[1:4])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen_port))
srv.listen(5)
print("ready", flush=True)
while True:
    client, _ = srv.accept()
    server = socket.create_connection(("127.0.0.1", target_port))
    sent = 0
    try:
        while sent < cut_after:
            r, _, _ = select.select([client, server], [], [])
            if client in r:
                data = client.recv(65536)
                if not data:
                    break
                server.sendall(data)
            if server in r:
                data = server.recv(min(65536, cut_after - sent))
                if not data:
                    break
                client.sendall(data)
                sent += len(data)
    except OSError:
        pass
    print("sent %d" % sent, flush=True)
    for s in (client, server):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()
