#!/usr/bin/python3
"""A baseline for the chat benchmark (bench/chat.sh): a chat server on asyncio.

Each client is one task reading with StreamReader.readline(); every line goes,
as "<guest-N> text\\n", to every *other* client with one writer.write() per
recipient.  It never awaits drain(): like the classic Asio design, each
client's output buffer grows without bound when that client reads slowly.

    /usr/bin/python3 bench/chat/asyncio_server.py --host 127.0.0.1 --port 0

prints "listening on 127.0.0.1:PORT" (IPv6: "[::1]:PORT") as its first line,
and runs until SIGINT or SIGTERM.
"""

import argparse
import asyncio
import itertools
import signal


class Room:
    def __init__(self):
        self.writers = {}  # StreamWriter -> name, in joining order
        self.numbers = itertools.count(1)

    async def serve(self, reader, writer):
        name = f"guest-{next(self.numbers)}"
        self.writers[writer] = name
        prefix = f"<{name}> ".encode()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break  # end of stream
                if not line.endswith(b"\n"):
                    line += b"\n"  # a last line without its ending
                message = prefix + line
                for other in self.writers:
                    if other is not writer and not other.is_closing():
                        other.write(message)
        except (ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass  # a reset, or a line over the reader's 64 KiB limit
        finally:
            del self.writers[writer]
            writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="numeric address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    options = parser.parse_args()

    room = Room()
    server = await asyncio.start_server(room.serve, options.host, options.port, backlog=4096)
    host, port = server.sockets[0].getsockname()[:2]
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    print(f"listening on {where}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
