"""The part every real-HTTP fake shares: an aiohttp app on 127.0.0.1, on a free port."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class LocalHttpServer:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port; the real one after start()
    _runner: web.AppRunner | None = field(default=None, repr=False)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        self.add_routes(app.router)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
