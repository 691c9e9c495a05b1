"""The URLs of the middleware tests: a JSON view, one that sets its own Vary, one that fails,
an async view and a streaming one."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path
from django.views.decorators.http import require_GET


@require_GET
def items(request):
    return JsonResponse({"items": []})


def anything(request, rest=""):
    response = HttpResponse("body", status=200)
    response["Vary"] = "Accept-Encoding"
    return response


def fails(request):
    raise RuntimeError("the view fails")


async def async_items(request):
    return JsonResponse({"items": [], "async": True})


def stream(request):
    return StreamingHttpResponse(iter([b"a", b"b"]))


urlpatterns = [
    path("api/items", items),
    path("api/async", async_items),
    path("api/stream", stream),
    path("api/fails", fails),
    path("other/<path:rest>", anything),
    path("signal/<path:rest>", anything),
]
