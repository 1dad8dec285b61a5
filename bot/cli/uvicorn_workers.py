"""uvicorn with several worker processes on one socket, each connection with TCP_NODELAY.

uvicorn binds the socket its workers share with protocol 0, so asyncio does not turn Nagle's
algorithm off on the connections they accept (it checks for IPPROTO_TCP): a response written in
two parts (headers, then body) then waits for the client's delayed ACK, ~40 ms on Linux, on every
request. One worker is not affected (asyncio binds that socket itself).
"""
from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


class NoDelayConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.set_inheritable(True)
        return sock


def run_workers(app: str, *, workers: int, host: str, port: int, factory: bool = False) -> None:
    """What `uvicorn.run(app, workers=N)` does, on a socket whose connections get TCP_NODELAY."""
    # As for one worker: no Server header naming the stack, and forwarded addresses are the app's to
    # believe (FORWARDED_ALLOW_IPS), not uvicorn's.
    config = NoDelayConfig(app, factory=factory, workers=workers, host=host, port=port, log_config=None,
                           server_header=False, proxy_headers=False)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
