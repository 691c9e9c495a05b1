"""One JSON view."""

from django.http import JsonResponse
from django.urls import path


def hello(request):
    """GET: a fixed JSON document."""
    return JsonResponse({"message": "hello from django"})


urlpatterns = [path("api/hello", hello)]
