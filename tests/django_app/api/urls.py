"""Routes of the test API."""

import json

from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


def hello(request):
    """GET: a fixed JSON document."""
    return JsonResponse({"message": "hello from django", "method": request.method})


@csrf_exempt
def echo(request):
    """POST/PUT/PATCH: the JSON body back, with the method and the cookie named `session`."""
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return JsonResponse({"error": "body is not JSON"}, status=400)
    return JsonResponse(
        {"method": request.method, "body": body, "session": request.COOKIES.get("session")}
    )


def whoami(request):
    """GET: the cookie named `session`, as the browser sent it."""
    return JsonResponse({"session": request.COOKIES.get("session")})


def cookies(request):
    """GET: every cookie, as Django parsed the request's Cookie header."""
    return JsonResponse({"cookies": request.COOKIES})


def with_cors_headers(request):
    """GET: a response that sets its own (wrong) CORS headers and a Vary, as some backends do."""
    response = JsonResponse({"message": "i set my own CORS headers"})
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET"
    response["Vary"] = "Cookie"
    return response


def forbidden(request):
    """GET: a 403 error, which the frontend must still be able to read."""
    return JsonResponse({"error": "forbidden"}, status=403)


def redirect_elsewhere(request):
    """GET: a redirect to an OAuth-like provider on another origin."""
    response = HttpResponse(status=302)
    response["Location"] = request.GET.get("to", "http://127.0.0.1:9/authorize")
    return response


urlpatterns = [
    path("api/hello", hello),
    path("api/echo", echo),
    path("api/whoami", whoami),
    path("api/cookies", cookies),
    path("api/with-cors-headers", with_cors_headers),
    path("api/forbidden", forbidden),
    path("api/redirect", redirect_elsewhere),
]
