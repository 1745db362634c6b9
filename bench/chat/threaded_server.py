#!/usr/bin/python3
"""A baseline for the chat benchmark (bench/chat.sh): the article's own style.

The socket module and one thread per client.  For each recv() batch, the
complete lines of that batch, each prefixed "<guest-N> ", go to every *other*
client with one sendall() per recipient, under that recipient's lock.  A
recipient that reads slowly blocks the sender's thread in sendall().

    /usr/bin/python3 bench/chat/threaded_server.py --host 127.0.0.1 --port 0

prints "listening on 127.0.0.1:PORT" (IPv6: "[::1]:PORT") as its first line,
and runs until SIGINT or SIGTERM.
"""

import argparse
import itertools
import signal
import socket
import sys
import threading


class Client:
    def __init__(self, sock, name):
        self.sock = sock
        self.prefix = f"<{name}> ".encode()
        self.lock = threading.Lock()  # one sendall at a time on this socket
        self.closed = False


clients = set()
clients_lock = threading.Lock()


def send_to(client, data):
    with client.lock:
        if client.closed:
            return
        try:
            client.sock.sendall(data)
        except OSError:
            pass  # that client is going; its own thread cleans up


def serve(client):
    pending = b""
    try:
        while True:
            data = client.sock.recv(65536)
            if not data:
                break
            data = pending + data
            end = data.rfind(b"\n")
            if end < 0:
                pending = data
                continue
            complete, pending = data[: end + 1], data[end + 1 :]
            # "a\nb\n" -> "<x> a\n<x> b\n"
            batch = client.prefix + complete[:-1].replace(b"\n", b"\n" + client.prefix) + b"\n"
            with clients_lock:
                others = [other for other in clients if other is not client]
            for other in others:
                send_to(other, batch)
    except OSError:
        pass  # a reset
    finally:
        with clients_lock:
            clients.discard(client)
        with client.lock:
            client.closed = True
            client.sock.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="numeric address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    options = parser.parse_args()

    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((options.host, options.port))
    listener.listen(4096)
    host, port = listener.getsockname()[:2]
    where = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
    print(f"listening on {where}", flush=True)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    numbers = itertools.count(1)
    try:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError as error:  # out of descriptors, say
                print(f"accept: {error}", file=sys.stderr)
                threading.Event().wait(0.1)
                continue
            client = Client(sock, f"guest-{next(numbers)}")
            with clients_lock:
                clients.add(client)
            threading.Thread(target=serve, args=(client,), daemon=True).start()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
