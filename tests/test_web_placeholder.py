from web import create_app


def test_placeholder_app_serves_health():
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/").status_code == 200
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and len(body["sha256"]) == 64
