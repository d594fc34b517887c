def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<{argument}>", f"{{{argument}}}").replace(
                    f"<int:{argument}>", f"{{{argument}}}"
                )
            assert path in documented, rule.rule
    assert document["paths"]["/api/v1/tenants/{slug}"]["get"]["parameters"][0]["name"] == "slug"


def test_api_errors_are_json(client):
    missing = client.get("/api/v1/tenants/nowhere")
    assert missing.status_code == 404 and missing.json["error"]["code"] == 404
    assert client.get("/api/v1/me").json["error"]["code"] == 401


def test_tenants_api_lists_active_centers(client, make_tenant):
    make_tenant("komi")
    items = client.get("/api/v1/tenants").json["items"]
    assert [item["slug"] for item in items] == ["komi"]
    assert items[0]["region"]["tax_code"] == "11"
