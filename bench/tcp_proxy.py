"""A small TCP proxy between the app and PostgreSQL, to cut the database away without touching the
server (other people's tests use it): `cut()` closes the listener and every connection through it
(a reset, as a dead network or a restarted server gives), `resume()` listens again on the same port.

Loopback only. Runs in the bench process (`TcpProxy`), or on its own so that its CPU is not the load
client's:

    python -m bench.tcp_proxy --upstream 127.0.0.1:5432   # prints "listening <port>"; SIGUSR1 cuts,
                                                            # SIGUSR2 resumes, SIGTERM stops
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CHUNK = 256 * 1024


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int, *, host: str = "127.0.0.1", port: int = 0):
        for name in (host, upstream_host):
            if name not in LOOPBACK:
                raise ValueError(f"The proxy only works on this machine, not {name!r}")
        self.upstream = (upstream_host, upstream_port)
        self.host, self.port = host, port
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.connections = 0  # accepted since the start
        self.cuts = 0

    @property
    def is_cut(self) -> bool:
        return self.server is None

    async def start(self) -> TcpProxy:
        self.server = await asyncio.start_server(self._accept, self.host, self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def cut(self) -> None:
        """Stop listening (new connections are refused) and reset every open connection."""
        if self.server is not None:
            server, self.server = self.server, None
            server.close()
        for writer in list(self.writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self.writers.clear()
        self.cuts += 1

    async def resume(self) -> None:
        if self.server is None:
            await self.start()

    async def close(self) -> None:
        await self.cut()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.server is None:
            writer.transport.abort()
            return
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self.writers.update((writer, up_writer))
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                self.writers.discard(w)
                w.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


async def _serve(upstream: str, port: int) -> None:
    host, _, upstream_port = upstream.rpartition(":")
    proxy = await TcpProxy(host, int(upstream_port), port=port).start()
    print(f"listening {proxy.port}", flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, lambda: loop.create_task(proxy.cut()))
    loop.add_signal_handler(signal.SIGUSR2, lambda: loop.create_task(proxy.resume()))
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    await proxy.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--upstream", default="127.0.0.1:5432")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(_serve(args.upstream, args.port))
    except ImportError:  # pragma: no cover
        asyncio.run(_serve(args.upstream, args.port))


if __name__ == "__main__":
    main()
