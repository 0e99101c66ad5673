"""The local REST API: the sync endpoints served on 127.0.0.1 with a bearer token, documented by OpenAPI 3.1.

- app.py       the FastAPI app and its routes (every handler goes through the services layer)
- models.py    request and response models, mapped from domain.py's read models
- security.py  the bearer token, the Host check, the body-size limit and the failed-authentication throttle
- events.py    Server-Sent Events: the bus's run events in a 1,000-event ring for Last-Event-ID resume
- server.py    uvicorn on its own thread, started and stopped as the setting api.enabled says

Imports services, events, domain, fastapi/uvicorn; never PySide6.
"""
