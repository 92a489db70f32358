"""The web page: ``transcribe serve`` starts a local ASGI app (Starlette on uvicorn).

Sing into the microphone or drop a file, and see the engraved score, the pitch
plot and a player, with the CLI's overrides and downloads. Everything it serves
ships in this package (``static/``): no CDN, it works offline.

Starlette and uvicorn are the optional ``web`` extra (``pip install "transcribe[web]"``);
nothing here imports them until :func:`transcribe.web.app.create_app` or
:func:`transcribe.web.serve.main` runs, so the rest of the package works without them.
"""
