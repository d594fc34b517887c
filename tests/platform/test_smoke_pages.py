def test_home_lists_centers_with_region_and_district(client, make_tenant):
    make_tenant("komi")
    make_tenant("tatarstan")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "CDC komi" in page and "CDC tatarstan" in page
    assert "Komi Republic" in page
    assert "Northwestern Federal District" in page


def test_center_home_and_unknown_center(client, make_tenant):
    make_tenant("komi", email="ckr@komi.example")
    response = client.get("/komi/")
    assert response.status_code == 200
    assert "ckr@komi.example" in response.get_data(as_text=True)
    assert client.get("/nowhere/").status_code == 404
